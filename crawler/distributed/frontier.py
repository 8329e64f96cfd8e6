"""One crawl frontier shared by many crawler processes through Redis (scrapy-redis).

`RedisFrontier` is scrapy-redis's scheduler with its Redis duplicate filter, made to behave
like Scrapy's DownloaderAwarePriorityQueue: one scrapy-redis PriorityQueue per site
(`<prefix>:requests:<site>`), and each process takes its next request from the site it
has the fewest downloads running for, and only for a site whose download slot has a free
place, so every site's politeness slot stays busy, no site's backlog blocks another, and
what one worker cannot start now is left for the others. What must stay with the process that made it (retries,
browser renders, redirects of a request it took, anything that cannot be pickled) goes
to a local in-memory queue instead of Redis.

`WorkerCoordinator` (an extension) decides when a worker may stop: the shared queues are
empty and no other worker is still busy (a busy worker can still add requests). Workers
started together wait for each other (`<prefix>:expect`, set by the writer). Workers
register under `<prefix>:workers`, keep `<prefix>:alive:<id>` fresh, mark themselves
`<prefix>:busy:<id>` while they have work, and on close push their Scrapy stats to
`<prefix>:worker_stats` for the archive writer (`crawler.writer`).

Settings: NIANBAO_REDIS_URL, NIANBAO_REDIS_PREFIX (default "nianbao"), NIANBAO_WORKER_ID.
"""
from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import socket
import time
import uuid
from collections import Counter

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from twisted.internet import task

from nianbao.archive.urls import site_of
from nianbao.crawler import meta
from nianbao.crawler.extensions.sitestats import SiteStats

logger = logging.getLogger(__name__)

OWNER = meta.WORKER                 # the worker that took the request from Redis
ALIVE_TTL = 20


def worker_id(settings) -> str:
    return settings.get("NIANBAO_WORKER_ID") or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30,
                                retry_on_timeout=True)


