"""Blocked is not removed: a site that only refuses (or does not answer) a run is recorded
as such with its evidence, and none of its documents moves toward removal."""
from __future__ import annotations

import json

import pytest

from nianbao.archive.store import Archive
from nianbao.demo.portals.realweb import WAF_PAGE
from tests.support.archive import BASE, SITE, page, report_doc

R1, R2 = "/r/1.html", "/r/2.html"
REFUSED = "refused: HTTP 403, firewall block page"


@pytest.fixture
def ar(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def _crawled(ar):
    run = ar.start_run([BASE], {})
    for path in (R1, R2):
        ar.store_page(run, page(path, f"<html>{path}</html>"), report_doc(BASE + path))
    ar.finish_run(run, {})


def _refused_run(ar, answered_elsewhere: int = 0):
    run = ar.start_run([BASE], {})
    for path in (R1, R2):
        ar.store_page(run, page(path, WAF_PAGE.format(id=1), 403, error=REFUSED), None)
    stats = {"sites": {SITE: {"answered": answered_elsewhere}}}
    return run, ar.finish_run(run, stats)


def _site_row(ar, run):
    row = ar.conn.execute("SELECT state, captures, answered, refused, failed, evidence FROM run_sites "
                          "WHERE run_id = ?", (run,)).fetchone()
    return row[:5], json.loads(row[5])


def test_three_refused_runs_remove_nothing_and_say_blocked_with_evidence(ar):
    _crawled(ar)
    for _ in range(3):
        run, log = _refused_run(ar)
        assert log["archive"]["removed"] == 0
        assert log["archive"]["sites_not_answering"][SITE]["state"] == "blocked"
    assert ar.conn.execute("SELECT sum(removed), sum(failures) FROM documents").fetchone() == (0, 0)
    assert [r[0] for r in ar.conn.execute("SELECT outcome FROM captures WHERE status = 403")] == ["refused"] * 6
    counts, evidence = _site_row(ar, run)
    assert counts == ("blocked", 2, 0, 2, 0)
    assert evidence["statuses"] == {"403": 2}
    sample = evidence["refusal"]
    assert sample["reason"] == REFUSED and sample["url"] == BASE + R1
    # the evidence names a body the archive holds: the firewall's page, readable
    assert "网站防火墙" in ar.blob(sample["body_sha256"]).decode("utf-8")
    # a later normal run clears it
    _crawled(ar)
    assert ar.conn.execute("SELECT state FROM run_sites ORDER BY run_id DESC LIMIT 1").fetchone() == ("ok",)


def test_refusals_of_a_site_that_answers_otherwise_do_not_count_as_failures(ar):
    _crawled(ar)
    for _ in range(4):
        run, log = _refused_run(ar, answered_elsewhere=3)     # its home and lists answered
        assert _site_row(ar, run)[0][0] == "ok"
    assert ar.conn.execute("SELECT sum(removed), sum(failures) FROM documents").fetchone() == (0, 0)


def test_a_site_that_does_not_answer_at_all_is_down_and_nothing_is_removed(ar):
    _crawled(ar)
    for _ in range(3):
        run = ar.start_run([BASE], {"removal_after": 1})
        for path in (R1, R2):
            ar.store_page(run, page(path, b"", None, error="ConnectionRefusedError: refused"), None)
        log = ar.finish_run(run, {})
        assert log["archive"]["not_judged_site_silent"] == 2
    counts, evidence = _site_row(ar, run)
    assert counts == ("down", 2, 0, 0, 2) and evidence["errors"] == {"ConnectionRefusedError": 2}
    assert ar.conn.execute("SELECT sum(removed) FROM documents").fetchone() == (0,)


def test_a_firewall_page_served_with_200_never_becomes_a_version(ar):
    _crawled(ar)
    run = ar.start_run([BASE], {})
    res = ar.store_page(run, page(R1, WAF_PAGE.format(id=2), 200, error="refused: HTTP 200, firewall block page"),
                        report_doc(BASE + R1, text="您的访问被拦截"))
    ar.finish_run(run, {})
    assert not res.new_version
    assert ar.conn.execute("SELECT versions FROM reports WHERE url = ?", (BASE + R1,)).fetchone() == (1,)
