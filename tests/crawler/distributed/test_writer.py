"""A distributed crawl through a real redis-server: workers fetch, items reach the archive
through one writer, and two workers produce the same archive as one (and as a local crawl)."""
from __future__ import annotations

import json

import pytest
import redis

from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, archive_state, query, run_crawl

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
