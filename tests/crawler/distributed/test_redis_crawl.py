"""Scale-out through a real redis-server: crawler processes share one frontier and duplicate
filter (scrapy-redis), items reach the archive through one writer, and two workers produce
the same archive as one."""
from __future__ import annotations

import json

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from nianbao.crawler.distributed.frontier import OWNER, RedisFrontier
from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, archive_state, query, redis_server, run_crawl

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, the CLI



@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _frontier(url: str, prefix: str, wid: str) -> RedisFrontier:
    crawler = get_crawler(Spider, {"NIANBAO_REDIS_URL": url, "NIANBAO_REDIS_PREFIX": prefix,
                                   "NIANBAO_WORKER_ID": wid})
    crawler._apply_settings()
    f = RedisFrontier.from_crawler(crawler)
    f.open(Spider("reports"))
    return f


def test_two_frontiers_share_queue_and_duplicate_filter(redis_url):
    a, b = _frontier(redis_url, "unit", "a"), _frontier(redis_url, "unit", "b")
    assert a.enqueue_request(Request("http://one.test/r/1.html", priority=5))
    assert a.enqueue_request(Request("http://two.test/r/2.html", priority=1))
    assert not b.enqueue_request(Request("http://one.test/r/1.html"))   # seen by a: filtered
    assert a.shared_len() == b.shared_len() == 2
    got = [b.next_request(), b.next_request()]
    assert sorted(r.url for r in got) == ["http://one.test/r/1.html", "http://two.test/r/2.html"]
    assert all(r.meta[OWNER] == "b" for r in got) and a.next_request() is None
    # a retry of b's request stays with b; a request that cannot be pickled stays local too
    assert b.enqueue_request(got[0].replace(dont_filter=True))
    assert b.local and a.shared_len() == 0
    assert a.enqueue_request(Request("http://one.test/x", meta={"cb": lambda: None}))
    assert a.local and a.shared_len() == 0
    assert json.loads(json.dumps(sorted(s.decode() for s in redis.Redis.from_url(redis_url).smembers("unit:sites")))) \
        == ["one.test", "two.test"]


@pytest.fixture(scope="module")
def crawls(redis_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scaleout")
    out = {}
    # answers take 0.1 s, as across a network: a site's requests then wait in Redis while
    # a worker's slot for it is busy, and the other worker takes them
    with SamplePortals(port=0, latency=0.1) as portals:
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
