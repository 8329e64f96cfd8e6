"""End to end: `crawler.run.crawl` over every sample portal into a real archive.

One crawl of all portals (module fixture) is shared by the assertions: every family's
reports found, robots.txt obeyed (checked in the portals' own request log), traps and
"页面不存在" pages not stored as reports, the big5 mirror deduplicated, the PDF-only
report archived with its attachment, shells rendered by Chromium and static pages not,
news archives not walked, statistics per site in the crawl log.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import threading

import pytest

from nianbao.archive.urls import site_of
from nianbao.launch import crawl
from nianbao.demo.server import SamplePortals

pytestmark = [pytest.mark.slow, pytest.mark.browser]


class RequestLog:
    """Every request each portal received (the demo's fault hook, answering nothing)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, str, str]] = []
        self.agents: set[str] = set()

    def __call__(self, portal, req):
        with self.lock:
            self.rows.append((portal.name, req.method, req.path))
            self.agents.add(req.headers.get("user-agent", ""))
        return None

    def paths(self, name: str) -> list[str]:
        with self.lock:
            return [p for n, _, p in self.rows if n == name]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    log = RequestLog()
    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    with SamplePortals(port=0, fault=log) as portals:
        # OCR is not under test here (tests/e2e/test_ocr_crawl.py): the picture reports
        # are stored as needing it, which keeps this crawl fast
        stats = crawl(portals.start_urls, db, log_level="WARNING", settings={"NIANBAO_OCR": False})
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        yield {"portals": portals, "stats": stats, "db": db, "conn": conn, "log": log}
        conn.close()


def _families(world):
    return [p.name for p in world["portals"].portals]


FAMILIES = ["trs", "hanweb", "spa", "ssi", "big5", "tw", "pdf"]


def _captured(conn, site: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT c.canonical_url FROM captures c JOIN sites s ON s.id = c.site_id "
        "WHERE c.status = 200 AND c.kind = 'page'")
        if site_of(r[0]) == site}


def test_every_family_is_crawled(world):
    # the CMS families; the real-web portals have their own tests (test_real_web.py); the
    # picture-report family ("image") is crawled here without OCR; with OCR it is
    # tests/e2e/test_ocr_crawl.py's
    assert sorted(f for f in _families(world) if world["portals"].portal(f).family != "real-web") \
        == sorted(FAMILIES + ["image"])


@pytest.mark.parametrize("family", FAMILIES)
def test_reports_found_equal_the_gold_robots_allows(world, family):
    portals, conn = world["portals"], world["conn"]
    portal = portals.portal(family)
    gold = [g for g in portals.gold_reports() if g.portal == family]
    allowed = {g.url for g in gold if not g.robots_disallowed}
    assert allowed, "the family has reports robots.txt allows"
    captured = _captured(conn, site_of(portal.base_url))
    assert allowed <= captured, f"not fetched: {sorted(allowed - captured)}"
    # every report candidate the crawler stored is a gold report: no trap, no list page
    candidates = {u for u in captured if u not in (portal.base_url + "/",)}
    assert candidates <= allowed, f"stored as report candidates but not reports: {sorted(candidates - allowed)}"


@pytest.mark.parametrize("family", FAMILIES)
def test_reports_view_lists_the_family_reports(world, family):
    portals, conn = world["portals"], world["conn"]
    gold = {g.url for g in portals.gold_reports() if g.portal == family and not g.robots_disallowed}
    site = site_of(portals.portal(family).base_url)
    listed = {r[0] for r in conn.execute("SELECT url FROM reports WHERE site = ?", (site,))}
    assert listed == gold


@pytest.mark.parametrize("family", FAMILIES)
def test_robots_txt_is_obeyed_and_read_first(world, family):
    portal = world["portals"].portal(family)
    paths = world["log"].paths(family)
    assert paths and paths[0] == "/robots.txt"
    assert portal.robots_prefix, "the sample portal disallows an area"
    bad = [p for p in paths if p.startswith(portal.robots_prefix) or p.startswith("/search/")
           or ("/gate/big5/" in p and portal.robots_prefix in p)]
    assert bad == []
    disallowed = [g.url for g in world["portals"].gold_reports()
                  if g.portal == family and g.robots_disallowed]
    assert disallowed
    row = world["stats"]["sites"][site_of(portal.base_url)]
    assert row["robots_blocked"] >= len(disallowed)


def test_every_request_says_who_we_are(world):
    # plain fetches and the browser's page loads, scripts and XHR alike
    agents = world["log"].agents
    assert agents and all(a.startswith("nianbao/") and "+http" in a for a in agents), agents


def test_traps_and_not_found_pages_are_not_reports(world):
    traps = set(world["portals"].traps())
    assert traps
    listed = {r[0] for r in world["conn"].execute("SELECT url FROM reports")}
    assert not (traps & listed)


