"""Workers retire after NIANBAO_WORKER_MAX_REQUESTS requests and a fresh process image takes
each one's place (its memory bounded by the budget): the crawl goes on through every
hand-over, the writer does not end it in the gap, and the archive equals a one-process crawl."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
import redis

from nianbao.crawler.distributed.writer import ArchiveWriter
from nianbao.crawler.portals import portals_from_urls
from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, archive_state, query, run_crawl

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, redis-server


def _browsers() -> set[int]:
    """Pids of the Chromium processes now running."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"chrom" in cmd.split(b"\0")[0]:
                found.add(int(entry.name))
    return found


def test_recycled_workers_finish_the_crawl_with_the_archive_of_one_process(redis_url, tmp_path):
    db, stats = tmp_path / "recycled.db", tmp_path / "stats.json"
    browsers_before = _browsers()
    with SamplePortals(port=0, latency=0.05) as portals:
        proc = run_crawl(*portals.start_urls, "--db", str(db), "--redis", redis_url,
                         "--redis-prefix", "recycle", "--workers", "2", "--concurrency", "1",
                         "--stats-json", str(stats), "--set", "NIANBAO_WORKER_MAX_REQUESTS=20",
                         *FAST, timeout=600, log=tmp_path / "crawl.log")
        assert proc.returncode == 0, proc.stderr[-4000:]
        reference = tmp_path / "reference.db"
        done = run_crawl(*portals.start_urls, "--db", str(reference), "--concurrency", "1", *FAST,
                         timeout=600)
        assert done.returncode == 0, done.stderr[-4000:]

    log = json.loads(query(db, "SELECT stats FROM runs")[0][0])
    dist = log["distributed"]
    # each retirement is a fresh image of the same process: two processes throughout
    retired = proc.stderr.count("retired (request budget spent)")
    assert dist["recycled"] >= 2 and retired == dist["recycled"]
    assert len(dist["per_worker"]) == 2 + dist["recycled"]
    assert json.loads(stats.read_text())["worker_exit_codes"] == [0, 0]
    assert all(w["taken"] <= 20 for w in dist["per_worker"].values()), dist["per_worker"]
    assert log["finish_reason"] == "finished"
    assert log["scrapy"]["nianbao/redis/parked_handed_over"] == log["scrapy"]["nianbao/redis/parked_adopted"]
    assert archive_state(db) == archive_state(reference)
    assert not list(redis.Redis.from_url(redis_url).scan_iter("recycle:*"))
    # every retired image closed its browser before it made way for the next
    deadline = time.monotonic() + 30
    while (left := _browsers() - browsers_before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"Chromium processes left behind: {sorted(left)}"


def test_the_writer_counts_a_retired_worker_live_until_its_successor_joins(redis_url, tmp_path):
    writer = ArchiveWriter(redis_url, "gap", str(tmp_path / "gap.db"))
    writer.prepare(portals_from_urls(["http://a.gov.test/"]), {})
    server = writer.server
    server.set("gap:workers_started", 1)
    server.rpush("gap:worker_stats", json.dumps({"worker": "w", "reason": "recycled", "stats": {}, "sites": {}}))
    server.set("gap:handover:w", "1", ex=60)          # w retired, its successor is starting
    result: dict = {}
    drain = threading.Thread(target=lambda: result.update(writer.drain(poll=0.05)))
    drain.start()
    try:
        time.sleep(1.0)
        assert drain.is_alive() and not result, "the writer ended the crawl in the hand-over gap"
        server.rpush("gap:worker_stats", json.dumps({"worker": "w~1", "reason": "finished",
                                                     "stats": {}, "sites": {}}))
        server.delete("gap:handover:w")                # the successor joined and finished
        drain.join(30)
        assert not drain.is_alive()
    finally:
        server.delete("gap:handover:w")
        drain.join(30)
    assert result["reason"] == "finished"
    assert result["distributed"]["recycled"] == 1 and result["distributed"]["workers"] == 2
