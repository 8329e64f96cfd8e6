"""Per-site politeness across every worker of a Redis crawl: a lease for each request on
the wire.

Scrapy keeps a site's concurrency and delay in each process's download slot, so N workers
would send N x --concurrency requests to one site at once. Here no request goes on the wire
without a lease from Redis for its site (robots.txt, retries and renders included):

* `wire:<site>` holds one member a request on the wire, scored by its expiry: at most
  CONCURRENT_REQUESTS_PER_DOMAIN (`--concurrency`) at any moment, across the cluster. The
  worker renews its leases while it lives (WorkerCoordinator's heartbeat), so the lease of
  a worker that died frees itself after NIANBAO_REDIS_LEASE_TTL seconds;
* `pace:<site>` keeps the earliest start of the site's next request (`next`): a lease moves
  it to now + the site's delay, which is the larger of the acquiring worker's and the last
  one's view of it: DOWNLOAD_DELAY as AutoThrottle adjusts it in that worker's download
  slot. A 429/503 pushes `next` past its Retry-After (BackoffMiddleware's `site_paused`),
  so every worker waits, not only the one that was told.

`LeasedDownloadHandler` takes the lease at the last moment (in the download handler, after
the downloader middlewares and the local slot) and gives it back when the answer is in.
Times are Redis's clock (TIME).

A worker's own network: Scrapy's CONCURRENT_REQUESTS counts every request in the downloader,
including those waiting for their site's pace (a site's first page waits out the delay after
its robots.txt), so with a small CONCURRENT_REQUESTS a worker's wire stands idle while its
places wait. NIANBAO_WIRE_REQUESTS bounds the requests this worker has *on the wire* instead:
a wire place is held only from the site lease to the answer, never while a site's pace is
waited out, and CONCURRENT_REQUESTS can then be set above it so that waiting requests do
not keep the wire idle (0: no bound of its own).

Settings: NIANBAO_REDIS_URL, NIANBAO_REDIS_PREFIX, NIANBAO_REDIS_LEASE_TTL,
CONCURRENT_REQUESTS_PER_DOMAIN, NIANBAO_WIRE_REQUESTS.
"""
from __future__ import annotations

import asyncio
import itertools
import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from nianbao.archive.urls import site_of
from nianbao.crawler import meta
from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import LUA_NOW_MS, connect, worker_id
from nianbao.crawler.download_handler import BrowserDownloadHandler
from nianbao.crawler.middlewares.backoff import site_paused

logger = logging.getLogger(__name__)

# ARGV: prefix, site, token, limit, ttl_ms, delay_ms, request token ('' for none)
#   -> 0 (leased), > 0 (ms until the site's pace allows a start), -1 (the site is full)
ACQUIRE = LUA_NOW_MS + """
local p, site, token = ARGV[1], ARGV[2], ARGV[3]
local limit, ttl, delay = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local wire = p .. ':wire:' .. site
redis.call('ZREMRANGEBYSCORE', wire, '-inf', now)
if redis.call('ZCARD', wire) >= limit then return -1 end
local pace = p .. ':pace:' .. site
local nxt = tonumber(redis.call('HGET', pace, 'next') or '0')
if nxt > now then return nxt - now end
local gap = math.max(delay, tonumber(redis.call('HGET', pace, 'delay') or '0'))
redis.call('ZADD', wire, now + ttl, token)
redis.call('HSET', pace, 'next', now + gap, 'delay', delay)
if ARGV[7] ~= '' then redis.call('ZREM', p .. ':taken:' .. site, ARGV[7]) end
return 0
"""

# ARGV: prefix, site, ms -> the site's next start (ms)
PAUSE = LUA_NOW_MS + """
local pace = ARGV[1] .. ':pace:' .. ARGV[2]
local until_ = now + tonumber(ARGV[3])
local nxt = tonumber(redis.call('HGET', pace, 'next') or '0')
if until_ > nxt then redis.call('HSET', pace, 'next', until_) ; nxt = until_ end
return nxt
"""

