"""The real web around the pages, crawled end to end: redirecting home pages (301, meta
refresh, script), one site under several names, a PDF on a CDN, gzip, a POST list API, a
sitemap-only column, a TRS pager defined in the page, the Taiwan phrasing of 信息公开.
a JavaScript challenge a browser passes, and a site that refuses every visitor for a while.
One crawl of every real-web sample portal (demo/portals/realweb.py) is shared."""
from __future__ import annotations

import sqlite3
import threading
from urllib.parse import urlsplit

import pytest

from nianbao import exits
from nianbao.demo.portals.realweb import RealWebPortal
from nianbao.demo.server import SamplePortals
from nianbao.launch import crawl

pytestmark = pytest.mark.slow


class HostLog:
    """Every request a portal answered: (portal, host, method, path)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, str, str, str]] = []

    def __call__(self, portal, req):
        with self.lock:
            self.rows.append((portal.name, (req.headers.get("host") or "").rsplit(":", 1)[0],
                              req.method, req.path))
        return None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    log = HostLog()
    db = tmp_path_factory.mktemp("realweb") / "archive.db"
    with SamplePortals(port=0, fault=log) as portals:
        realweb = [p for p in portals.portals if isinstance(p, RealWebPortal)]
        stats = crawl([p.start_url for p in realweb], db, log_level="WARNING")
        gold = [g for g in portals.gold_reports() if g.family == "real-web"]
        conn = sqlite3.connect(db)
        yield {"portals": portals, "realweb": realweb, "stats": stats, "gold": gold, "conn": conn,
               "log": log}
        conn.close()


CASES = ["redirect301", "hostalias", "metarefresh", "jsredirect", "jsreplace", "gzip", "filehost",
         "postlist", "sitemap", "trspager", "twzixun", "jschallenge", "badbytes", "blocked"]


@pytest.mark.parametrize("name", CASES)
def test_every_report_is_found(world, name):
    gold = {g.url: g for g in world["gold"] if g.portal == name}
    assert gold
    rows = {r[0]: r for r in world["conn"].execute("SELECT url, title, year FROM reports")}
    for url, g in gold.items():
        assert url in rows, f"{name}: {url} not in reports"
        assert rows[url][1] == g.title and rows[url][2] == g.year


def test_a_report_reached_through_two_host_names_is_one_document_with_both_urls(world):
    p = world["portals"].portal("hostalias")
    g = next(g for g in world["gold"] if g.portal == "hostalias" and g.aliases)
    conn = world["conn"]
    (doc_id,) = conn.execute("SELECT document_id FROM document_urls WHERE url = ?", (g.url,)).fetchone()
    urls = {u for (u,) in conn.execute("SELECT url FROM document_urls WHERE document_id = ?", (doc_id,))}
    assert {g.url, g.aliases[0]} <= urls
    assert conn.execute("SELECT count(*) FROM documents WHERE url LIKE ?",
                        (f"%{g.url.split('/xxgk/', 1)[1]}",)).fetchone()[0] == 1
    # the archive records the URL asked and the one that answered
    assert conn.execute("SELECT count(*) FROM captures WHERE url = ? AND final_url = ?",
                        (g.aliases[0], g.url)).fetchone()[0] == 1
    # one site under three names: one row of statistics, the one it was started as
    assert p.start_url.split("//")[1].rstrip("/") in world["stats"]["sites"]


def test_the_pdf_on_a_file_host_is_fetched_and_the_file_host_not_explored(world):
    g = next(g for g in world["gold"] if g.portal == "filehost")
    cdn = urlsplit(g.attachment_url).hostname
    row = world["conn"].execute("SELECT status, error FROM captures WHERE url = ?", (g.attachment_url,)).fetchone()
    assert row == (200, None)
    on_cdn = sorted({path for portal, host, _, path in world["log"].rows if host == cdn})
    assert on_cdn == sorted({"/robots.txt", urlsplit(g.attachment_url).path})


def test_compressed_pages_are_no_failures(world):
    site = world["portals"].portal("gzip").base_url.split("//")[1]
    row = world["stats"]["sites"][site]
    assert row["failed"] == 0 and row["reports"] == 1


def test_post_list_api_was_asked_by_post_for_every_page(world):
    posts = [(m, path) for portal, _, m, path in world["log"].rows if portal == "postlist" and path.startswith("/api/")]
    assert posts and {m for m, _ in posts} == {"POST"}
    assert len(posts) == 2                            # 3 reports, 2 a page


def test_nothing_outside_the_crawl_was_asked(world):
    sites = {p.name for p in world["realweb"]}
    assert {portal for portal, _, _, _ in world["log"].rows} <= sites
    assert world["stats"]["totals"]["failed"] == 0


def test_a_javascript_challenge_is_rendered_once_and_its_cookie_opens_the_rest(world):
    p = world["portals"].portal("jschallenge")
    row = world["stats"]["sites"][p.base_url.split("//")[1]]
    assert row["reports"] == 1 and row["refused"] == 0
    assert row["rendered"] == 1                       # the challenge, once; then plain HTTP with its cookie
    assert p._challenges == 2                         # the plain request and the browser's first load


# -- a site that refuses: blocked, never removed ----------------------------------------------
def _crawl(portals, db, name, expect_exit=0):
    return crawl([portals.portal(name).start_url], db, log_level="WARNING", expect_exit=expect_exit)


@pytest.mark.parametrize("how", ["403", "412"])
def test_three_blocked_runs_remove_nothing_and_a_normal_run_clears_the_block(tmp_path, how):
    db = tmp_path / "archive.db"
    with SamplePortals(port=0) as portals:
        first = _crawl(portals, db, "blocked")
        assert first["totals"]["reports"] == 2
        portals.block("blocked", how)
        for _ in range(3):
            run = _crawl(portals, db, "blocked", expect_exit=exits.NOTHING_ANSWERED)
            assert run["blocked_sites"] == [portals.portal("blocked").base_url.split("//")[1]]
            assert "BLOCKED in this run" in run["log"] and "none of its reports counts as removed" in run["log"]
            assert run["archive"]["archive"]["removed"] == 0
        if how == "412":       # the challenge was given the browser once a run, never in a loop
            assert "the JavaScript challenge did not yield content" in run["log"]
            assert run["totals"]["rendered"] == 1
        portals.block("blocked", None)
        again = _crawl(portals, db, "blocked")
        assert again["blocked_sites"] == [] and again["totals"]["reports"] == 2
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*), sum(removed) FROM reports").fetchone() == (2, 0)
        assert conn.execute("SELECT sum(failures) FROM documents").fetchone() == (0,)
        assert [s for (s,) in conn.execute("SELECT state FROM run_sites ORDER BY run_id")] == \
            ["ok", "blocked", "blocked", "blocked", "ok"]
        assert conn.execute("SELECT count(*) FROM events WHERE kind = 'removed'").fetchone() == (0,)
    finally:
        conn.close()


def test_a_recrawl_of_a_site_behind_a_challenge_answers_its_known_report_304(tmp_path):
    """On a recrawl the site's challenge is met again and passed in the browser once; its
    known report is then asked plainly with the clearance and conditionally: 304, not
    fetched in full. (When the report's own request meets the challenge first, it is asked
    again plainly after the render: RenderOnDemandMiddleware._finish_render.)"""
    db = tmp_path / "archive.db"
    with SamplePortals(port=0) as portals:
        p = portals.portal("jschallenge")
        crawl([p.start_url], db, log_level="WARNING")
        (report,) = [g.url for g in p.gold(portals.state)]
        again = crawl([p.start_url], db, log_level="WARNING", concurrency=1)
    assert again["totals"]["rendered"] == 1
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT status, not_modified, body_sha256 FROM captures "
                            "WHERE run_id = 2 AND url = ?", (report,)).fetchall()
    finally:
        conn.close()
    assert rows == [(304, 1, None)]
