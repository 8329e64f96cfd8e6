"""Render on demand: open a browser only for pages that are JavaScript loading shells.

Every page is fetched over plain HTTP first. When `extract.looks_like_shell` says the
answer is a shell (little visible text, "正在加载中"/"Loading" markers, an empty app root
with scripts, a JS challenge), the request is re-issued through scrapy-playwright with
Debian's Chromium. The browser waits until content shows (text grows past the shell and
the loading marker is gone, or the registry's `wait_for` selector appears) rather than
sleeping, records the JSON the page fetched by XHR (the spider reads list APIs from it),
and never fetches what robots.txt forbids or what lies outside the crawl's sites. Each
render gets its own short-lived browser context, closed with its page as soon as the
response is back, so memory stays flat; the number of contexts is the render limit.

A JavaScript challenge (a firewall's cookie-setting script, answered with 412/521 or 200) is
rendered once, as a visitor's browser runs it: when the page that follows is content, the
answer is that page and the site's clearance cookies go with its later plain requests;
when it is not, the response says so (`nianbao_challenge_failed`) and no other challenge
of that site is rendered in this crawl (crawler/middlewares/refusal.py blocks the site).

Modes (setting NIANBAO_RENDER, per request `meta["nianbao_render_mode"]`): auto | always | never.
Rendered responses carry `meta["nianbao_rendered"] = True` (Capture.rendered).
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from time import monotonic

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy import signals
from scrapy_playwright.page import PageMethod

from nianbao import extract
from nianbao.archive.urls import site_of
from nianbao.crawler import meta as M
from nianbao.crawler.middlewares.refusal import judged
from nianbao.extract.refusal import refusal

logger = logging.getLogger(__name__)

_HTML_TYPES = (b"text/html", b"application/xhtml")

# Visible text of the page, whitespace removed, and whether a loading marker is visible.
_TEXT_JS = """() => {
  const b = document.body;
  const t = b ? (b.innerText || '').replace(/\\s+/g, '') : '';
  return [t.length, /正在加载|加载中|Loading/i.test(t) && t.length < 600];
}"""
# True once visible text has grown past `prev` and no loading marker shows.
_GROWN_JS = """(prev) => {
  const b = document.body;
  if (!b) return false;
  const t = (b.innerText || '').replace(/\\s+/g, '');
  if (/正在加载|加载中|Loading/i.test(t) && t.length < 600) return false;
  return t.length > prev;
}"""
_XHR_JS = """() => performance.getEntriesByType('resource')
  .filter(e => e.initiatorType === 'xmlhttprequest' || e.initiatorType === 'fetch')
  .map(e => e.name)"""


class RenderOnDemandMiddleware:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = s.get("NIANBAO_RENDER", "auto")
        if self.mode not in ("auto", "always", "never"):
            raise ValueError(f"NIANBAO_RENDER must be auto, always or never, not {self.mode!r}")
        self.timeout = s.getfloat("NIANBAO_RENDER_TIMEOUT")
        self.challenge_timeout = s.getfloat("NIANBAO_CHALLENGE_TIMEOUT")
        self.blocked_types = set(s.getlist("NIANBAO_BLOCK_RESOURCES", ["image", "media", "font"]))
        self.user_agent = s.get("USER_AGENT")
        self.robots_ua = s.get("ROBOTSTXT_USER_AGENT") or self.user_agent
        self.obey_robots = s.getbool("ROBOTSTXT_OBEY")
        self._robots: dict[str, object] = {}
        self._ids = itertools.count(1)
        self._clearance: dict[str, dict[str, str]] = {}   # site -> cookies a passed challenge set
        self._challenge_failed: set[str] = set()
        self._pending: dict[str, asyncio.Future] = {}     # site -> outcome of its challenge render
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- robots.txt, as parsed by Scrapy's RobotsTxtMiddleware -----------------------------
    def _robots_parsed(self, robotparser, request, **kw):
        self._robots[site_of(request.url)] = robotparser

    def browser_may_fetch(self, url: str) -> bool:
        """Sub-requests of a rendered page obey the same robots.txt and site scope."""
        site = site_of(url)
        spider = self.crawler.spider
        sites = getattr(spider, "sites", None)
        names = getattr(spider, "names", None)
        if sites is not None and (names.site_of(url) if names is not None else site) not in sites:
            return False                       # (a site's other names are the site)
        if not self.obey_robots:
            return True
        rp = self._robots.get(site)
        return rp is None or rp.allowed(url, self.robots_ua)

    # -- decisions -------------------------------------------------------------------------
    def _mode(self, request) -> str:
        return request.meta.get("nianbao_render_mode") or self.mode

    @staticmethod
    def _is_html(response) -> bool:
        ctype = (response.headers.get(b"Content-Type") or b"").lower()
        if ctype:
            return ctype.startswith(_HTML_TYPES)
        return b"<html" in response.body[:4096].lower() or b"<!doctype html" in response.body[:512].lower()

    def process_request(self, request, spider=None):
        if request.meta.get("playwright"):
            return None
        cleared = self._clearance.get(site_of(request.url))
        if cleared and isinstance(request.cookies, dict):
            request.cookies = {**cleared, **request.cookies}   # CookiesMiddleware (700) sends them
        if self._mode(request) == "always" and request.method == "GET" \
                and not request.meta.get("dont_render") and not request.url.endswith("/robots.txt"):
            self._make_render(request, request.meta)
            self.stats.inc_value("nianbao/render/always")
        return None

    async def process_response(self, request, response, spider=None):
        meta = request.meta
        if meta.get("playwright"):
            return await self._finish_render(request, response)
        if request.method != "GET" or meta.get("dont_render"):
            return response
        # a request that is never rendered (a file, an API) still goes again with the site's
        # clearance once a challenge was passed (here, or by another worker of the crawl)
        challenge = await self._challenge(request, response, render=self._mode(request) != "never")
        if challenge is not None:
            return challenge
        if self._mode(request) != "auto" or response.status != 200 or not self._is_html(response):
            return response
        headers = {"content-type": (response.headers.get(b"Content-Type") or b"").decode("latin-1")}
        if not extract.looks_like_shell(response.body, headers):
            return response
        self.stats.inc_value("nianbao/render/shells")
        logger.debug("loading shell, rendering: %s", request.url)
        retry = request.replace(dont_filter=True)
        retry.meta["nianbao_shell_detected"] = True
        self._make_render(retry, retry.meta)
        return retry

    async def _challenge(self, request, response, render: bool = True):
        """The render of a JavaScript challenge, once per request and while none of the site's
        challenges has failed in the browser; None for any other answer. While one challenge
        of a site is in the browser, the site's other challenged requests wait for its
        outcome: then they go again with its cookies, or stay refused. `render` False: only
        go again with cookies known, never start a render."""
        if request.meta.get(M.CHALLENGE) or not request.meta.get(M.KIND) \
                or response.status not in (200, 403, 412, 521) or not self._is_html(response) \
                or site_of(request.url) in self._challenge_failed:
            return None                      # (robots.txt and the like are no visitor's pages)
        found = judged(response)
        if found is None or not found.may_yield_to_a_browser:
            return None
        site = site_of(request.url)
        pending = self._pending.get(site)
        if pending is not None:
            passed = await asyncio.shield(pending)
            if not passed:
                return None
            again = request.replace(dont_filter=True)       # with the clearance cookies now
            again.meta[M.CHALLENGE] = response.status
            return again
        if site not in self._clearance and site not in self._challenge_failed:
            outcome = self.shared_outcome(site)        # another worker's, in a distributed crawl
            if outcome is not None:
                self.stats.inc_value("nianbao/render/challenges_shared")
                if outcome is False:
                    self._challenge_failed.add(site)
                    return None
                self._clearance[site] = outcome
        if site in self._clearance:
            # the site's challenge was passed while this request was on its way without the
            # clearance: it goes again, plainly, with it (rendering it would fetch it in full)
            again = request.replace(dont_filter=True)
            again.meta[M.CHALLENGE] = response.status
            return again
        if not render:
            return None
        self._pending[site] = asyncio.get_running_loop().create_future()
        self.stats.inc_value("nianbao/render/challenges")
        logger.info("JavaScript challenge (HTTP %d), rendering it once: %s", response.status, request.url)
        again = request.replace(dont_filter=True)
        again.meta[M.CHALLENGE] = response.status
        again.meta[M.SHELL_DETECTED] = True          # the page needs a browser, as a shell does
        self._make_render(again, again.meta)
        return again

    async def _judge_challenge(self, request, response):
        """After a challenge's render: its content (status 200 from then on, cookies kept for
        the site), or a failure that stops the site's challenges for this crawl."""
        site = site_of(request.url)
        still = refusal(200, response.body, {"content-type": "text/html; charset=utf-8"})
        if still is not None:
            self._settle(site, False)
            self._challenge_failed.add(site)
            self.share_outcome(site, False)
            request.meta[M.CHALLENGE_FAILED] = True
            self.stats.inc_value("nianbao/render/challenges_failed")
            logger.warning("site %s: the JavaScript challenge did not yield content in the browser; "
                           "its challenges are not rendered again in this crawl", site)
            return response
        return await self._passed(request, response)

    async def _passed(self, request, response):
        """The browser got through a challenge: the page is the answer (status 200), and the
        cookies it was given open the site's plain requests after it."""
        site = site_of(request.url)
        page = request.meta.get("playwright_page")
        try:
            cookies = await page.context.cookies() if page is not None else []
        except PlaywrightError:
            cookies = []
        self._clearance[site] = {c["name"]: c["value"] for c in cookies if c.get("name")}
        self.share_outcome(site, self._clearance[site])
        self._settle(site, True)
        self.stats.inc_value("nianbao/render/challenges_passed")
        return response.replace(status=200)

    # -- a challenge's outcome beyond this process (crawler.distributed.challenges) ----------
    def shared_outcome(self, site: str) -> dict[str, str] | bool | None:
        """What another process learned of the site's challenge: its clearance cookies,
        False when it failed in the browser, None when nothing is known."""
        return None

    def share_outcome(self, site: str, outcome: dict[str, str] | bool) -> None:
        """Tell the other processes of the crawl (nothing to tell in a local crawl)."""

    def _settle(self, site: str, passed: bool) -> None:
        """The site's challenge has its outcome: the requests waiting for it go on."""
        pending = self._pending.pop(site, None)
        if pending is not None and not pending.done():
            pending.set_result(passed)

    async def process_exception(self, request, exception, spider=None):
        if request.meta.get("playwright"):
            self.stats.inc_value("nianbao/render/failed")
            if request.meta.get(M.CHALLENGE):
                self._settle(site_of(request.url), False)
            await self._close_page(request)
        return None

    # -- the browser side ------------------------------------------------------------------
    def _make_render(self, request, meta: dict) -> None:
        """Turn `request` into a browser request (meta is the request's own dict)."""
        meta["playwright"] = True
        meta["playwright_include_page"] = True
        meta["playwright_context"] = f"render-{next(self._ids)}"
        meta["playwright_context_kwargs"] = {
            "user_agent": self.user_agent, "locale": "zh-CN", "service_workers": "block",
            "ignore_https_errors": True,
        }
        meta["playwright_page_goto_kwargs"] = {"wait_until": "domcontentloaded"}
        meta["playwright_page_init_callback"] = self._init_page
        wait = min(self.timeout, self.challenge_timeout) if meta.get(M.CHALLENGE) else self.timeout
        meta["playwright_page_methods"] = [PageMethod(self._wait_for_content, meta.get("nianbao_render_wait_for"), wait)]

    async def _init_page(self, page, request) -> None:
        # A render holds one of its site's places (--concurrency; across a Redis crawl, one
        # lease): the page's own requests (document, styles, scripts, XHR) take turns, one
        # on the wire at a time, where a browser would send them to the site at once.
        turn = asyncio.Lock()
        on_wire: set = set()

        def finished(req):
            if req in on_wire:
                on_wire.discard(req)
                turn.release()
        page.on("requestfinished", finished)
        page.on("requestfailed", finished)

        async def route(route, req):
            if req.resource_type in self.blocked_types:
                await route.abort()
                return
            if not self.browser_may_fetch(req.url):
                self.stats.inc_value("nianbao/render/subrequests_blocked")
                await route.abort()
                return
            await turn.acquire()
            on_wire.add(req)
            try:
                await route.fallback()
            except Exception:
                finished(req)
                raise
        await page.route("**/*", route)

    async def _wait_for_content(self, page, selector: str | None, timeout: float) -> dict:
        """Wait until the page shows content: selector, or text grown past the shell.

        Returns what the spider needs to know (kept by scrapy-playwright as the
        PageMethod's result): whether content showed, and the XHR/fetch URLs the page used.
        """
        out: dict = {}
        deadline = monotonic() + timeout
        waited_ok = False
        start_len = None
        reloads = 0
        while not waited_ok and monotonic() < deadline:
            remaining = deadline - monotonic()
            try:
                if selector:
                    await page.wait_for_selector(selector, timeout=remaining * 1000)
                    waited_ok = True
                    break
                # measure before reading the DOM: content that lands in between is then
                # seen by the DOM check instead of raising the growth target
                n, marker = await page.evaluate(_TEXT_JS)
                if not extract.looks_like_shell(await page.content()):
                    waited_ok = True
                    break
                if start_len is None:
                    start_len = n
                elif n >= start_len + 100 and not marker:
                    waited_ok = True          # visible text grew although the DOM keeps shell traces
                    break
                await page.wait_for_function(_GROWN_JS, arg=n, polling="raf",
                                             timeout=max(1.0, (deadline - monotonic()) * 1000))
            except PlaywrightTimeoutError:
                break
            except PlaywrightError as exc:
                # a JS challenge reloads the page (cookie set): wait for the new document
                logger.debug("render of %s: %s; waiting for the next document", page.url, exc)
                reloads += 1
                if reloads > 3:
                    break
                start_len = None
                try:
                    await page.wait_for_load_state("domcontentloaded",
                                                   timeout=max(1.0, (deadline - monotonic()) * 1000))
                except PlaywrightError:
                    break
        if not waited_ok:
            logger.info("render of %s: content did not show in %.0fs", page.url, timeout)
            self.stats.inc_value("nianbao/render/timeouts")
            out["nianbao_render_timed_out"] = True
        try:
            out["nianbao_xhr_urls"] = list(dict.fromkeys(await page.evaluate(_XHR_JS)))
        except Exception:
            out["nianbao_xhr_urls"] = []
        return out

    async def _finish_render(self, request, response):
        meta = request.meta
        meta["nianbao_rendered"] = True
        for pm in meta.get("playwright_page_methods") or ():
            if isinstance(getattr(pm, "result", None), dict):
                meta.update(pm.result)
        self.stats.inc_value("nianbao/render/rendered")
        if meta.get(M.CHALLENGE):
            response = await self._judge_challenge(request, response)
            if response.status == 200 and _conditional(request):
                # a recrawl's request passed the challenge: asked again plainly with the
                # clearance, it is answered 304 like the site's other known pages, not in full
                await self._close_page(request)
                return _plain(request)
        elif response.status in (403, 412, 521) and \
                refusal(200, response.body, {"content-type": "text/html; charset=utf-8"}) is None:
            response = await self._passed(request, response)   # (--render always: no plain answer first)
        await self._close_page(request)
        return response

    async def _close_page(self, request) -> None:
        """Close the render's page and its context: nothing of it outlives the response."""
        page = request.meta.pop("playwright_page", None)
        if page is None:
            return
        try:
            context = page.context
            await page.close()
            await context.close()
        except Exception as exc:  # already closed with the browser: nothing to free
            logger.debug("closing render page: %s", exc)


def _conditional(request) -> bool:
    """The request had validators (a render asks without them: crawler/middlewares/conditional.py)."""
    return bool(request.meta.get("nianbao_conditional"))


def _plain(request):
    """The request again without the browser (its challenge meta kept: no second challenge)."""
    again = request.replace(dont_filter=True)
    for key in [k for k in again.meta if k.startswith("playwright")]:
        del again.meta[key]
    for key in (M.SHELL_DETECTED, "nianbao_rendered", "nianbao_xhr_urls"):
        again.meta.pop(key, None)
    return again
