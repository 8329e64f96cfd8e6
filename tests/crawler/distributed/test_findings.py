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


def test_a_retiring_worker_hands_its_parked_links_to_one_idle_worker(redis_url):
    """A worker that spent its request budget is idle because it takes nothing more, not
    because the crawl's better links are done: it explores nothing and hands its parked
    links over; the next idle worker adopts them (and the count already explored), once."""
    retiring, heir, late = (_worker(redis_url, "handover") for _ in range(3))
    (site,) = retiring.site_state
    st = retiring.site_state[site]
    st.explored = 2
    for i, prio in enumerate((10, 30, 20)):
        heapq.heappush(st.parked, (-prio, 1, i, {"url": f"{SITE}misc/{prio}.html", "link": None}))
    retiring._on_worker_idle()                # idle, but not retiring: nothing happens
    assert len(st.parked) == 3
    retiring._on_retiring()
    retiring._on_worker_idle()                # no DontCloseSpider, nothing scheduled
    assert st.parked == [] and st.explored == 2
    assert "handover:parked:" + site in keys.namespace(retiring.handed.redis, "handover")

    heir.site_state[site].explored = 1
    heapq.heappush(heir.site_state[site].parked, (-25, 0, 0, {"url": SITE + "own.html", "link": None}))
    heir._adopt_parked()
    late._adopt_parked()
    adopted = heir.site_state[site]
    assert adopted.explored == 3
    assert [heapq.heappop(adopted.parked)[3]["url"] for _ in range(4)] == [
        SITE + "misc/30.html", SITE + "own.html", SITE + "misc/20.html", SITE + "misc/10.html"]
    assert late.site_state[site].parked == [] and late.site_state[site].explored == 0
    assert not [k for k in keys.namespace(heir.handed.redis, "handover")
                if k.startswith("handover:parked") and heir.handed.redis.exists(k)]


def test_a_sites_request_ceiling_holds_for_all_workers_together(redis_url):
    """NIANBAO_MAX_PAGES_PER_SITE counts the requests of every worker (and of every retired
    one), not each process's own: three workers share one ceiling of 5."""
    def worker():
        crawler = project_crawler(NIANBAO_REDIS_URL=redis_url, NIANBAO_REDIS_PREFIX="ceiling",
                                  NIANBAO_MAX_PAGES_PER_SITE=5)
        crawler.spider = ReportSpider.from_crawler(crawler, urls=SITE)
        return crawler.spider

    made = []
    for n, spider in zip((3, 3, 3), (worker(), worker(), worker())):
        made.append(sum(spider._request(f"{SITE}list/{len(made)}-{i}.html", kind="list", priority=0)
                        is not None for i in range(n)))
    assert made == [3, 2, 0]
