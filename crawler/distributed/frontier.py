"""One crawl frontier shared by many crawler processes through Redis (scrapy-redis).

`RedisFrontier` is scrapy-redis's scheduler with its Redis duplicate filter, made to behave
like Scrapy's DownloaderAwarePriorityQueue: one scrapy-redis PriorityQueue per site
(`<prefix>:requests:<site>`), and each process takes its next request from the site it
has the fewest downloads running for. A request is leased, not popped
(crawler.distributed.leases): it stays in Redis under the worker's lease until it is done
(crawler.tracking: its output consumed, its items pushed to the archive writer), and goes
back to its queue if the worker dies. A request is taken only for a site that has a free
place across the cluster (--concurrency, requests taken or on the wire by any worker) and
whose pace allows a start now, so what one worker cannot start now is left for the
others and no worker hoards a site's requests; the wire itself is guarded by
crawler.distributed.politeness. What must stay with the process that took the request
(retries, browser renders, redirects, anything that cannot be pickled) goes to a local
in-memory queue instead of Redis, and keeps the original request's lease.

`WorkerCoordinator` (an extension) registers the worker (`<prefix>:workers`, its heartbeat
`<prefix>:alive:<id>` holding its pid and host), renews its leases, puts back the requests
of workers whose leases expired, and decides when a worker may stop: no request queued or
leased anywhere and no other worker busy (a busy worker can still add requests). Workers
started together wait for each other (`<prefix>:expect`, set by the writer). On close a
worker pushes its Scrapy stats to `<prefix>:worker_stats` for the archive writer.

A worker's memory grows with the URLs it has requested (the spider's duplicate keys and
per-site state, the URL caches), so a worker retires after NIANBAO_WORKER_MAX_REQUESTS
requests taken from Redis, as a web server recycles its worker processes: it takes no
more, finishes what it holds, hands its parked links over (crawler.distributed.findings),
closes with the reason "recycled" and leaves `<prefix>:handover:<id>` so that the writer
counts it live until its successor (started by whoever started it, nianbao.plans) joins.

Settings: NIANBAO_REDIS_URL, NIANBAO_REDIS_PREFIX, NIANBAO_WORKER_ID, NIANBAO_REDIS_LEASE_TTL,
NIANBAO_WORKER_MAX_REQUESTS, NIANBAO_WORKER_SUCCEEDS.
"""
from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import random
import socket
import time
from collections import Counter

import redis
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from twisted.internet import task
from twisted.python.failure import Failure

from nianbao.archive.urls import site_of
from nianbao.crawler import meta
from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect, worker_id
from nianbao.crawler.distributed.findings import cluster_idle, worker_retiring
from nianbao.crawler.distributed.leases import RequestLeases
from nianbao.crawler.distributed.politeness import SiteLeases
from nianbao.crawler.extensions.sitestats import SiteStats
from nianbao.crawler.tracking import OutputTracker

logger = logging.getLogger(__name__)

