"""No lost work: a worker SIGKILLed in the middle of a distributed crawl leaves its leased
requests in Redis; when their leases expire the other worker fetches them, and the archive
ends equal to a crawl that was never interrupted."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import redis

from nianbao.demo.server import SamplePortals
from tests.support import ROOT
from tests.support.ops import FAST, archive_state, query, run_crawl, start_crawl

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, redis-server


def _wait(what: str, cond, proc: subprocess.Popen, deadline: float = 180):
    end = time.monotonic() + deadline
    while not (got := cond()):
        assert proc.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < end, f"no {what} within {deadline:.0f} s"
        time.sleep(0.05)
    return got


def _dead(pid: int) -> bool:
    """Gone, or a zombie its parent (the writer) has not reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _captures(db) -> int:
    try:
        return query(db, "SELECT count(*) FROM captures")[0][0]
    except Exception:                    # not created yet
        return 0


def test_a_sigkilled_workers_requests_are_fetched_by_the_other(redis_url, tmp_path):
    server = redis.Redis.from_url(redis_url, decode_responses=True)
    db = tmp_path / "killed.db"

    def leaseholder():
        """(worker id, pid) of a worker holding leases, once the writer stored some pages."""
        if _captures(db) < 5:
            return None
        for token in server.zrange("kill:leases", 0, -1):
            wid = token.rsplit(":", 1)[0]
            alive = server.get(f"kill:alive:{wid}")
            if alive:
                return wid, json.loads(alive)["pid"]
        return None

    with SamplePortals(port=0, latency=0.3, sites=14) as portals:
        proc = start_crawl(*portals.start_urls, "--db", str(db), "--redis", redis_url,
                           "--redis-prefix", "kill", "--workers", "2", "--concurrency", "1",
                           "--set", "NIANBAO_REDIS_LEASE_TTL=4", *FAST, log=tmp_path / "crawl.log")
        try:
            wid, pid = _wait("a worker holding leases mid-crawl", leaseholder, proc)
            os.kill(pid, signal.SIGKILL)
            _wait("the killed worker gone", lambda: _dead(pid), proc, 60)
            orphans = [t for t in server.zrange("kill:leases", 0, -1) if t.startswith(wid + ":")]
            assert proc.wait(600) == 0, (tmp_path / "crawl.log").read_text()[-4000:]
        finally:
            if proc.poll() is None:
                proc.kill()
        reference = tmp_path / "reference.db"
        done = run_crawl(*portals.start_urls, "--db", str(reference), "--concurrency", "1", *FAST,
                         timeout=600)
        assert done.returncode == 0, done.stderr[-4000:]

    log = json.loads(query(db, "SELECT stats FROM runs")[0][0])
    assert orphans, "the killed worker held no lease"
    assert log["scrapy"].get("nianbao/redis/requeued", 0) >= len(orphans)
    assert log["finish_reason"] == "finished" and len(log["distributed"]["per_worker"]) == 1
    assert archive_state(db) == archive_state(reference)
    check = subprocess.run([sys.executable, "-m", "nianbao", "check", "--db", str(db)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not list(server.scan_iter("kill:*"))
