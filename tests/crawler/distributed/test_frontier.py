"""The shared frontier on a real redis-server: one queue and duplicate filter for every
worker; requests are leased until done and come back when their worker dies; a site's
places are shared by the cluster; what must stay with a worker (its retries, what cannot
be pickled) stays local."""
from __future__ import annotations

import time

import pytest
import redis
from scrapy import Request, Spider

from nianbao.crawler.distributed.frontier import LEASE, OWNER, RedisFrontier
from tests.support.crawler import project_crawler

pytestmark = pytest.mark.slow      # a redis-server process


class ReportsSpider(Spider):
    name = "reports"

    def parse(self, response):
        return None


def _frontier(url: str, prefix: str, wid: str, **settings) -> RedisFrontier:
    crawler = project_crawler(ReportsSpider, NIANBAO_REDIS_URL=url, NIANBAO_REDIS_PREFIX=prefix,
                              NIANBAO_WORKER_ID=wid, **settings)
    f = RedisFrontier.from_crawler(crawler)
    f.open(crawler.spider)
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
    assert sorted(s.decode() for s in redis.Redis.from_url(redis_url).smembers("unit:sites")) \
        == ["one.test", "two.test"]


def test_taken_requests_are_leased_until_done(redis_url):
    a, b = _frontier(redis_url, "lease", "a"), _frontier(redis_url, "lease", "b")
    a.enqueue_request(Request("http://one.test/1"))
    req = a.next_request()
    assert req.meta[LEASE] in a.leases.held and a.leases.count() == 1
    assert a.shared_len() == 0 and b.next_request() is None
    req.callback(None)                     # its output consumed, no item: done
    assert a.leases.count() == 0 and not a.leases.held


def test_a_site_has_concurrency_places_across_the_cluster(redis_url):
    one = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    a, b = _frontier(redis_url, "places", "a", **one), _frontier(redis_url, "places", "b", **one)
    for i in range(3):
        a.enqueue_request(Request(f"http://one.test/{i}"))
    a.enqueue_request(Request("http://two.test/0"))
    first = a.next_request()
    # --concurrency 1 (CONCURRENT_REQUESTS_PER_DOMAIN): the other site only, for either worker
    second = b.next_request()
    assert {first.url.split("/")[2], second.url.split("/")[2]} == {"one.test", "two.test"}
    assert a.next_request() is None and b.next_request() is None
    one_test = first if "one.test" in first.url else second
    owner = a if one_test is first else b
    owner.tracker.on_done(one_test.meta[LEASE])       # done: its place is free again
    assert "one.test" in b.next_request().url


def test_a_dead_workers_requests_come_back(redis_url):
    a = _frontier(redis_url, "dead", "a", NIANBAO_REDIS_LEASE_TTL=0.5)
    b = _frontier(redis_url, "dead", "b", NIANBAO_REDIS_LEASE_TTL=0.5)
    a.enqueue_request(Request("http://one.test/1", priority=7))
    taken = a.next_request()
    assert taken is not None and b.next_request() is None
    # a dies holding it (no ack, no renewal): once its lease expires it is queued again
    deadline = time.monotonic() + 60
    while not b.leases.requeue_expired():
        assert time.monotonic() < deadline, "the lease never expired"
        time.sleep(0.05)
    again = b.next_request()
    assert again.url == taken.url and again.priority == 7 and again.meta[OWNER] == "b"
    # a worker that stops before its end gives back what it holds at once
    b.close("shutdown")
    assert b.leases.count() == 0 and b.shared_len() == 1


def test_a_live_worker_keeps_its_leases(redis_url):
    a = _frontier(redis_url, "renew", "a", NIANBAO_REDIS_LEASE_TTL=0.5)
    a.enqueue_request(Request("http://one.test/1"))
    req = a.next_request()
    server = redis.Redis.from_url(redis_url)
    expiry = server.zscore("renew:leases", req.meta[LEASE])
    wire = {"a:w1": "one.test"}
    server.zadd("renew:wire:one.test", {"a:w1": 0})     # a download of a, on the wire
    assert a.leases.renew(wire) == 1
    assert server.zscore("renew:leases", req.meta[LEASE]) >= expiry
    assert server.zscore("renew:wire:one.test", "a:w1") >= expiry
    a.tracker.on_done(req.meta[LEASE])
    assert a.leases.renew() == 0 and server.zcard("renew:leases") == 0
