"""Keep a crawl inside its sites, and make each site (host:port) its own politeness slot.

Scrapy keys download slots by host name, so two portals on one host but different ports
would share one slot and its concurrency; a "site" here is host:port, and every request
goes to the slot of its site. Requests that leave the crawl's sites (redirects included)
are dropped, and every request that reaches the downloader is counted per site.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from nianbao.archive.urls import site_of
from nianbao.crawler.extensions.sitestats import SiteStats

logger = logging.getLogger(__name__)


class SiteScopeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _sites(self) -> set[str] | None:
        spider = self.crawler.spider
        return getattr(spider, "sites", None)

    def process_request(self, request, spider=None):
        site = site_of(request.url)
        sites = self._sites()
        if sites is not None and site not in sites and not request.meta.get("nianbao_offsite_ok"):
            self.stats.inc_value("nianbao/offsite_dropped")
            logger.debug("dropped off-site request %s", request.url)
            raise IgnoreRequest(f"off-site: {site} is not one of the crawl's sites")
        request.meta["download_slot"] = site
        return None

    def _reached(self, request, spider=None):
        """Every request the downloader sees: pages, robots.txt, retries, renders."""
        site = site_of(request.url)
        sites = SiteStats.of(self.crawler)
        sites.inc(site, "requests")
        if request.meta.get("playwright"):
            sites.inc(site, "renders")
        if request.url.endswith("/robots.txt"):
            sites.inc(site, "robots_txt")
