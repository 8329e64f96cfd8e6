"""robots.txt shared by the workers of a Redis crawl (a real redis-server): what one worker
found is what the others obey, without a request of their own; a claim of a worker that
died frees itself. The once-per-cluster count at the sites is in test_politeness."""
from __future__ import annotations

import asyncio

import pytest
from scrapy import Request

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.robots import SharedRobotsTxtMiddleware
from nianbao.crawler.middlewares.robots import Unreachable
from tests.support.crawler import project_crawler

pytestmark = pytest.mark.slow      # redis-server


def _worker(url: str, prefix: str, wid: str) -> SharedRobotsTxtMiddleware:
    crawler = project_crawler(NIANBAO_REDIS_URL=url, NIANBAO_REDIS_PREFIX=prefix, NIANBAO_WORKER_ID=wid)
    return SharedRobotsTxtMiddleware.from_crawler(crawler)


def test_a_robots_txt_another_worker_fetched_is_obeyed_without_a_request(redis_url):
    mw = _worker(redis_url, "robots1", "b")
    mw.server.hset(keys.key("robots1", keys.ROBOTS, "one.test"),
                   mapping={"kind": "parse", "data": b"User-agent: *\nDisallow: /private/\n"})
    mw.server.hset(keys.key("robots1", keys.ROBOTS, "down.test"),
                   mapping={"kind": "unreachable", "data": "robots.txt answered 503"})
    mw.server.hset(keys.key("robots1", keys.ROBOTS, "none.test"), mapping={"kind": "allow", "data": ""})

    async def rules(url):       # no engine here: a download would fail the test
        return await mw._fetch(Request(url), url.split("/")[2])
    parser = asyncio.run(rules("http://one.test/x"))
    assert not parser.allowed("http://one.test/private/a", "nianbao")
    assert parser.allowed("http://one.test/public/a", "nianbao")
    down = asyncio.run(rules("http://down.test/x"))
    assert isinstance(down, Unreachable) and "503" in down.reason
    assert asyncio.run(rules("http://none.test/x")) is None
    assert mw._stats.get_value("nianbao/robots/shared") == 3
    assert mw._stats.get_value("robotstxt/request_count") is None


def test_a_worker_waits_for_the_claimants_outcome_and_a_dead_claimants_claim_expires(redis_url):
    a, b = _worker(redis_url, "robots2", "a"), _worker(redis_url, "robots2", "b")
    claim = keys.key("robots2", keys.ROBOTS_CLAIM, "two.test")
    shared = keys.key("robots2", keys.ROBOTS, "two.test")
    a.server.set(claim, "a", ex=60)             # a is fetching two.test's robots.txt

    async def scenario():
        waiting = asyncio.ensure_future(b._fetch(Request("http://two.test/x"), "two.test"))
        await asyncio.sleep(0.3)
        assert not waiting.done()               # b waits for a's outcome ...
        a.server.hset(shared, mapping={"kind": "parse", "data": b"User-agent: *\nDisallow: /\n"})
        return await asyncio.wait_for(waiting, 10)
    parser = asyncio.run(scenario())            # ... and obeys it
    assert not parser.allowed("http://two.test/any", "nianbao")
    # a claim whose worker died expires, so the next worker to need the rules can claim the fetch
    dead = keys.key("robots2", keys.ROBOTS_CLAIM, "three.test")
    a.server.set(dead, "a", px=300)
    assert not b.server.set(dead, "b", nx=True)
    asyncio.run(asyncio.sleep(0.4))
    assert b.server.set(dead, "b", nx=True, ex=b.claim_ttl)
