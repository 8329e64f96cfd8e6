"""Keep a crawl inside its sites, let redirects take it where its sites really live, and
make each site its own politeness slot.

A site is known by several names (`archive.urls.SiteNames`, kept by the spider): every
host of its registrable domain, and the hosts its home page redirects to. Every request
goes to the download slot of its site, so two names of one server share one slot (Scrapy
keys slots by host name). A request that leaves the crawl's sites is dropped, except:

* a redirect of a site's home page: the site lives there now (`x.gov.cn` to a new
  domain, http to https on another port); that host becomes another name of the site, and
  the site's URLs are written in that form from then on;
* a redirect of any other request of the site (a report moved to another domain), and a
  file linked from a report page (`nianbao_offsite_ok`, a PDF on a CDN): fetched, but no
  link on them is followed; their politeness slot is their own host's.

Every request that reaches the downloader is counted per site.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from nianbao.archive.urls import SiteNames, site_of
from nianbao.crawler import meta as M
from nianbao.crawler.extensions.sitestats import SiteStats

logger = logging.getLogger(__name__)

HOME = "home"


class SiteScopeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self._plain = SiteNames()
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _sites(self) -> set[str] | None:
        return getattr(self.crawler.spider, "sites", None)

    def _names(self) -> SiteNames:
        return getattr(self.crawler.spider, "names", None) or self._plain

    def process_request(self, request, spider=None):
        names, sites, meta = self._names(), self._sites(), request.meta
        chain = meta.get("redirect_urls")
        if chain:
            origin = names.site_of(chain[0])
            if sites is None or origin in sites:
                if meta.get(M.KIND) == HOME:
                    if names.learn(origin, request.url):
                        logger.info("site %s lives at %s now (its home page redirects there)",
                                    origin, site_of(request.url))
                    names.prefer(origin, request.url)
                elif names.site_of(request.url) != origin:
                    meta[M.OFFSITE_OK] = True
        site = names.site_of(request.url)
        if sites is not None and site not in sites:
            if meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
                meta["download_slot"] = site_of(request.url)      # a file host's robots.txt
                return None
            if not meta.get(M.OFFSITE_OK):
                self.stats.inc_value("nianbao/offsite_dropped")
                logger.debug("dropped off-site request %s", request.url)
                raise IgnoreRequest(f"off-site: {site} is not one of the crawl's sites")
            meta["download_slot"] = site_of(request.url)
            return None
        meta["download_slot"] = site
        return None

    def _reached(self, request, spider=None):
        """Every request the downloader sees: pages, robots.txt, retries, renders."""
        site = request.meta.get(M.SITE) or self._names().site_of(request.url)
        sites = SiteStats.of(self.crawler)
        sites.inc(site, "requests")
        if request.meta.get("playwright"):
            sites.inc(site, "renders")
        if request.url.endswith("/robots.txt"):
            sites.inc(site, "robots_txt")