@pytest.mark.parametrize("family", FAMILIES)
def test_news_archive_is_not_walked(world, family):
    portal = world["portals"].portal(family)
    news = {a.path for a in portal.by_path.values() if a.kind == "news"}
    paths = set(world["log"].paths(family))
    assert len(news) >= 30
    assert not (news & paths), f"news articles fetched: {sorted(news & paths)[:5]}"
    assert len(paths) < 40, f"{len(paths)} requests for {family}"


def test_big5_gateway_and_native_urls_are_one_document(world):
    portals, conn = world["portals"], world["conn"]
    gold = [g for g in portals.gold_reports()
            if g.portal == "big5" and g.aliases and not g.robots_disallowed]
    assert gold, "the big5 portal links a report through its gateway"
    for g in gold:
        rows = conn.execute("SELECT url FROM reports WHERE url = ?", (g.url,)).fetchall()
        assert len(rows) == 1
        for alias in g.aliases:
            assert not conn.execute("SELECT 1 FROM reports WHERE url = ?", (alias,)).fetchone()
    # the gateway mirror was never walked: the same pages are fetched natively once
    assert not [p for p in world["log"].paths("big5") if p.startswith("/gate/big5/")]


def test_pdf_only_report_is_archived_with_its_attachment(world):
    portals, conn = world["portals"], world["conn"]
    gold = [g for g in portals.gold_reports() if g.attachment_url and not g.robots_disallowed]
    assert gold
    for g in gold:
        att = conn.execute("SELECT kind, parent_url, status FROM captures WHERE canonical_url = ?",
                           (g.attachment_url,)).fetchall()
        assert att and att[0][0] == "attachment" and att[0][1] == g.url and att[0][2] == 200
        text = conn.execute("SELECT text FROM reports WHERE url = ?", (g.url,)).fetchone()
        assert text is not None
        if g.no_text_layer:
            continue                      # a scanned PDF: archived, nothing to read
        # the report's text is the attachment's: its body, not just the pointer page
        body_lines = [ln for ln in g.text.splitlines() if len(ln) > 30]
        assert body_lines and body_lines[len(body_lines) // 2] in text[0]
    assert any(not g.no_text_layer for g in gold)


def test_shells_are_rendered_and_static_pages_are_not(world):
    portals, conn, stats = world["portals"], world["conn"], world["stats"]
    spa = site_of(portals.portal("spa").base_url)
    for name in FAMILIES:
        site = site_of(portals.portal(name).base_url)
        rows = conn.execute("SELECT c.url, c.rendered FROM captures c JOIN sites s ON s.id = c.site_id "
                            "WHERE c.status = 200").fetchall()
        mine = [r for r in rows if site_of(r[0]) == site]
        assert mine
        if site == spa:
            assert all(r[1] == 1 for r in mine), "every SPA page is a shell, stored rendered"
            assert stats["sites"][site]["rendered"] >= 3
            # one render per shell page: never a second browser visit of the same page
            assert stats["sites"][site]["renders"] == stats["sites"][site]["shells"]
        else:
            assert all(r[1] == 0 for r in mine), f"{name} was rendered"
            assert stats["sites"][site].get("renders", 0) == 0
    # renders have their own limit: never more browser pages open than the render concurrency
    assert 1 <= stats["totals"]["render_max_concurrent"] <= 2


def test_statistics_per_site_reach_the_crawl_log(world):
    stats, conn = world["stats"], world["conn"]
    assert set(stats["sites"]) == {site_of(u) for u in world["portals"].start_urls}
    for site, row in stats["sites"].items():
        for col in ("fetched", "reports", "new", "requests"):
            assert row.get(col, 0) > 0, (site, col)
        assert row["new"] == row["reports"]
    run = conn.execute("SELECT status, stats FROM runs WHERE id = ?", (stats["run_id"],)).fetchone()
    assert run[0] == "finished"
    logged = json.loads(run[1])
    assert logged["sites"] == stats["sites"]
    # the one-line-per-site table is printed at the end of the crawl
    for site in stats["sites"]:
        assert site in stats["log"]


def test_a_second_crawl_sees_the_edit_the_addition_and_the_removal(world, tmp_path):
    portals = world["portals"]
    db = tmp_path / "second.db"
    shutil.copy(world["db"], db)
    first_gold = {g.url for g in portals.gold_reports() if not g.robots_disallowed}
    portals.set_state("second")
    try:
        second_gold = {g.url for g in portals.gold_reports() if not g.robots_disallowed}
        # OCR is not under test here (tests/e2e/test_ocr_crawl.py): the picture reports
        # are stored as needing it, which keeps this crawl fast
        stats = crawl(portals.start_urls, db, log_level="WARNING", settings={"NIANBAO_OCR": False})
    finally:
        portals.set_state("first")
    t = stats["totals"]
    added = second_gold - first_gold
    assert added and t["new"] == len(added)
    assert t["changed"] >= 1
    conn = sqlite3.connect(db)
    removed = {r[0] for r in conn.execute("SELECT url FROM reports WHERE removed = 1")}
    conn.close()
    assert removed == first_gold - second_gold
