"""Exit codes that cron and systemd understand, each shown by the real `nianbao crawl`:
0 answered, 1 nothing answered (blocked), 2 bad input (with one line, no traceback),
74 archive full, 75 archive or journal busy, 130/143 interrupted (with how to resume)."""
from __future__ import annotations

import signal
import socket
import sqlite3
import threading
import time

import pytest

from nianbao import exits
from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, query, run_crawl, start_crawl


# -- the decision, from a crawl's result ---------------------------------------------------
def _result(**sites):
    return {"reason": "finished", "sites": sites, "site_reasons": {
        s: r.pop("why") for s, r in sites.items() if "why" in r}}


def test_outcomes():
    assert exits.crawl_outcome(_result(a={"answered": 3}, b={"answered": 0})) == (0, None)
    code, why = exits.crawl_outcome(_result(a={"answered": 0, "refused": 3, "why": "refused: HTTP 403, forbidden"}))
    assert code == 1 and "blocked" in why and "refused: HTTP 403" in why
    code, why = exits.crawl_outcome(_result(a={"answered": 0, "why": "DNSLookupError: no such host"}))
    assert code == 2 and "cannot reach" in why and "DNSLookupError" in why
    code, why = exits.crawl_outcome(_result(a={"answered": 0, "why": "HTTP 503"}))
    assert code == 1 and "no site answered" in why
    assert exits.crawl_outcome({"reason": "archive_full"})[0] == 74
    assert exits.crawl_outcome({"reason": "archive_busy"})[0] == 75
    code, why = exits.crawl_outcome({"reason": "shutdown", "signal": signal.SIGTERM}, "nianbao crawl X --resume")
    assert code == 143 and "SIGTERM" in why and "nianbao crawl X --resume" in why
    assert exits.crawl_outcome({"reason": "shutdown", "signal": signal.SIGINT})[0] == 130


# -- the real command ----------------------------------------------------------------------
def _one_line_error(proc, code: int, words: str):
    assert proc.returncode == code, proc.stderr[-2000:]
    lines = [l for l in proc.stderr.splitlines() if l.startswith("nianbao crawl:")]
    assert any(words in l for l in lines), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Deprecat" not in proc.stderr


@pytest.fixture(scope="module")
def portals():
    with SamplePortals(port=0, latency=0.05) as p:
        yield p


@pytest.mark.slow
@pytest.mark.parametrize("case", ["not sqlite", "foreign sqlite", "no such directory", "a directory"])
def test_a_db_that_is_not_an_archive_is_exit_2_in_one_line(tmp_path, case):
    db = tmp_path / "a.db"
    if case == "not sqlite":
        db.write_text("hello")
    elif case == "foreign sqlite":
        c = sqlite3.connect(db)
        c.execute("CREATE TABLE mine (x)")
        c.commit()
        c.close()
    elif case == "no such directory":
        db = tmp_path / "missing" / "a.db"
    else:
        db.mkdir()
    before = db.read_bytes() if db.is_file() else None
    proc = run_crawl("http://127.0.0.1:9/", "--db", str(db), *FAST, timeout=60)
    _one_line_error(proc, 2, {"not sqlite": "not a usable SQLite archive",
                              "foreign sqlite": "not a nianbao archive",
                              "no such directory": "does not exist",
                              "a directory": "is a directory"}[case])
    assert len(proc.stderr.splitlines()) == 1
    assert (db.read_bytes() if db.is_file() else None) == before      # nothing touched
    assert not (tmp_path / "missing").exists()


@pytest.mark.slow
def test_an_empty_file_becomes_an_archive(tmp_path, portals):
    db = tmp_path / "a.db"
    db.write_bytes(b"")
    proc = run_crawl(portals.portal("gzip").start_url, "--db", str(db), *FAST)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM reports")[0][0] == 1
    assert "Deprecat" not in proc.stderr


@pytest.mark.slow
def test_an_unreachable_start_url_is_exit_2_with_the_reason(tmp_path):
    with socket.socket() as closed:          # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/"
        proc = run_crawl(url, "--db", str(tmp_path / "a.db"), *FAST, "--set", "RETRY_TIMES=0", timeout=120)
    _one_line_error(proc, 2, "cannot reach the start URL(s)")
    assert "Connection" in proc.stderr.splitlines()[-1] and "refused" in proc.stderr.splitlines()[-1]
    assert "archive " in proc.stdout                        # the summary line, then the reason