POLL_FIRST, POLL_MOST = 0.02, 0.25     # seconds between tries while a site is full


class SiteLeases:
    """This worker's side of the cluster's per-site politeness (an extension)."""

    def __init__(self, crawler, server, prefix: str, wid: str):
        s = crawler.settings
        self.crawler = crawler
        self.server = server
        self.prefix = prefix
        self.wid = wid
        self.limit = max(1, s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.ttl_ms = int(s.getfloat("NIANBAO_REDIS_LEASE_TTL") * 1000)
        self.held: dict[str, str] = {}          # wire token -> site
        wire = s.getint("NIANBAO_WIRE_REQUESTS")
        self.wire = asyncio.Semaphore(wire) if wire > 0 else None   # this worker's wire places
        self._ids = itertools.count(1)
        self._acquire = server.register_script(ACQUIRE)
        self._pause = server.register_script(PAUSE)
        crawler.signals.connect(self.paused, signal=site_paused)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("SiteLeases needs NIANBAO_REDIS_URL")
        return cls(crawler, connect(url), crawler.settings.get("NIANBAO_REDIS_PREFIX"),
                   worker_id(crawler.settings))

    @classmethod
    def of(cls, crawler) -> "SiteLeases":
        ext = crawler.get_extension(cls)
        if ext is None:
            raise RuntimeError("SiteLeases is not enabled in EXTENSIONS")
        return ext

    def _local_delay(self, site: str) -> float:
        """This worker's view of the site's delay: its download slot's (DOWNLOAD_DELAY,
        as AutoThrottle adjusts it)."""
        try:
            slot = self.crawler.engine.downloader.slots.get(site)
        except (AttributeError, RuntimeError):
            slot = None
        return slot.delay if slot is not None else self.crawler.settings.getfloat("DOWNLOAD_DELAY")

    async def acquire(self, request) -> tuple[str, str]:
        """Wait until the request's site may take one more request now; (site, token)."""
        site = request.meta.get("download_slot") or site_of(request.url)
        token = f"{self.wid}:w{next(self._ids)}"
        poll = POLL_FIRST
        stats = self.crawler.stats
        while True:
            if self.wire is not None:
                await self.wire.acquire()
            try:
                r = int(self._acquire(args=[self.prefix, site, token, self.limit, self.ttl_ms,
                                            int(self._local_delay(site) * 1000),
                                            request.meta.get(meta.LEASE) or ""]))
            except BaseException:               # Redis gone: the error goes up, the place back
                if self.wire is not None:
                    self.wire.release()
                raise
            if r == 0:
                self.held[token] = site
                return site, token
            if self.wire is not None:           # never hold a wire place while waiting
                self.wire.release()
            if r > 0:                           # the site's pace: wait until its next start
                stats.inc_value("nianbao/politeness/paced")
                await asyncio.sleep(min(r / 1000, 5.0))
            else:                               # full: another request is on the wire
                stats.inc_value("nianbao/politeness/waited")
                await asyncio.sleep(poll)
                poll = min(poll * 2, POLL_MOST)

    def release(self, site: str, token: str) -> None:
        if self.held.pop(token, None) is not None and self.wire is not None:
            self.wire.release()
        self.server.zrem(keys.key(self.prefix, keys.WIRE, site), token)

    def paused(self, site: str, seconds: float) -> None:
        """A site asked for a pause (429/503, Retry-After): every worker waits it out."""
        self._pause(args=[self.prefix, site, int(seconds * 1000)])
        self.crawler.stats.inc_value("nianbao/politeness/paused")

    def closed(self, spider=None, reason=None) -> None:
        for token, site in list(self.held.items()):
            self.release(site, token)


class LeasedDownloadHandler(BrowserDownloadHandler):
    """The project's download handler (plain HTTP and browser), each download inside a
    lease of its site (SiteLeases)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.leases = SiteLeases.of(crawler)

    async def download_request(self, request):
        site, token = await self.leases.acquire(request)
        try:
            return await super().download_request(request)
        finally:
            self.leases.release(site, token)
