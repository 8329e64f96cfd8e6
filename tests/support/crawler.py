"""Scrapy components without a crawl, configured as a crawl configures them.

`project_crawler()` is Scrapy's `get_crawler` with the project's settings
(crawler/settings.py, where every default lives) under the test's own, so a component
built from it reads the same defaults a real crawl gives it, and the project's extensions
(`CrawlHistoryExtension`, `SiteStats`) are there for it to find.
"""
from __future__ import annotations

from scrapy import Spider
from scrapy.utils.test import get_crawler

from nianbao.crawler import settings as project_settings


def project_settings_dict(**extra) -> dict:
    """The project's settings, minus the reactor: get_crawler picks the one installed."""
    out = {k: getattr(project_settings, k) for k in dir(project_settings)
           if k.isupper() and k != "TWISTED_REACTOR"}
    out.update(extra)
    return out


class AnySpider(Spider):
    name = "test"


def project_crawler(spidercls: type[Spider] = AnySpider, spider: Spider | None = None, **settings):
    """A configured Crawler (extensions created); `spider` (default: a new `spidercls`)
    is attached as the crawl's spider."""
    crawler = get_crawler(spidercls, project_settings_dict(**settings))
    crawler.spider = spider if spider is not None else spidercls()
    return crawler
