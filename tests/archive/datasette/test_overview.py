"""Coverage and timeliness, one agency over time, feeds and the division map."""
from __future__ import annotations

import asyncio
import sqlite3
from urllib.parse import quote

import pytest

from nianbao.archive import coverage
from nianbao.archive.datasette.serve import build_datasette
from nianbao.archive.store import Archive
from tests.support import publish as sample

AGENCY = "北京市海淀区人民政府"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """The publish samples plus the same agency's 2020 report and a late 2023 one."""
    path = tmp_path_factory.mktemp("overview") / "archive.db"
    sample.build(path)
    with Archive(path) as ar:
        run = ar.start_run(["www.beijing.gov.cn"], {})
        for year, published in ((2020, "2021-03-30"), (2023, "2024-04-15")):
            s = sample.Sample(f"http://www.beijing.gov.cn/gongkai/t{year}_9.html", "www.beijing.gov.cn",
                              f"北京市海淀区{year}年政府信息公开工作年度报告", AGENCY, year,
                              f"一、总体情况\n海淀区{year}年主动公开政府信息{year - 1000}条。")
            doc = sample.document(s, figures_ok=True)
            doc.published = published
            ar.store_page(run, sample.page(s, s.text, sample.FETCHED), doc)
        ar.finish_run(run, {})
    return path


@pytest.fixture(scope="module")
def ds(db_path):
    return build_datasette([db_path])


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_deadlines_by_article_49():
    assert coverage.deadline("北京市海淀区人民政府", 2022) == "2023-03-31"
    assert coverage.deadline("北京市海淀区教育委员会", 2022) == "2023-01-31"


def test_coverage_view_finds_the_gap_and_the_late_report(db_path):
    rows = sqlite3.connect(db_path).execute(
        "SELECT year, status FROM report_coverage WHERE agency = ? ORDER BY year", (AGENCY,)).fetchall()
    assert rows == [(2020, "on time"), (2021, "missing"), (2022, "on time"), (2023, "late")]


def test_coverage_page(ds):
    html = get(ds, "/-/nianbao/coverage?agency=" + quote("海淀")).text
    assert AGENCY in html and "1 missing 缺失" in html and "1 late 逾期" in html
    assert 'title="missing: due by 2022-03-31"' in html
    assert get(ds, "/-/nianbao/coverage?show=gaps&region=" + quote("北京市")).status_code == 200


def test_agency_page_figures_by_year_and_two_years_compared(ds):
    html = get(ds, "/-/nianbao/agency?name=" + quote(AGENCY) + "&a=2020&b=2022").text
    assert "no report for 缺失年度: 2021" in html
    assert html.count('class="nianbao-chart"') == 2
    assert "一、本年新收政府信息公开申请数量 · requests_new" in html
    assert "<h3>Figures 数据: 2020 → 2022</h3>" in html and "+0" in html
    assert "line(s) removed" in html


def test_feeds_and_map(ds):
    feed = get(ds, "/archive/feed_new.atom")
    assert feed.status_code == 200 and "<feed" in feed.text and AGENCY in feed.text
    changed = get(ds, "/archive/feed_changed.atom").text
    assert "(v2)" in changed
    assert "No report has been removed" in get(ds, "/archive/feed_removed.atom").text
    rows = get(ds, "/archive/reports_map.json?_shape=objects").json()["rows"]
    haidian = next(r for r in rows if r["county"] == "海淀区")
    assert haidian["adcode"] == "110108" and 39 < haidian["latitude"] < 41


def test_figures_as_xlsx_for_a_filter_and_not_for_texts(ds):
    r = get(ds, "/archive/report_figures.xlsx?year=2022")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert get(ds, "/archive/reports.xlsx").status_code == 404


def test_search_is_ranked_with_a_sort_back_to_date(ds):
    ranked = get(ds, "/archive/reports.json?_shape=objects&_search=" + quote("海淀")).json()["rows"]
    assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked) and ranked[0]["rank"] == 1
    by_date = get(ds, "/archive/reports.json?_shape=objects&_sort_desc=published&_search=" + quote("海淀")).json()
    published = [r["published"] for r in by_date["rows"]]
    assert published == sorted(published, reverse=True)
    home = get(ds, "/").text
    assert 'action="/archive/reports"' in home and 'name="_search"' in home


def test_agency_page_of_an_agency_with_more_documents_than_sqlite_variables(tmp_path):
    """One query parameter for the agency, not one a report: more reports than the SQLite
    variable limit of every connection (100) gave 'too many SQL variables' (found by
    bench/search.py at 1,000,000 reports)."""
    path = tmp_path / "many.db"
    sample.build(path)
    many = "测试县人民政府"
    with Archive(path) as ar:
        run = ar.start_run(["www.test.gov.cn"], {})
        for i in range(130):
            year = 2010 + i % 14
            s = sample.Sample(f"http://www.test.gov.cn/art/{i}.html", "www.test.gov.cn",
                              f"测试县{year}年政府信息公开工作年度报告", many, year,
                              f"一、总体情况\n测试县{year}年主动公开政府信息{i}条。")
            ar.store_page(run, sample.page(s, s.text, sample.FETCHED), sample.document(s, figures_ok=True))
        ar.finish_run(run, {})
    r = get(build_datasette([path]), "/-/nianbao/agency?name=" + quote(many))
    assert r.status_code == 200, r.text[:500]
    assert "2023" in r.text and "2010" in r.text