@pytest.mark.slow
def test_a_blocked_site_is_exit_1_with_the_reason(tmp_path, portals):
    portals.block("blocked", "403")
    try:
        proc = run_crawl(portals.portal("blocked").start_url, "--db", str(tmp_path / "a.db"), *FAST)
    finally:
        portals.block("blocked", None)
    _one_line_error(proc, 1, "no site answered (blocked)")
    assert "refused: HTTP 403, firewall block page" in proc.stderr.splitlines()[-1]
    assert "blocked: " in proc.stdout


class Gate:
    """Holds every report page's answer until opened: a crawl that is surely still running."""

    def __init__(self):
        self.open = threading.Event()
        self.held = threading.Event()

    def __call__(self, portal, req):
        if "/t20" in req.path:
            self.held.set()
            self.open.wait(120)
        return None


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_crawl_saves_what_it_has_and_says_how_to_resume(tmp_path, sig, code):
    db, log = tmp_path / "a.db", tmp_path / "crawl.log"
    gate = Gate()
    with SamplePortals(port=0, fault=gate) as held:
        crawl = start_crawl(held.portal("trs").start_url, "--db", str(db), "--resume", *FAST, log=log)
        try:
            assert gate.held.wait(120), "the crawl never asked for a report"
            crawl.send_signal(sig)          # while a report is on its way: it is waited for
            time.sleep(0.5)
        finally:
            gate.open.set()
        assert crawl.wait(120) == code, log.read_text()[-3000:]
    out = log.read_text()
    assert f"interrupted by {signal.Signals(sig).name}" in out
    assert "continue it with: nianbao crawl" in out and "--resume" in out.splitlines()[-1]
    assert query(db, "SELECT status FROM runs") == [("shutdown",)]
    assert query(db, "SELECT count(*) FROM captures")[0][0] >= 1       # what was in flight is stored
    assert (tmp_path / "a.db.job" / "frontier.sqlite").exists()        # and the rest is journaled


@pytest.mark.slow
def test_a_second_resume_crawl_on_one_journal_is_refused_and_the_first_finishes(tmp_path):
    db, jobdir = tmp_path / "a.db", tmp_path / "a.db.job"
    gate = Gate()
    with SamplePortals(port=0, fault=gate) as held:
        url = held.portal("trs").start_url
        first = start_crawl(url, "--db", str(db), "--resume", *FAST, log=tmp_path / "1.log")
        try:
            assert gate.held.wait(120), "the first crawl never asked for a report"
            second = run_crawl(url, "--db", str(db), "--resume", *FAST, timeout=120)
        finally:
            gate.open.set()
        _one_line_error(second, 75, "is using the journal in")
        assert f"pid {first.pid}" in second.stderr
        assert first.wait(300) == 0, (tmp_path / "1.log").read_text()[-3000:]
    assert not jobdir.exists()
    assert query(db, "SELECT status FROM runs") == [("finished",)]


@pytest.mark.slow
def test_a_write_lock_held_by_another_process_is_exit_75(tmp_path, portals):
    db = tmp_path / "a.db"
    assert run_crawl(portals.portal("gzip").start_url, "--db", str(db), *FAST).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        proc = run_crawl(portals.portal("gzip").start_url, "--db", str(db), *FAST,
                         "--set", "NIANBAO_BUSY_TIMEOUT=1", timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _one_line_error(proc, 75, "another process holds the archive's write lock")
    assert query(db, "SELECT count(*) FROM runs")[0][0] == 1          # nothing was written


@pytest.mark.slow
def test_a_full_archive_stops_the_crawl_with_exit_74_and_keeps_what_it_stored(tmp_path, portals):
    db = tmp_path / "a.db"
    assert run_crawl(portals.portal("gzip").start_url, "--db", str(db), *FAST).returncode == 0
    size = db.stat().st_size + (tmp_path / "a.db-wal").stat().st_size if (tmp_path / "a.db-wal").exists() \
        else db.stat().st_size
    proc = run_crawl(*portals.start_urls, "--db", str(db), *FAST,
                     "--set", f"NIANBAO_DB_MAX_BYTES={size + 64 * 1024}", timeout=300)
    _one_line_error(proc, 74, "the archive could not grow")
    # every capture stored before the disk filled is there, and the archive is sound
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT count(*) FROM reports")[0][0] >= 1
    assert query(db, "SELECT status FROM runs ORDER BY id") == [("finished",), ("archive_full",)]