OWNER = meta.WORKER                 # the worker that took the request from Redis
LEASE = meta.LEASE                  # its lease token
ALIVE_TTL = 20
HANDOVER_TTL = 120                  # seconds a retired worker counts live while its successor starts
RECYCLED = "recycled"               # the close reason of a worker that retired
POKE_MOST = 0.25                    # seconds before an empty frontier is asked again


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
        self.leases = RequestLeases(server, prefix, wid, crawler.settings.getfloat("NIANBAO_REDIS_LEASE_TTL"))
        self.tracker = OutputTracker(crawler, self._done)
        self.retry_in = POKE_MOST          # when a site may start next (after an empty take)
        self.budget = max(0, crawler.settings.getint("NIANBAO_WORKER_MAX_REQUESTS"))
        self.taken = 0                     # requests taken from Redis
        self.retiring = False

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("RedisFrontier needs NIANBAO_REDIS_URL")
        server = connect(url)
        server.ping()
        return cls(crawler, server, crawler.settings.get("NIANBAO_REDIS_PREFIX"),
                   worker_id(crawler.settings))

    def key(self, name: str, *parts: str) -> str:
        return keys.key(self.prefix, name, *parts)

    # -- lifecycle --------------------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        self.df = RFPDupeFilter(self.server, key=self.key(keys.DUPEFILTER),
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        n = self.shared_len()
        if n:
            logger.info("joining the crawl in Redis %s: %d requests queued", self.prefix, n)
        return None

    def close(self, reason):
        # the frontier outlives a worker: others may still crawl; the writer clears it. What
        # this worker still holds goes back for them (or for a resumed crawl).
        back = self.leases.give_back()
        if back:
            logger.info("gave %d unfinished requests back to the shared frontier", back)
            self.stats.set_value("nianbao/redis/given_back", back)
        self.server.delete(self.key(keys.BUSY, self.wid))
        return None

    # -- queues ---------------------------------------------------------------------------------
    def _queue(self, site: str) -> PriorityQueue:
        q = self.queues.get(site)
        if q is None:
            q = self.queues[site] = PriorityQueue(self.server, self.spider, self.key(keys.REQUESTS, site))
        return q

    def sites(self) -> list[str]:
        now = time.monotonic()
        if now - self._sites_read > 0.25:
            self._sites = sorted(s.decode() for s in self.server.smembers(self.key(keys.SITES)))
            self._sites_read = now
        return self._sites

    def shared_len(self) -> int:
        """Requests queued in Redis, all sites."""
        return keys.queued(self.server, self.prefix)

    def has_pending_requests(self) -> bool:
        return bool(self.local) or (not self.retiring and self.shared_len() > 0)

    def __len__(self) -> int:
        return len(self.local) + (0 if self.retiring else self.shared_len())

    def enqueue_request(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.stats.inc_value("dupefilter/filtered")
            if request.meta.get(OWNER) == self.wid and LEASE in request.meta:
                self._done(request.meta[LEASE])   # a redirect to somewhere already crawled
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
            self.server.sadd(self.key(keys.SITES), site)
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
        if self.retiring:
            return None
        busy = self._in_downloader()
        # Sites this worker has a free place for, the least busy first, in an order of its
        # own (so that workers do not all reach for the same site first); Redis then takes
        # the first whose place is free across the cluster and whose pace allows a start.
        sites = [s for s in self.sites() if busy[s] < self.per_site]
        random.shuffle(sites)
        sites.sort(key=lambda s: busy[s])
        got = self.leases.take(sites, self.per_site)
        if not isinstance(got, tuple):
            self.retry_in = got if 0 <= got < POKE_MOST else POKE_MOST
            return None
        token, site, data = got
        request = self._queue(site)._decode_request(data)
        request.meta[OWNER] = self.wid
        request.meta[LEASE] = token
        self.tracker.track(request, token)
        self.mark_busy()
        self.stats.inc_value("scheduler/dequeued/redis")
        self.taken += 1
        if self.budget and self.taken >= self.budget:
            self.retire()
        return request

    def retire(self) -> None:
        """Take no more requests from Redis: this worker's budget is spent."""
        if not self.retiring:
            self.retiring = True
            logger.info("took %d requests from Redis (NIANBAO_WORKER_MAX_REQUESTS): finishing what "
                        "this worker holds, then a fresh process takes its place", self.taken)
            self.crawler.signals.send_catch_log(worker_retiring)

    def _done(self, token: str) -> None:
        """The request is done (output consumed, items pushed): its lease goes."""
        if token in self.leases.held:
            self.leases.ack(token)
            self.stats.inc_value("nianbao/redis/done")

    def mark_busy(self) -> None:
        now = time.monotonic()
        if now - self._busy_set > 2.0:
            self.server.set(self.key(keys.BUSY, self.wid), "1", ex=ALIVE_TTL)
            self._busy_set = now

    def mark_idle(self) -> None:
        self.server.delete(self.key(keys.BUSY, self.wid))
        self._busy_set = 0.0


class WorkerCoordinator:
    """Registration, heartbeat, leases kept alive, and the shared stop decision of a worker."""

    def __init__(self, crawler):
        s = crawler.settings
        url = s.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("no Redis")
        self.crawler = crawler
        self.server = connect(url)
        self.prefix = s.get("NIANBAO_REDIS_PREFIX")
        # renew leases well within their lifetime
        self.interval = min(5.0, s.getfloat("NIANBAO_REDIS_LEASE_TTL") / 3)
        self.beat: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        # A worker whose pull found the shared queues empty (or every site busy) is not
        # idle while requests wait in Redis (has_pending_requests), so Scrapy would look
        # again only at its 5-second engine heartbeat, and a short crawl ends before that:
        # the second worker of a small crawl made no request at all. Look again soon instead.
        crawler.signals.connect(self._poke_soon, signal=signals.scheduler_empty)
        self._poke_pending = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def key(self, name: str, *parts: str) -> str:
        return keys.key(self.prefix, name, *parts)

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
        return f.wid if f else worker_id(self.crawler.settings)

    def opened(self, spider=None):
        self.server.sadd(self.key(keys.WORKERS), self.wid)
        started = self.server.incr(self.key(keys.WORKERS_STARTED))
        self.heartbeat()
        predecessor = self.crawler.settings.get("NIANBAO_WORKER_SUCCEEDS")
        if predecessor:             # registered and alive: the retired worker's mark can go
            self.server.delete(self.key(keys.HANDOVER, predecessor))
        # the workers started together (`--workers N`) begin together, so the first one up
        # does not take the whole frontier before the others have loaded
        expect = int(self.server.get(self.key(keys.EXPECT)) or 0)
        deadline = time.monotonic() + 60
        while started < expect and time.monotonic() < deadline:
            time.sleep(0.1)
            started = int(self.server.get(self.key(keys.WORKERS_STARTED)) or 0)
        self.beat = task.LoopingCall(self.heartbeat)
        self.beat.start(self.interval, now=False)

    def heartbeat(self):
        pipe = self.server.pipeline()
        pipe.set(self.key(keys.ALIVE, self.wid),
                 json.dumps({"pid": os.getpid(), "host": socket.gethostname()}), ex=ALIVE_TTL)
        pipe.sadd(self.key(keys.WORKERS), self.wid)     # also for a writer resumed meanwhile
        pipe.execute()
        f = self.frontier
        if f is None:
            return
        if f._busy_set:
            f._busy_set = 0.0       # refresh the busy mark on the next request
            f.mark_busy()
        wire = SiteLeases.of(self.crawler).held
        if f.leases.renew(wire) < len(f.leases.held):
            # our leases expired (this process stalled past their TTL): others may fetch
            # those requests again; nothing is lost, some work is done twice
            self.crawler.stats.inc_value("nianbao/redis/leases_lost")
        self._requeue_expired(f)

    def _requeue_expired(self, f: RedisFrontier) -> int:
        back = f.leases.requeue_expired()
        if back:
            logger.warning("put %d requests of a worker that stopped back in the frontier", back)
            self.crawler.stats.inc_value("nianbao/redis/requeued", back)
        return back

    def others_busy(self) -> bool:
        mine = self.key(keys.BUSY, self.wid).encode()
        return any(k != mine for k in self.server.scan_iter(self.key(keys.BUSY, "*"), count=100))

    def idle(self, spider=None):
        f = self.frontier
        if f is None:
            return
        f.mark_idle()
        if f.leases.held:
            # idle, so every request this worker took is done: a lease still held is one
            # the done-tracking missed; never let it keep the crawl waiting
            logger.warning("releasing %d leases left at idle", len(f.leases.held))
            self.crawler.stats.inc_value("nianbao/redis/leases_left_at_idle", len(f.leases.held))
            for token in list(f.leases.held):
                f.leases.ack(token)
        self._requeue_expired(f)
        if f.retiring:
            raise CloseSpider(RECYCLED)
        if f.shared_len() > 0 or f.leases.count() > 0 or self.others_busy():
            # another worker may still add requests, or a dead worker's requests will come
            # back when their leases expire: look again soon, not at the next heartbeat
            self._poke_soon()
            raise DontCloseSpider
        # the whole crawl is idle: the spider's last resorts (exploring, sitemaps) now
        for _, result in self.crawler.signals.send_catch_log(cluster_idle, dont_log=DontCloseSpider):
            if isinstance(result, Failure) and isinstance(result.value, DontCloseSpider):
                raise DontCloseSpider

    def _poke_soon(self, *args, **kwargs):
        """Have the engine ask the frontier again soon (once): when the pace of the soonest
        site allows, at most a quarter of a second from now."""
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
        f = self.frontier
        reactor.callLater(max(0.005, f.retry_in if f is not None else POKE_MOST), poke)

    def closed(self, spider=None, reason=None):
        if self.beat is not None and self.beat.running:
            self.beat.stop()
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float)) and not isinstance(v, bool)}
        pipe = self.server.pipeline()
        sites = SiteStats.of(self.crawler).rows()
        pipe.rpush(self.key(keys.WORKER_STATS), json.dumps({"worker": self.wid, "reason": reason,
                                                            "stats": stats, "sites": sites}))
        if reason == RECYCLED:
            pipe.set(self.key(keys.HANDOVER, self.wid), "1", ex=HANDOVER_TTL)
        pipe.delete(self.key(keys.BUSY, self.wid), self.key(keys.ALIVE, self.wid))
        pipe.srem(self.key(keys.WORKERS), self.wid)
        pipe.sadd(self.key(keys.FINISHED), self.wid)
        pipe.execute()
