"""robots.txt per RFC 9309, for every request, also those that arrive while robots.txt is on
its way.

What the RFC asks and Scrapy 2.19's RobotsTxtMiddleware does not do (§2.3.1, §2.5):

* parse at most a bounded size: a robots.txt is read up to NIANBAO_ROBOTS_MAX_BYTES (500 KiB,
  the RFC's minimum) and the rest ignored. The download itself stops there (a
  `bytes_received` handler raises StopDownload), so a 50 MB robots.txt costs 500 KiB, not
  the crawl's memory; the cut falls after the last whole line;
* an answer 5xx is "unreachable", and so is a robots.txt that cannot be fetched at all
  (connection refused, timeout, reset, after Scrapy's retries): the site is then disallowed
  for this crawl, not allowed (429 counts as 5xx, as Google does: the server is overloaded).
  One log line says why ("robots.txt answered 503: site not crawled (RFC 9309)"), the site's
  counters get `robots_unreachable`, and each of its requests is refused with that reason
  (counted as a robots refusal). Scrapy logged a multi-screen traceback for an unreachable
  robots.txt and then allowed everything. The next crawl asks again;
* 4xx is "unavailable": everything is allowed, as before (the error page is not parsed).

Scrapy also parks the requests that reach a site before its robots.txt is parsed on one
shared Deferred and awaits it once per request. Under the asyncio reactor, awaiting a
Deferred (Deferred.asFuture) consumes its result: the first waiter gets the parser, every
later one gets None, and None means "no robots.txt, allow". So when several requests of a
new site are in flight at once (a registry's list URLs next to its start URL, a distributed
worker taking a batch of one site's requests from Redis), all but one would skip
robots.txt. Here each waiter gets its own Deferred, relayed from the shared one.
"""
from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from nianbao.crawler import meta as M
from nianbao.crawler.extensions.sitestats import SiteStats

logger = logging.getLogger(__name__)

RFC = "RFC 9309"
# what a robots.txt fetch found (RobotsTxtMiddleware._download)
PARSE, ALLOW, UNREACHABLE = "parse", "allow", "unreachable"


class Unreachable:
    """The rules of a site whose robots.txt could not be had: nothing is allowed."""

    def __init__(self, reason: str):
        self.reason = reason

    def allowed(self, url, user_agent) -> bool:
        return False


def capped(body: bytes, max_bytes: int) -> bytes:
    """The part of a robots.txt that is parsed: up to `max_bytes`, ending after a whole line
    (a rule cut in two could allow what the whole rule forbids)."""
    if len(body) < max_bytes:
        return body
    head = body[:max_bytes]
    return head[: head.rfind(b"\n") + 1] or head


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.max_bytes = crawler.settings.getint("NIANBAO_ROBOTS_MAX_BYTES")
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    def _bytes_received(self, data: bytes, request, spider=None) -> None:
        """Stop a robots.txt download at the cap: the response keeps what came so far."""
        got = request.meta.get(M.ROBOTS_BYTES)
        if got is None:
            return
        got += len(data)
        request.meta[M.ROBOTS_BYTES] = got
        if got >= self.max_bytes:
            raise StopDownload(fail=False)

    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, Unreachable):
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(rp.reason)
        super().process_request_2(rp, request)

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            mine: Deferred = Deferred()

            def relay(result):
                mine.callback(result)
                return result       # the shared Deferred keeps its result for the next waiter
            pending.addBoth(relay)
            return await maybe_deferred_to_future(mine)
        if netloc in self._parsers:
            return pending
        self._parsers[netloc] = Deferred()
        try:
            parser = await self._fetch(request, netloc)
        except Exception as exc:    # never leave the site's waiting requests hanging
            parser = self._unreachable(request, netloc, f"robots.txt could not be read ({_reason(exc)})")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        waiting.callback(parser)
        return parser

    async def _fetch(self, request, netloc: str):
        """The site's rules: a parser, None (allow everything) or Unreachable."""
        return await self._rules(await self._download(request, netloc), request, netloc)

    async def _download(self, request, netloc: str) -> tuple[str, bytes | str]:
        """Fetch the site's robots.txt: ("parse", the body to parse, capped), ("allow", "")
        or ("unreachable", why)."""
        scheme = urlparse_cached(request).scheme
        robots = Request(
            f"{scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY, callback=NO_CALLBACK,
            headers={"Accept-Encoding": "identity"},     # the cap counts the bytes that are parsed
            # the cap bounds the body: a large Content-Length must neither cancel the download
            # before its first bytes (DOWNLOAD_MAXSIZE) nor warn about bytes never read
            meta={"dont_obey_robotstxt": True, M.ROBOTS_BYTES: 0, "download_maxsize": 0,
                  "download_warnsize": 0})
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            return UNREACHABLE, f"robots.txt unreachable ({_reason(exc)})"
        status = response.status
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{status}")
        if status >= 500 or status == 429:
            return UNREACHABLE, f"robots.txt answered {status}"
        if status >= 300:
            return ALLOW, ""        # unavailable (4xx, a redirect that led nowhere): allow all
        body = response.body
        if "download_stopped" in response.flags or len(body) >= self.max_bytes:
            body = capped(body, self.max_bytes)
            self._stats.inc_value("nianbao/robots/truncated")
            logger.info("robots.txt of %s is longer than %d bytes: read up to there (%s)",
                        netloc, self.max_bytes, RFC)
        return PARSE, body

    async def _rules(self, outcome: tuple[str, bytes | str], request, netloc: str, counted: bool = True):
        """A parser, None or Unreachable from what `_download` found (here or, in a
        distributed crawl, in another worker: `counted` False, the site's counters and the
        log line are the fetching worker's)."""
        kind, data = outcome
        if kind == UNREACHABLE:
            return self._unreachable(request, netloc, str(data), counted)
        if kind == ALLOW:
            return None
        parser = build_from_crawler(self._parserimpl, self.crawler, data)
        await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed,
                                                        robotparser=parser, request=request)
        return parser

    def _unreachable(self, request, netloc: str, reason: str, counted: bool = True) -> Unreachable:
        if counted:
            logger.warning("%s: %s: site not crawled (%s)", netloc, reason, RFC)
            self._stats.inc_value("nianbao/robots/unreachable")
            site_stats = SiteStats.of(self.crawler)
            site = request.meta.get(M.SITE) or netloc
            site_stats.inc(site, "robots_unreachable")
            site_stats.note(site, f"{reason}: site not crawled")
        return Unreachable(f"{reason}: site not crawled ({RFC})")
