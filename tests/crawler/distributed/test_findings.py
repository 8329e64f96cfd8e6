"""Sites with reports, shared by the workers of a distributed crawl: a worker that saw none
of a site's report links does not explore it once another worker found its reports."""
from __future__ import annotations

import heapq

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.findings import SitesWithReports
from nianbao.crawler.spiders.reports import ReportSpider
from tests.support.crawler import project_crawler

SITE = "http://a.gov.test/"


def _worker(redis_url: str, prefix: str) -> ReportSpider:
    crawler = project_crawler(NIANBAO_REDIS_URL=redis_url, NIANBAO_REDIS_PREFIX=prefix)
    crawler.spider = ReportSpider.from_crawler(crawler, urls=SITE)
    return crawler.spider


def test_a_site_found_by_one_worker_is_not_explored_by_another(redis_url):
    finder, idler = _worker(redis_url, "found"), _worker(redis_url, "found")
    (site,) = idler.site_state
    st = idler.site_state[site]
    heapq.heappush(st.parked, (-10, 0, 0, {"url": SITE + "misc/index.html", "link": None}))
    finder._candidate(finder.site_state[site], SITE + "art/2023/report.html")
    idler._on_idle()                          # no DontCloseSpider: nothing scheduled
    assert st.explored == 0 and st.parked and not st.candidates
    assert idler.cluster.has(site) and finder.cluster.redis.smembers("found:found") == {site.encode()}
    assert "found:found" in keys.namespace(finder.cluster.redis, "found")


def test_a_local_crawl_shares_nothing():
    crawler = project_crawler()
    assert SitesWithReports.from_settings(crawler.settings) is None
