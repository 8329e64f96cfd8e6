"""Resumable crawls: a crawl killed (SIGKILL, or SIGTERM) mid-way and resumed with --resume ends with
the same archive as an uninterrupted crawl, without fetching again what it had stored;
the journal survives the kill and is removed once the crawl has finished."""
from __future__ import annotations

import signal
import time

import pytest

from nianbao.crawler.frontier import journal_state
from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, archive_state, query, run_crawl, start_crawl


@pytest.fixture(scope="module")
def portals():
    with SamplePortals(port=0) as p:
        yield p


@pytest.fixture(scope="module")
def whole(portals, tmp_path_factory):
    """The archive of an uninterrupted crawl."""
    db = tmp_path_factory.mktemp("whole") / "whole.db"
    proc = run_crawl(*portals.start_urls, "--db", str(db), *FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return db


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.slow
def test_killed_then_resumed_gives_the_uninterrupted_archive(portals, whole, tmp_path, sig):
    db, jobdir = tmp_path / "resumed.db", tmp_path / "resumed.job"
    crawl = start_crawl(*portals.start_urls, "--db", str(db), "--resume", "--jobdir", str(jobdir), *FAST,
                        log=tmp_path / "killed.log")
    deadline = time.monotonic() + 120
    while True:                                     # kill it once it has stored something
        state = journal_state(jobdir)
        if state and state["done"] >= 12 and query(db, "SELECT count(*) FROM captures")[0][0] >= 3:
            break
        assert crawl.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    crawl.send_signal(sig)
    crawl.wait(60)
    killed = journal_state(jobdir)
    assert killed["queued"] + killed["in_flight"] > 0
    stored_before = {u for (u,) in query(db, "SELECT url FROM captures")}
    assert stored_before, "nothing was stored before the kill"
    if sig == signal.SIGKILL:        # no chance to close anything: the journal says "running"
        assert killed["status"] == "running" and query(db, "SELECT status FROM runs") == [("running",)]
    else:                            # a graceful stop: journal and run say why they stopped
        assert killed["status"] == "stopped: shutdown"
        assert query(db, "SELECT status FROM runs") == [("shutdown",)]

    proc = run_crawl(*portals.start_urls, "--db", str(db), "--resume", "--jobdir", str(jobdir), *FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming the crawl journaled in" in proc.stderr
    assert not jobdir.exists(), "a finished crawl leaves no journal"

    assert archive_state(db) == archive_state(whole)
    # what the killed crawl stored is not fetched again; only requests that were in flight
    # at the kill (their results never reached the archive) may be fetched twice
    refetched = {u for (u,) in query(db, "SELECT url FROM captures WHERE run_id = 2")} & stored_before
    assert len(refetched) <= killed["in_flight"], refetched
    first = "interrupted" if sig == signal.SIGKILL else "shutdown"
    assert query(db, "SELECT id, status FROM runs ORDER BY id") == [(1, first), (2, "finished")]


@pytest.mark.slow
def test_resume_without_a_journal_starts_a_normal_crawl(portals, tmp_path):
    db, jobdir = tmp_path / "a.db", tmp_path / "a.job"
    proc = run_crawl(portals.portal("trs").base_url + "/", "--db", str(db), "--resume",
                     "--jobdir", str(jobdir), *FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming" not in proc.stderr and not jobdir.exists()
    assert query(db, "SELECT count(*) FROM reports")[0][0] == len(
        [g for g in portals.gold_reports() if g.portal == "trs" and not g.robots_disallowed])


@pytest.mark.slow
def test_jobdir_without_resume_is_refused(portals, tmp_path):
    proc = run_crawl(portals.start_urls[0], "--db", str(tmp_path / "x.db"), "--jobdir", str(tmp_path / "j"))
    assert proc.returncode == 2 and "--jobdir only matters with --resume" in proc.stderr


# -- the journal itself, without a crawl --------------------------------------------------------
def _scheduler(jobdir):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from nianbao.crawler.frontier import JournalScheduler

    crawler = get_crawler(Spider, {"JOBDIR": str(jobdir)})
    crawler.stats.open_spider()
    sched = JournalScheduler.from_crawler(crawler)
    sched.open(Spider("s"))
    return sched


def test_a_redirect_of_a_request_in_flight_at_a_kill_is_followed_again_on_resume(tmp_path):
    from scrapy import Request

    from nianbao.crawler.frontier import FID

    first = _scheduler(tmp_path)
    assert first.enqueue_request(Request("http://hongqiao.gov.test/r.html"))
    req = first.next_request()                              # in flight ...
    redirect = req.replace(url="http://www.hongqiao.gov.test/r.html")
    assert redirect.meta[FID] == req.meta[FID]
    assert first.enqueue_request(redirect)                  # ... its 301 followed, then the kill
    first.conn.close()                                      # (no close(): the process died)

    resumed = _scheduler(tmp_path)
    again = resumed.next_request()
    assert again.url == "http://hongqiao.gov.test/r.html" and again.meta[FID] == req.meta[FID]
    assert resumed.enqueue_request(again.replace(url="http://www.hongqiao.gov.test/r.html"))
    # another request's link to the same page is still a duplicate
    assert not resumed.enqueue_request(Request("http://www.hongqiao.gov.test/r.html"))
    # and within one session, the same redirect again is a loop
    assert not resumed.enqueue_request(again.replace(url="http://www.hongqiao.gov.test/r.html"))
    resumed.close("finished")
