"""End to end: crawl the sample portals twice (first and second state), then search and diff
the archive through Datasette, checked against the portals' gold reports."""
from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest

from nianbao.archive.datasette.serve import build_datasette

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from nianbao.launch import crawl
    from nianbao.demo.server import SamplePortals

    db = tmp_path_factory.mktemp("publish-demo") / "archive.db"
    with SamplePortals(port=0) as portals:
        first = {g.url: g for g in portals.gold_reports()}
        crawl(portals.start_urls, db)
        portals.set_state("second")
        second = {g.url: g for g in portals.gold_reports()}
        crawl(portals.start_urls, db)
    # What each report's current text is: the second state's, or the first's when removed.
    gold = {**first, **second}
    edited = [u for u in first if u in second and first[u].text != second[u].text]
    return db, gold, edited


def _get(ds, path):
    return asyncio.run(ds.client.get(path))


def _search(ds, query):
    urls, path = set(), f"/archive/reports.json?_shape=objects&_size=100&_search={quote(query)}"
    r = _get(ds, path)
    assert r.status_code == 200, r.text
    for row in r.json()["rows"]:
        urls.add(row["url"])
    return urls


def test_search_finds_exactly_the_gold_reports_containing_the_query(crawled):
    db, gold, _ = crawled
    ds = build_datasette([db])
    # A crawl obeys robots.txt; a scanned PDF's report is still found by its title.
    searchable = {u: g for u, g in gold.items() if not g.robots_disallowed}

    def expected(word):
        return {u for u, g in searchable.items() if word in g.title + "\n" + g.text + "\n" + g.agency}

    for query, word in (("公开", "公开"), ("复议", "复议"), ("公開", "公开"), ("復議", "复议")):
        want = expected(word)
        assert want, f"the sample portals have no report with {word}"
        assert _search(ds, query) == want, query


def test_diff_page_of_the_edited_sample_report_shows_the_change(crawled):
    db, gold, edited = crawled
    assert len(edited) == 1
    url = edited[0]
    ds = build_datasette([db])
    r = _get(ds, "/-/nianbao/diff?url=" + quote(url))
    assert r.status_code == 200
    assert "<ins>全年</ins>" in r.text and "<ins>6次</ins>" in r.text
    assert "1</strong> line(s) removed, <strong>1</strong> added" in r.text
