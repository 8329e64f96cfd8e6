"""A distributed crawl through a real redis-server: workers fetch, items reach the archive
through one writer, two workers produce the same archive as one (and as a local crawl),
and a crawl killed outright (writer, workers, browsers) continues with --resume."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

import pytest
import redis

from nianbao.demo.server import SamplePortals
from tests.support import ROOT
from tests.support.ops import FAST, archive_state, crawl_argv, env, query, run_crawl

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, the CLI


@pytest.fixture(scope="module")
def crawls(redis_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scaleout")
    out = {}
    # answers take 0.2 s, as across a network: a site's requests then wait in Redis while
    # a worker's slot for it is busy, and the other worker takes them
    with SamplePortals(port=0, latency=0.2) as portals:
        for n in (1, 2):
            db = tmp / f"w{n}.db"
            proc = run_crawl(*portals.start_urls, "--db", str(db), "--redis", redis_url,
                             "--redis-prefix", f"t{n}", "--workers", str(n), *FAST, timeout=300)
            assert proc.returncode == 0, proc.stderr[-4000:]
            out[n] = db
        local = tmp / "local.db"
        proc = run_crawl(*portals.start_urls, "--db", str(local), *FAST)
        assert proc.returncode == 0, proc.stderr[-4000:]
        out["local"] = local
        out["gold"] = {g.url for g in portals.gold_reports() if not g.robots_disallowed}
    return out


def test_two_workers_make_the_same_archive_as_one(crawls):
    one, two = archive_state(crawls[1]), archive_state(crawls[2])
    assert one["reports"] and one == two
    assert {r[0] for r in one["reports"]} == crawls["gold"]
    assert one == archive_state(crawls["local"])       # and the same as a crawl without Redis


def test_both_workers_crawled_and_one_writer_wrote(crawls, redis_url):
    log = json.loads(query(crawls[2], "SELECT stats FROM runs")[0][0])
    workers = log["distributed"]["per_worker"]
    assert len(workers) == 2 and all(w["requests"] > 0 for w in workers.values())
    assert log["finish_reason"] == "finished"
    runs = query(crawls[2], "SELECT status, options FROM runs")
    assert len(runs) == 1 and runs[0][0] == "finished" and json.loads(runs[0][1])["distributed"]
    # the writer cleared its crawl's keys from Redis at the end
    assert not list(redis.Redis.from_url(redis_url).scan_iter("t2:*"))


def test_join_without_a_writer_gives_up_clearly(redis_url, tmp_path):
    proc = run_crawl("--redis", redis_url, "--redis-prefix", "nobody", "--join", *FAST,
                     "--set", "NIANBAO_JOIN_WAIT=1", timeout=60)
    assert proc.returncode == 1 and "no writer prepared a crawl" in proc.stderr


def test_writer_stops_when_its_workers_die_before_joining(redis_url, tmp_path):
    with SamplePortals(port=0) as portals:
        proc = run_crawl(portals.start_urls[0], "--db", str(tmp_path / "a.db"), "--redis", redis_url,
                         "--redis-prefix", "broken", "--workers", "1", *FAST,
                         "--set", 'SPIDER_MIDDLEWARES={"no.such.Middleware": 10}', timeout=120)
    assert proc.returncode != 0
    assert "exited before joining the crawl" in proc.stderr
    assert not list(redis.Redis.from_url(redis_url).scan_iter("broken:writer"))   # lock released


def _captures(db) -> int:
    try:
        return query(db, "SELECT count(*) FROM captures")[0][0]
    except Exception:                    # no archive, or no tables yet
        return 0


def test_sigkill_of_writer_and_workers_then_resume_completes_the_crawl(redis_url, tmp_path):
    """The whole distributed crawl (writer, workers, their browsers) SIGKILLed while it
    writes, twice: each time `nianbao check` passes; `--resume` then continues the crawl in
    Redis and the archive ends equal to an uninterrupted crawl's."""
    seed = int(os.environ.get("NIANBAO_CRASH_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    db = tmp_path / "archive.db"
    with SamplePortals(port=0, latency=0.2, sites=14) as portals:
        args = [*portals.start_urls, "--db", str(db), "--redis", redis_url, "--redis-prefix", "crash",
                "--workers", "2", "--resume", "--set", "NIANBAO_REDIS_LEASE_TTL=3",
                "--set", "NIANBAO_REDIS_WRITE_BATCH=8", *FAST]
        for attempt in range(2):
            before = _captures(db)
            proc = subprocess.Popen(crawl_argv(*args), cwd=ROOT, env=env(), start_new_session=True,
                                    stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"run{attempt}.log", "w"))
            deadline = time.monotonic() + 300
            while _captures(db) <= before + 3:            # while it writes
                assert proc.poll() is None, f"seed {seed}: the crawl ended before the kill"
                assert time.monotonic() < deadline, f"seed {seed}: nothing stored"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.5))
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(60)
            res = subprocess.run(crawl_argv()[:-1] + ["check", "--db", str(db)], cwd=ROOT, env=env(),
                                 capture_output=True, text=True, timeout=300)
            assert res.returncode == 0, f"seed {seed}, kill {attempt + 1}:\n{res.stdout}{res.stderr}"
        assert redis.Redis.from_url(redis_url).exists("crash:plan")   # left for --resume
        done = run_crawl(*args, timeout=900)
        assert done.returncode == 0, f"seed {seed}:\n{done.stderr[-4000:]}"
        reference = tmp_path / "reference.db"
        ref = run_crawl(*portals.start_urls, "--db", str(reference), *FAST, timeout=600)
        assert ref.returncode == 0, ref.stderr[-4000:]

    assert archive_state(db) == archive_state(reference), f"seed {seed}"
    runs = query(db, "SELECT status, options FROM runs ORDER BY id")
    assert [r[0] for r in runs] == ["interrupted", "interrupted", "finished"]
    assert json.loads(runs[-1][1])["resumed"] and not json.loads(runs[0][1])["resumed"]
    assert query(db, "SELECT count(*) FROM captures WHERE status = 200 AND body_sha256 IS NULL "
                     "AND not_modified = 0")[0][0] == 0
    assert not list(redis.Redis.from_url(redis_url).scan_iter("crash:*"))
