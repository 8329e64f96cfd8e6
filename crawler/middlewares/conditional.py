"""Incremental recrawls: ask servers "has it changed?" instead of downloading it again, and
leave known report pages alone between their scheduled revisits.

* Report pages and attachments the archive already holds are requested with
  If-None-Match / If-Modified-Since from their last good capture (asked of the crawl's
  history, `crawler.extensions.history`: the archive, or its copy in Redis for a
  distributed worker); an unchanged page answers 304 with no body and is stored as a
  `not_modified` capture (the document is seen alive, no new blob, no new version).
  Pages whose last capture needed the browser are fetched in full, validators removed:
  an app shell's validators say nothing about the content its scripts load. Browser
  requests never carry validators.
* List, section and home pages are always fetched in full: they are where new reports
  appear, so they are revisited on every crawl (the registry's `schedule.lists`).
* Sites crawled in "lists only" mode (`NIANBAO_LISTS_ONLY_SITES`, set by `nianbao crawl
  --due` when a portal's lists are due but its reports are not) do not fetch known report
  pages at all: they are revisited on the slower `schedule.reports` interval.

Settings: NIANBAO_CONDITIONAL (default True), NIANBAO_CONDITIONAL_KINDS (request kinds
that get validators, default report and attachment), NIANBAO_LISTS_ONLY_SITES.
Stats: nianbao/conditional/sent, nianbao/conditional/not_modified, nianbao/incremental/not_due.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest, NotConfigured

from nianbao.archive.urls import canonical_url, site_of
from nianbao.crawler.extensions.history import CrawlHistoryExtension

logger = logging.getLogger(__name__)

_CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class NotDue(IgnoreRequest):
    """A known report page on a site whose reports are not due for a revisit."""


class ConditionalRequestMiddleware:
    def __init__(self, crawler, history=None):
        s = crawler.settings
        if not s.getbool("NIANBAO_CONDITIONAL", True) and not s.getlist("NIANBAO_LISTS_ONLY_SITES"):
            raise NotConfigured("conditional requests are off")
        self.crawler = crawler
        self.stats = crawler.stats
        self.conditional = s.getbool("NIANBAO_CONDITIONAL", True)
        self.kinds = set(s.getlist("NIANBAO_CONDITIONAL_KINDS", ["report", "attachment"]))
        self.lists_only = {x.lower() for x in s.getlist("NIANBAO_LISTS_ONLY_SITES", [])}
        self._history = history
        self._known_reports: set[str] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def history(self):
        """What earlier crawls archived: the crawl's CrawlHistoryExtension (or the source a
        unit test gives)."""
        if self._history is None:
            self._history = CrawlHistoryExtension.of(self.crawler)
        return self._history

    def known_reports(self) -> set[str]:
        if self._known_reports is None:
            self._known_reports = self.history.known_reports(sorted(self.lists_only)) if self.lists_only else set()
        return self._known_reports

    def process_request(self, request, spider=None):
        meta = request.meta
        if meta.get("playwright"):
            for h in _CONDITIONAL_HEADERS:       # a render must see the page, never a 304
                request.headers.pop(h, None)
            return None
        if request.method != "GET" or meta.get("nianbao_kind") not in self.kinds:
            return None
        url = canonical_url(request.url)
        if self.lists_only and site_of(request.url) in self.lists_only and url in self.known_reports():
            self.stats.inc_value("nianbao/incremental/not_due")
            raise NotDue(f"not due: {url} is archived and its site's reports are revisited on their own schedule")
        if not self.conditional:
            return None
        known = self.history.last(url, request.url)
        if known is None or known.rendered:
            # never captured, or the last capture needed the browser: the shell's validators
            # say nothing about the content its scripts load, so ask in full
            return None
        headers = known.headers()
        if headers:
            for k, v in headers.items():
                request.headers[k] = v
            meta["nianbao_conditional"] = True
            self.stats.inc_value("nianbao/conditional/sent")
        return None

    def process_response(self, request, response, spider=None):
        if response.status == 304 and request.meta.get("nianbao_conditional"):
            self.stats.inc_value("nianbao/conditional/not_modified")
        return response
