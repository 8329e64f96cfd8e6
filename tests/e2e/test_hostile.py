"""Hostile and broken input, crawled end to end by the real `nianbao crawl`: every capture
that failed says why, a report page with invalid UTF-8 runs is still found, and robots.txt
is read per RFC 9309. One crawl (module fixture) of the static portals with the fault mode's
page faults (an empty 200, a gzip bomb, a 100,000-character attachment URL, a truncated
body) and robots.txt faults (one of 50 MB, one answering 503), the `badbytes` real-web
portal, and a site whose port refuses connections."""
from __future__ import annotations

import json
import re
import threading

import pytest

from nianbao.archive.urls import site_of
from nianbao.demo.faults import FaultMode
from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, free_port, query, run_crawl

pytestmark = pytest.mark.slow

MB = 1024 * 1024
PAGE_FAULTS = ("empty", "gzip-bomb", "long-url", "truncated")
RFC = "site not crawled (RFC 9309)"


class Asked:
    """Every request a portal received, before the fault mode answers it."""

    def __init__(self, fault: FaultMode):
        self.fault = fault
        self.lock = threading.Lock()
        self.rows: list[tuple[str, str]] = []

    def __call__(self, portal, req):
        with self.lock:
            self.rows.append((portal.name, req.path))
        return self.fault(portal, req)

    def paths(self, name: str) -> list[str]:
        with self.lock:
            return [p for n, p in self.rows if n == name]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    fm = FaultMode([*PAGE_FAULTS, "robots-503", "robots-huge"])
    asked = Asked(fm)
    with SamplePortals(port=0, fault=asked) as portals:
        targets = {t.kind: t for t in fm.targets(portals)}
        names = sorted({t.portal for t in targets.values()}) + ["badbytes"]
        dead = f"127.0.0.1:{free_port()}"
        db = tmp / "hostile.db"
        proc = run_crawl(*[portals.portal(n).start_url for n in names], f"http://{dead}/", "--db", str(db),
                         *FAST, "--set", f"DOWNLOAD_MAXSIZE={8 * MB}", log=tmp / "crawl.log")
        gold = [g for g in portals.gold_reports() if g.portal in names]
        sites = {n: site_of(portals.portal(n).base_url) for n in names}
        robots_prefix = {n: portals.portal(n).robots_prefix for n in names}
    (run,) = query(db, "SELECT stats FROM runs")
    yield {"proc": proc, "db": db, "targets": targets, "names": names, "dead": dead, "gold": gold,
           "sites": sites, "asked": asked, "log": proc.stderr, "run": json.loads(run[0]),
           "robots_prefix": robots_prefix}


def _captures(world, url: str) -> list[tuple]:
    return query(world["db"], "SELECT status, error, outcome FROM captures WHERE url = ? OR canonical_url = ?",
                 (url, url))


def test_the_crawl_ends_normally_without_a_traceback(world):
    assert world["proc"].returncode == 0, world["log"][-3000:]
    assert "Traceback" not in world["log"]
    # no log line carries a 100,000-character URL
    assert max(len(line) for line in world["log"].splitlines()) < 5000


def test_every_failed_capture_says_why(world):
    unexplained = query(world["db"], "SELECT url, status FROM captures WHERE (status IS NULL OR status >= 400 "
                                     "OR outcome = 'failed') AND coalesce(error, '') = ''")
    assert unexplained == []
    assert query(world["db"], "SELECT count(*) FROM captures WHERE outcome = 'failed'")[0][0] >= 4


@pytest.mark.parametrize("kind,status,reason", [
    ("empty", 200, "EmptyBody: the server answered 200 with an empty body (0 bytes)"),
    ("gzip-bomb", None, f"DecompressedTooLarge: decompressed body over {8 * MB} bytes"),
    ("truncated", None, "TruncatedBody: the connection closed before the whole body arrived"),
])
def test_a_broken_answer_is_a_failed_capture_with_its_reason(world, kind, status, reason):
    rows = _captures(world, world["targets"][kind].url)
    assert rows, f"{kind}: no capture"
    assert all(r[0] == status and r[1].startswith(reason) and r[2] == "failed" for r in rows), rows


def test_a_link_with_a_100000_character_url_is_a_failed_capture_with_its_reason(world):
    page = world["targets"]["long-url"].url
    rows = query(world["db"], "SELECT url, status, error, kind FROM captures WHERE parent_url = ? "
                              "AND error LIKE 'UrlTooLong:%'", (page,))
    assert len(rows) == 1
    url, status, error, kind = rows[0]
    assert len(url) >= 100_000 and status is None and kind == "attachment"
    assert error == f"UrlTooLong: URL of {len(url)} characters, over the limit of 8192 (URLLENGTH_LIMIT): not requested"
    # the page holding the link is a report like any other
    assert query(world["db"], "SELECT count(*) FROM reports WHERE url = ?", (page,))[0][0] == 1


def test_a_report_page_with_invalid_utf8_runs_is_found(world):
    (g,) = [g for g in world["gold"] if g.portal == "badbytes"]
    assert query(world["db"], "SELECT title, year FROM reports WHERE url = ?", (g.url,)) == [(g.title, g.year)]


def test_every_other_report_is_found(world):
    failed = {world["targets"][k].url for k in ("empty", "gzip-bomb", "truncated")}
    expected = {g.url for g in world["gold"] if not g.robots_disallowed and g.portal != "pdf"} - failed
    found = {u for (u,) in query(world["db"], "SELECT url FROM reports")}
    assert expected <= found, sorted(expected - found)


def test_a_robots_txt_answering_503_keeps_the_crawl_off_the_site(world):
    assert world["targets"]["robots-503"].portal == "pdf"
    asked = world["asked"].paths("pdf")
    assert asked and set(asked) == {"/robots.txt"}             # retried with backoff, nothing else
    site = world["sites"]["pdf"]
    assert f"{site}: robots.txt answered 503: {RFC}" in world["log"]
    row = world["run"]["sites"][site]
    assert row["robots_unreachable"] == 1 and row["fetched"] == 0 and row["robots_blocked"] >= 1
    assert query(world["db"], "SELECT count(*) FROM captures c JOIN sites s ON s.id = c.site_id "
                              "WHERE s.host = ?", (site,))[0][0] == 0


def test_an_unreachable_robots_txt_keeps_the_crawl_off_the_site_in_one_line(world):
    dead = world["dead"]
    lines = [ln for ln in world["log"].splitlines() if "robots.txt unreachable" in ln]
    assert len(lines) == 1
    assert re.search(rf"{re.escape(dead)}: robots.txt unreachable \(\w+: .*Connection refused.*\): "
                     rf"{re.escape(RFC)}$", lines[0]), lines[0]
    row = world["run"]["sites"][dead]
    assert row["robots_unreachable"] == 1 and row["fetched"] == 0


def test_a_50_mb_robots_txt_is_read_to_its_cap_with_its_rules_kept(world):
    t = world["targets"]["robots-huge"]
    site = world["sites"][t.portal]
    assert f"robots.txt of {site} is longer than {500 * 1024} bytes: read up to there (RFC 9309)" in world["log"]
    asked = world["asked"].paths(t.portal)
    assert asked.count("/robots.txt") == 1 and len(asked) > 3
    prefix = world["robots_prefix"][t.portal]
    assert prefix and not [p for p in asked if p.startswith(prefix)]      # its real rules hold
    # the crawl's memory stays near a normal crawl's (~150 MB); reading it whole took ~800 MB
    assert world["run"]["ops"]["nianbao/progress/peak_rss_mb"] < 400
