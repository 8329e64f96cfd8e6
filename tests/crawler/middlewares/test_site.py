"""Site scope and per-site slots: host:port is the unit of scope, politeness and counting."""
import pytest
from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest

from nianbao.crawler.extensions.sitestats import SiteStats
from nianbao.crawler.middlewares.site import SiteScopeMiddleware
from tests.support.crawler import project_crawler


class TwoPortals(Spider):
    name = "two"
    sites = {"127.0.0.1:8100", "127.0.0.1:8101"}


def make():
    crawler = project_crawler(TwoPortals)
    return SiteScopeMiddleware.from_crawler(crawler), crawler


def test_each_site_gets_its_own_download_slot():
    mw, _ = make()
    a, b = Request("http://127.0.0.1:8100/a"), Request("http://127.0.0.1:8101/a")
    assert mw.process_request(a) is None and mw.process_request(b) is None
    # Scrapy would put both in one slot keyed "127.0.0.1"; per site they are two
    assert a.meta["download_slot"] == "127.0.0.1:8100"
    assert b.meta["download_slot"] == "127.0.0.1:8101"


def test_requests_leaving_the_sites_are_dropped():
    mw, crawler = make()
    for url in ("http://127.0.0.1:8102/", "http://www.gov.cn/", "http://127.0.0.1/"):
        with pytest.raises(IgnoreRequest, match="off-site"):
            mw.process_request(Request(url))
    assert crawler.stats.get_value("nianbao/offsite_dropped") == 3


def test_requests_reaching_the_downloader_are_counted_per_site():
    mw, crawler = make()
    for req in (Request("http://127.0.0.1:8100/robots.txt"), Request("http://127.0.0.1:8100/a"),
                Request("http://127.0.0.1:8100/a", meta={"playwright": True}),
                Request("http://127.0.0.1:8101/b")):
        crawler.signals.send_catch_log(signals.request_reached_downloader, request=req, spider=crawler.spider)
    sites = SiteStats.of(crawler)
    assert sites.get("127.0.0.1:8100", "requests") == 3
    assert sites.get("127.0.0.1:8100", "renders") == 1
    assert sites.get("127.0.0.1:8100", "robots_txt") == 1
    assert sites.get("127.0.0.1:8101", "requests") == 1