class RedisFrontier:
    """Scrapy scheduler over scrapy-redis queues and duplicate filter, one queue a site."""

    def __init__(self, crawler, server: redis.Redis, prefix: str, wid: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = server
        self.prefix = prefix
        self.wid = wid
        self.spider = None
        self.df: RFPDupeFilter | None = None
        self.queues: dict[str, PriorityQueue] = {}
        self.local: list = []
        self._seq = itertools.count()
        self._sites: list[str] = []
        self._sites_read = 0.0
        self._busy_set = 0.0
        self.per_site = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("RedisFrontier needs NIANBAO_REDIS_URL")
        server = connect(url)
        server.ping()
        return cls(crawler, server, crawler.settings.get("NIANBAO_REDIS_PREFIX", "nianbao"),
                   worker_id(crawler.settings))

    # -- lifecycle --------------------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        self.df = RFPDupeFilter(self.server, key=f"{self.prefix}:dupefilter",
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        n = self.shared_len()
        if n:
            logger.info("joining the crawl in Redis %s: %d requests queued", self.prefix, n)
        return None

    def close(self, reason):
        # the frontier outlives a worker: others may still crawl; the writer clears it
        self.server.delete(f"{self.prefix}:busy:{self.wid}")
        return None

    # -- queues ---------------------------------------------------------------------------------
    def _queue(self, site: str) -> PriorityQueue:
        q = self.queues.get(site)
        if q is None:
            q = self.queues[site] = PriorityQueue(self.server, self.spider, f"{self.prefix}:requests:{site}")
        return q

    def sites(self) -> list[str]:
        now = time.monotonic()
        if now - self._sites_read > 0.25:
            self._sites = sorted(s.decode() for s in self.server.smembers(f"{self.prefix}:sites"))
            self._sites_read = now
        return self._sites

    def shared_len(self) -> int:
        sites = sorted(s.decode() for s in self.server.smembers(f"{self.prefix}:sites"))
        if not sites:
            return 0
        pipe = self.server.pipeline(transaction=False)
        for s in sites:
            pipe.zcard(f"{self.prefix}:requests:{s}")
        return sum(pipe.execute())

    def has_pending_requests(self) -> bool:
        return bool(self.local) or self.shared_len() > 0

    def __len__(self) -> int:
        return len(self.local) + self.shared_len()

    def enqueue_request(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued")
        if request.meta.get(OWNER) == self.wid:
            return self._push_local(request)       # a retry, render or redirect of our own
        site = site_of(request.url)
        try:
            self._queue(site).push(request)
        except Exception as exc:  # cannot be pickled: this worker keeps it
            logger.debug("request kept locally (%s): %s", exc, request)
            self.stats.inc_value("scheduler/unserializable")
            return self._push_local(request)
        if site not in self._sites:
            self.server.sadd(f"{self.prefix}:sites", site)
            self._sites_read = 0.0
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _push_local(self, request) -> bool:
        heapq.heappush(self.local, (-request.priority, next(self._seq), request))
        self.stats.inc_value("scheduler/enqueued/memory")
        return True

    def _in_downloader(self) -> Counter:
        """This worker's requests in its downloader, per site. Counted from the downloader's
        own set, which a request joins the moment it is handed over (a download slot learns
        of it only after the downloader middlewares, robots.txt included, let it through)."""
        try:
            active = self.crawler.engine.downloader.active
        except (AttributeError, RuntimeError):
            return Counter()
        return Counter(site_of(r.url) for r in active)

    def next_request(self):
        if self.local:
            self.mark_busy()
            return heapq.heappop(self.local)[2]
        busy = self._in_downloader()
        # Take a request only for a site this worker has a free place for (per-site
        # concurrency): what it cannot start now stays in Redis for another worker. A
        # worker that took whatever it could queued a small crawl's whole frontier in its
        # own downloader, and the others idled.
        for site in sorted(self.sites(), key=lambda s: busy[s]):
            if busy[site] >= self.per_site:
                continue
            request = self._queue(site).pop()
            if request is not None:
                request.meta[OWNER] = self.wid
                self.mark_busy()
                self.stats.inc_value("scheduler/dequeued/redis")
                return request
        return None

    def mark_busy(self) -> None:
        now = time.monotonic()
        if now - self._busy_set > 2.0:
            self.server.set(f"{self.prefix}:busy:{self.wid}", "1", ex=ALIVE_TTL)
            self._busy_set = now

    def mark_idle(self) -> None:
        self.server.delete(f"{self.prefix}:busy:{self.wid}")
        self._busy_set = 0.0


class WorkerCoordinator:
    """Registration, heartbeat and the shared stop decision of a Redis worker."""

    def __init__(self, crawler):
        s = crawler.settings
        url = s.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("no Redis")
        self.crawler = crawler
        self.server = connect(url)
        self.prefix = s.get("NIANBAO_REDIS_PREFIX", "nianbao")
        self.beat: task.LoopingCall | None = None
        self.poke: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        # A worker whose pull found the shared queues empty is not idle while another
        # worker's requests wait in Redis (has_pending_requests), so Scrapy would look again
        # only at its 5-second engine heartbeat, and a short crawl ends before that: the
        # second worker of a small crawl made no request at all. Look again soon instead.
        crawler.signals.connect(self._poke_soon, signal=signals.scheduler_empty)
        self._poke_pending = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def frontier(self) -> RedisFrontier | None:
        try:
            slot = getattr(self.crawler.engine, "_slot", None)
        except RuntimeError:          # no engine yet
            return None
        sched = getattr(slot, "scheduler", None)
        return sched if isinstance(sched, RedisFrontier) else None

    @property
    def wid(self) -> str:
        f = self.frontier
        return f.wid if f else self.crawler.settings.get("NIANBAO_WORKER_ID", "?")

    def opened(self, spider=None):
        self.server.sadd(f"{self.prefix}:workers", self.wid)
        started = self.server.incr(f"{self.prefix}:workers_started")
        self.heartbeat()
        # the workers started together (`--workers N`) begin together, so the first one up
        # does not take the whole frontier before the others have loaded
        expect = int(self.server.get(f"{self.prefix}:expect") or 0)
        deadline = time.monotonic() + 60
        while started < expect and time.monotonic() < deadline:
            time.sleep(0.1)
            started = int(self.server.get(f"{self.prefix}:workers_started") or 0)
        self.beat = task.LoopingCall(self.heartbeat)
        self.beat.start(5.0, now=False)

    def heartbeat(self):
        self.server.set(f"{self.prefix}:alive:{self.wid}", "1", ex=ALIVE_TTL)
        f = self.frontier
        if f is not None and f._busy_set:
            f._busy_set = 0.0       # refresh the busy mark on the next request
            f.mark_busy()

    def others_busy(self) -> bool:
        mine = f"{self.prefix}:busy:{self.wid}".encode()
        return any(k != mine for k in self.server.scan_iter(f"{self.prefix}:busy:*", count=100))

    def idle(self, spider=None):
        f = self.frontier
        if f is None:
            return
        f.mark_idle()
        if f.shared_len() > 0 or self.others_busy():
            # another worker may still add requests: look again soon, not at the next heartbeat
            self._poke_soon()
            raise DontCloseSpider

    def _poke_soon(self, *args, **kwargs):
        """Have the engine ask the frontier again in a quarter of a second (once)."""
        if self._poke_pending:
            return
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is None:
            return
        from twisted.internet import reactor

        def poke():
            self._poke_pending = False
            nextcall.schedule()
        self._poke_pending = True
        reactor.callLater(0.25, poke)

    def closed(self, spider=None, reason=None):
        if self.beat is not None and self.beat.running:
            self.beat.stop()
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float)) and not isinstance(v, bool)}
        pipe = self.server.pipeline()
        sites = SiteStats.of(self.crawler).rows()
        pipe.rpush(f"{self.prefix}:worker_stats", json.dumps({"worker": self.wid, "reason": reason,
                                                              "stats": stats, "sites": sites}))
        pipe.delete(f"{self.prefix}:busy:{self.wid}", f"{self.prefix}:alive:{self.wid}")
        pipe.srem(f"{self.prefix}:workers", self.wid)
        pipe.sadd(f"{self.prefix}:finished", self.wid)
        pipe.execute()
