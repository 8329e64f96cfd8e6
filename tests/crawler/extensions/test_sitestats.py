"""Per-site counters: written by every component through one object, read back as rows."""
from nianbao.crawler.extensions.sitestats import COLUMNS, STATS_KEY, SiteStats, format_table, totals
from tests.support.crawler import project_crawler


def test_counts_rows_totals_and_the_published_stats_value():
    crawler = project_crawler()
    sites = SiteStats.of(crawler)
    sites.inc("a.gov.cn", "fetched", 3)
    sites.inc("a.gov.cn", "reports")
    sites.add_rows({"b.gov.cn:8080": {"fetched": 2, "explored": 1}})
    rows = sites.rows(["c.gov.cn"])
    assert set(rows) == {"a.gov.cn", "b.gov.cn:8080", "c.gov.cn"}
    assert all(set(COLUMNS) <= set(r) for r in rows.values())
    assert rows["b.gov.cn:8080"]["explored"] == 1 and rows["c.gov.cn"]["fetched"] == 0
    assert totals(rows, ("explored",)) == {**{c: 0 for c in COLUMNS}, "fetched": 5, "reports": 1, "explored": 1}
    sites.publish()
    assert crawler.stats.get_value(STATS_KEY)["a.gov.cn"] == {"fetched": 3, "reports": 1}


def test_table_has_one_line_per_site_and_totals():
    lines = format_table({"a.gov.cn": {"fetched": 3, "reports": 1}, "b.gov.cn:8080": {"fetched": 2}}).splitlines()
    assert lines[0].split()[:4] == ["site", "pages", "rendered", "reports"]
    assert lines[1].split()[:4] == ["a.gov.cn", "3", "0", "1"]
    assert lines[3].split()[:4] == ["total", "5", "0", "1"]


def test_a_site_keeps_the_first_reason_it_was_not_crawled():
    sites = SiteStats()
    sites.note("a.gov.cn", "robots.txt answered 503: site not crawled")
    sites.note("a.gov.cn", "a later reason")
    assert sites.reasons() == {"a.gov.cn": "robots.txt answered 503: site not crawled"}
