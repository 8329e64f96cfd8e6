"""Refusals: answers that say "not you", never "gone" — and sites that only refuse.

Every answer is judged by `extract.refusal` (a firewall block page, a captcha, a
JavaScript challenge the browser could not pass, 401/403/407/412/451/521). A refused
request carries the reason in `meta["nianbao_refused"]`; the spider stores it as the
capture's error, and the archive never counts it toward the document's removal.

A site whose answers in this crawl are refusals only — NIANBAO_BLOCKED_AFTER of them in a
row before any real answer, or one JavaScript challenge that did not yield content in the
browser — is *blocked* for the rest of the crawl: its other requests are not sent (they
fail as `IgnoreRequest: site blocked`, counted as `blocked`), so a refusing server is not
hammered with every known report of its site. The archive records the site as blocked for
the run, with the evidence (`archive/blocking.py`), and nothing of it counts as removed.
"""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field

from scrapy.exceptions import IgnoreRequest

from nianbao.crawler import meta as M
from nianbao.crawler.extensions.sitestats import SiteStats
from nianbao.extract.refusal import Refusal, refusal

logger = logging.getLogger(__name__)

BLOCKED = "site blocked"

# answers judged already: the render middleware asks about a response before this one does
_JUDGED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def judged(response) -> Refusal | None:
    """`extract.refusal` of an answer (its status, body and content type), worked out once
    per response: judging means parsing the page."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    memo = _JUDGED.get(response)
    if memo is not None and memo[0] is response.body and memo[1:3] == (response.status, ctype):
        return memo[3]
    found = refusal(response.status, response.body, {"content-type": ctype})
    _JUDGED[response] = (response.body, response.status, ctype, found)
    return found


@dataclass
class _Site:
    answered: bool = False            # some answer of this crawl was not a refusal
    in_a_row: int = 0                 # refusals since the last real answer
    blocked: str | None = None        # why the site is blocked
    reasons: dict[str, int] = field(default_factory=dict)


class RefusalMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.blocked_after = crawler.settings.getint("NIANBAO_BLOCKED_AFTER")
        self.sites: dict[str, _Site] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _site(self, request) -> str:
        names = getattr(self.crawler.spider, "names", None)
        return request.meta.get(M.SITE) or (names.site_of(request.url) if names else "")

    def blocked(self, site: str) -> str | None:
        st = self.sites.get(site)
        return st.blocked if st else None

    def process_request(self, request, spider=None):
        if request.meta.get(M.OFFSITE_OK) and request.meta.get(M.KIND) == "attachment":
            return None                   # a file host answers for itself
        why = self.blocked(self._site(request))
        if why:
            SiteStats.of(self.crawler).inc(self._site(request), "blocked")
            raise IgnoreRequest(f"{BLOCKED}: {why}")
        return None

    def process_response(self, request, response, spider=None):
        if not request.meta.get(M.KIND):
            return response                   # robots.txt and the like: no visitor's page
        site = self._site(request)
        st = self.sites.setdefault(site, _Site())
        found = judged(response)
        if found is None:
            if response.status < 500:       # the site speaks (content, 304, 404): not blocked
                st.answered, st.in_a_row = True, 0
                SiteStats.of(self.crawler).inc(site, "answered")
            return response
        request.meta[M.REFUSED] = found.reason
        SiteStats.of(self.crawler).inc(site, "refused")
        self.stats.inc_value("nianbao/refused")
        st.in_a_row += 1
        st.reasons[found.reason] = st.reasons.get(found.reason, 0) + 1
        if st.blocked is None and not st.answered:
            if request.meta.get(M.CHALLENGE_FAILED):
                self._block(site, st, f"{found.reason}; the browser did not pass it")
            elif st.in_a_row >= self.blocked_after:
                self._block(site, st, f"{st.in_a_row} refusals in a row ({found.reason})")
        return response

    def _block(self, site: str, st: _Site, why: str) -> None:
        st.blocked = why
        self.stats.inc_value("nianbao/blocked_sites")
        logger.warning("site %s is blocked: %s; its other requests are not sent in this crawl",
                       site, why)
