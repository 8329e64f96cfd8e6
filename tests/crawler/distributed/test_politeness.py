"""Politeness across the cluster: a site's places and pace are shared through Redis (two
SiteLeases here stand for two workers), and seen from the sites, two workers sharing one
Redis frontier never have more than --concurrency requests at once at one sample portal
(robots.txt and a render's browser requests included), as the portal server counts them."""
from __future__ import annotations

import asyncio

import pytest
from scrapy import Request

from nianbao.crawler.distributed.politeness import SiteLeases
from nianbao.crawler.middlewares.backoff import site_paused
from nianbao.demo.server import SamplePortals
from tests.support.crawler import project_crawler
from tests.support.ops import FAST, run_crawl

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, redis-server


def test_two_workers_keep_one_request_at_a_time_per_site(redis_url, tmp_path):
    # answers take 0.2 s, so two requests to one site overlap at the server unless the
    # workers agree on who may send; two copies of each family: 14 sites for 2 workers
    with SamplePortals(port=0, latency=0.2, sites=14) as portals:
        proc = run_crawl(*portals.start_urls, "--db", str(tmp_path / "a.db"), "--redis", redis_url,
                         "--redis-prefix", "polite", "--workers", "2", "--concurrency", "1", *FAST,
                         timeout=600)
        assert proc.returncode == 0, proc.stderr[-4000:]
        served, most, robots = portals.served(), portals.max_in_flight(), portals.robots_served()
    assert set(served) == {p.name for p in portals.portals} and min(served.values()) > 5
    assert max(most.values()) == 1, {name: n for name, n in most.items() if n > 1}
    # each site's robots.txt was asked once for the cluster, not once a worker
    assert robots == {p.name: 1 for p in portals.portals}


def _worker(url: str, prefix: str, wid: str, **settings) -> SiteLeases:
    crawler = project_crawler(NIANBAO_REDIS_URL=url, NIANBAO_REDIS_PREFIX=prefix,
                              NIANBAO_WORKER_ID=wid, **settings)
    return SiteLeases.from_crawler(crawler)


def _try(leases: SiteLeases, url: str, delay: float = 0.0) -> int:
    """One attempt: 0 leased, > 0 ms until the pace allows, -1 full."""
    return int(leases._acquire(args=[leases.prefix, url, f"{leases.wid}:t", leases.limit,
                                     leases.ttl_ms, int(delay * 1000), ""]))


def test_a_sites_places_are_shared_and_freed(redis_url):
    one = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    a, b = _worker(redis_url, "places", "a", **one), _worker(redis_url, "places", "b", **one)
    req = Request("http://one.test/r")

    async def scenario():
        site, token = await a.acquire(req)
        waiting = asyncio.ensure_future(b.acquire(req))    # the other worker waits ...
        await asyncio.sleep(0.1)
        assert not waiting.done()
        a.release(site, token)                              # ... until the place is free
        return await asyncio.wait_for(waiting, 60)
    site, token = asyncio.run(scenario())
    assert site == "one.test" and b.held == {token: site} and not a.held
    b.closed()
    assert not b.held and _try(a, "one.test") == 0


def test_a_sites_pace_and_pause_hold_for_every_worker(redis_url):
    a, b = _worker(redis_url, "pace", "a"), _worker(redis_url, "pace", "b")
    assert _try(a, "one.test", delay=30) == 0
    wait = _try(b, "one.test")                  # the delay a's view asked for holds for b
    assert 25_000 < wait <= 30_000
    assert _try(b, "two.test") == 0             # another site is not held up
    # a 429 with Retry-After 60 at b (BackoffMiddleware's signal) pauses the site for a too
    b.crawler.signals.send_catch_log(site_paused, site="two.test", seconds=60)
    assert 55_000 < _try(a, "two.test") <= 60_000


def test_a_worker_holds_its_wire_places_only_on_the_wire(redis_url):
    """NIANBAO_WIRE_REQUESTS=1: a second site waits for the wire while a request is on it,
    and a request waiting out its site's pace leaves the wire to another site."""
    a = _worker(redis_url, "wire", "a", CONCURRENT_REQUESTS_PER_DOMAIN=1, NIANBAO_WIRE_REQUESTS=1)
    b = _worker(redis_url, "wire", "b")
    assert _try(b, "slow.test", delay=30) == 0          # another worker: slow.test's next start in 30 s
    b.release("slow.test", "b:t")

    async def scenario():
        paced = asyncio.ensure_future(a.acquire(Request("http://slow.test/r")))
        await asyncio.sleep(0.2)
        assert not paced.done()                          # waits for its pace ...
        site, token = await asyncio.wait_for(a.acquire(Request("http://one.test/r")), 10)
        assert site == "one.test"                       # ... without holding the wire
        second = asyncio.ensure_future(a.acquire(Request("http://two.test/r")))
        await asyncio.sleep(0.2)
        assert not second.done()                         # one request on the wire: two.test waits
        a.release(site, token)
        site2, token2 = await asyncio.wait_for(second, 10)
        assert site2 == "two.test"
        a.release(site2, token2)
        paced.cancel()
    asyncio.run(scenario())
