"""The shared frontier on a real redis-server: one queue and duplicate filter for every
worker; what must stay with a worker (its retries, what cannot be pickled) stays local."""
from __future__ import annotations

import json

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from nianbao.crawler.distributed.frontier import OWNER, RedisFrontier

pytestmark = pytest.mark.slow      # a redis-server process


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
