"""The single archive writer of a distributed crawl: drains the items the workers push to
Redis (crawler.distributed.pipeline) into the SQLite archive, so SQLite keeps one writer
however many crawler processes share the frontier.

    writer = ArchiveWriter(redis_url, prefix, db_path)
    writer.prepare(portals, options, resume=False)   # plan + archive history for the workers
    result = writer.drain()                          # until every worker has finished

`prepare` opens the archive run, publishes the crawl plan (portals), the validators and
known reports of earlier runs (crawler.distributed.history) and sets `<prefix>:ready`;
workers wait for it. With `resume`, a crawl left in Redis by processes that stopped
(SIGKILL included) continues: its queues, duplicate filter and leases stay, the batch its
writer was storing goes back to the item list, and only who-ran-before is forgotten.

`drain` stores items in batches, one transaction each (`Archive.store_pages`): it moves up
to NIANBAO_REDIS_WRITE_BATCH items from `items` to `processing`, stores them, and only then
deletes `processing`, so a writer killed at any moment loses nothing (a batch it committed
but had not yet deleted is stored twice: two capture rows of one fetch, never a different
archive). It stops when at least one worker has run, no registered worker is left (a
worker whose heartbeat expired counts as gone; one that retired counts live until its
successor joins, crawler.distributed.frontier) and the item list is empty. If work is
left then (every worker died), the run stays open and the crawl stays in Redis for
`--resume`; otherwise it closes the run with merged statistics (same shape as the local
crawl's) and clears the crawl's Redis keys.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import sys
import threading
import time
from collections import defaultdict
from dataclasses import asdict

from nianbao.archive.history import CrawlHistory
from nianbao.archive.store import Archive
from nianbao.archive.urls import SiteNames
from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect
from nianbao.crawler.distributed.frontier import RECYCLED
from nianbao.crawler.distributed.history import publish_history
from nianbao.crawler.extensions.sitestats import SiteStats, format_table, totals
from nianbao.crawler.pipelines.pages import ReportTally
from nianbao.crawler.portals import Portal

logger = logging.getLogger(__name__)

WRITER_TTL = 10            # seconds the writer lock outlives a writer that died

# ARGV: most; KEYS: items, processing -> how many items moved
_MORE = """
local n = 0
for i = 1, tonumber(ARGV[1]) do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') then break end
  n = n + 1
end
return n
"""
# KEYS: processing, items: the interrupted batch back at the head of the list, in order
_RESTORE = """
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') do n = n + 1 end
return n
"""


def clear_namespace(server, prefix: str) -> int:
    """Delete every key of the crawl `prefix` (queues, dupefilter, leases, items, markers)."""
    found = keys.namespace(server, prefix)
    return server.delete(*found) if found else 0


def read_plan(server, prefix: str) -> list[Portal] | None:
    raw = server.get(keys.key(prefix, keys.PLAN))
    if not raw:
        return None
    return [Portal(**d) for d in json.loads(raw)["portals"]]


class ArchiveWriter:
    def __init__(self, redis_url: str, prefix: str, db_path: str, *, removal_after: int = 3,
                 busy_timeout: float = 30.0, batch: int = 200):
        self.server = connect(redis_url)
        self.server.ping()
        self.prefix = prefix
        self.db_path = str(db_path)
        self.removal_after = removal_after
        self.busy_timeout = busy_timeout
        self.batch = max(1, batch)
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.sites = SiteStats()          # the workers' counts join these at the end
        self.tally = ReportTally(self.sites)
        self.stored = 0
        self.resumed: dict | None = None
        self._more = self.server.register_script(_MORE)
        self._restore = self.server.register_script(_RESTORE)
        self._lock_done = threading.Event()       # set: stop refreshing the writer lock

    def key(self, name: str, *parts: str) -> str:
        return keys.key(self.prefix, name, *parts)

    # -- before the workers ----------------------------------------------------------------
    def prepare(self, portals: list[Portal] | None, options: dict, *, resume: bool = False) -> list[Portal]:
        """Open the run and publish what workers need; returns the crawl's portals."""
        self._take_lock(wait=resume)
        existing = read_plan(self.server, self.prefix) if resume else None
        writer_mark = self.server.get(self.key(keys.WRITER))
        if existing is None:
            clear_namespace(self.server, self.prefix)
        else:
            # who ran before is forgotten (a busy mark of a dead worker would hold up the end)
            self.server.delete(*(self.key(k) for k in keys.RUN_SCOPED),
                               *self.server.scan_iter(self.key(keys.BUSY, "*"), count=500),
                               *self.server.scan_iter(self.key(keys.HANDOVER, "*"), count=500))
            back = self._restore(keys=[self.key(keys.PROCESSING), self.key(keys.ITEMS)])
            self.resumed = {"queued": self.queued(), "leased": self.server.zcard(self.key(keys.LEASES)),
                            "items": self.server.llen(self.key(keys.ITEMS)), "batch_restored": back}
            logger.info("resuming the crawl in Redis %s: %s", self.prefix, self.resumed)
        self.server.set(self.key(keys.WRITER), writer_mark, ex=WRITER_TTL)
        plan = existing or portals
        if not plan:
            raise ValueError("nothing to crawl: give start URLs or --portals FILE")
        self.names = SiteNames.of_portals(plan)
        self.archive = Archive(self.db_path, removal_after=self.removal_after,
                               busy_timeout=self.busy_timeout)
        sites = sorted({s for p in plan for s in p.all_sites()})
        self.run_id = self.archive.start_run(sites, {**options, "distributed": True,
                                                     "redis_prefix": self.prefix,
                                                     "resumed": self.resumed is not None})
        history = CrawlHistory(self.db_path)
        try:
            published = publish_history(history, self.server, self.prefix)
            self.tally.known_reports = history.known_reports(sites)
            self.names.apply(history.site_names())
        finally:
            history.close()
        pipe = self.server.pipeline()
        pipe.set(self.key(keys.PLAN), json.dumps({"portals": [asdict(p) for p in plan]}, ensure_ascii=False))
        pipe.set(self.key(keys.RUN_ID), self.run_id)
        pipe.set(self.key(keys.READY), "1")
        pipe.execute()
        logger.info("writer ready: run %d, %d sites, %d known URLs published to %s",
                    self.run_id, len(sites), published, self.prefix)
        return plan

    def _take_lock(self, *, wait: bool) -> None:
        """Become the crawl's one writer. The lock of a writer that died expires WRITER_TTL
        seconds after its last beat; a resumed crawl (`wait`) waits for that."""
        me = json.dumps({"host": socket.gethostname(), "pid": os.getpid()})
        deadline = time.monotonic() + WRITER_TTL + 5
        while not self.server.set(self.key(keys.WRITER), me, nx=True, ex=WRITER_TTL):
            if not wait or time.monotonic() > deadline:
                raise RuntimeError(f"another archive writer is already draining {self.prefix!r}")
            time.sleep(0.2)
        # kept alive by a thread, so no phase (publishing a big history, a long batch, the
        # search index refresh at the end) outlasts it
        self._lock_done.clear()
        threading.Thread(target=self._keep_lock, daemon=True, name="writer-lock").start()

    def _keep_lock(self) -> None:
        while not self._lock_done.wait(WRITER_TTL / 4):
            try:
                self.server.expire(self.key(keys.WRITER), WRITER_TTL)
            except Exception as exc:      # Redis unreachable: the drain loop will say so
                logger.debug("could not refresh the writer lock: %s", exc)

    def _release_lock(self) -> None:
        self._lock_done.set()
        self.server.delete(self.key(keys.WRITER))

    # -- the drain loop ----------------------------------------------------------------------
    def drain(self, *, wait_for_workers: float = 300.0, poll: float = 0.5, progress: bool = False,
              workers_exited=lambda: False) -> dict:
        """Store items until every worker is done; `progress`: a live line on stderr;
        `workers_exited()`: the workers this process started have all exited (so waiting
        for a first worker to join is pointless)."""
        started_wait = self.started = time.monotonic()
        self.busy_seconds = 0.0             # time spent storing (the writer's own load)
        shown = 0.0
        while True:
            now = time.monotonic()
            if progress and now - shown >= 1.0:
                shown = now
                self._progress_line()
            if self._store_batch(poll):
                continue
            started = int(self.server.get(self.key(keys.WORKERS_STARTED)) or 0)
            if not started:
                if workers_exited():
                    raise RuntimeError("the crawler processes exited before joining the crawl "
                                       "(see their errors above)")
                if time.monotonic() - started_wait > wait_for_workers:
                    raise TimeoutError(f"no worker joined {self.prefix!r} within {wait_for_workers:.0f} s")
                continue
            if self._live_workers() == 0 and self.server.llen(self.key(keys.ITEMS)) == 0:
                break
        left = self.queued() + self.server.zcard(self.key(keys.LEASES))
        if left:
            return self.stop_incomplete(left)
        return self.finish()

    def _store_batch(self, poll: float) -> int:
        """Move up to a batch of items to `processing`, store them in one transaction, then
        forget them; how many were stored (0 when none came within `poll` seconds)."""
        items, processing = self.key(keys.ITEMS), self.key(keys.PROCESSING)
        if self.server.blmove(items, processing, poll, "LEFT", "RIGHT") is None:
            return 0
        t0 = time.monotonic()
        if self.batch > 1:
            self._more(keys=[items, processing], args=[self.batch - 1])
        entries = [pickle.loads(raw) for raw in self.server.lrange(processing, 0, -1)]
        taken = len(entries)
        for e in entries:
            if e[0] == "names":                 # a site's other name, learned by a worker
                _, kind, site, url = e
                self.names.apply([(site, kind, url)])
                self.archive.store_site_name(site, kind, url)
        entries = [e for e in entries if e[0] != "names"]
        pages = [(e[1], e[2]) for e in entries if e[0] == "page"]
        for item, _ in pages:
            # one identity whichever worker fetched it: a worker may not yet have known the
            # preferred form of the site another worker learned
            item.canonical_url = self.names.canonical(item.canonical_url)
            item.run_id = self.run_id
        for e in entries:
            if e[0] == "listing":
                e[1].links = [self.names.canonical(u) for u in e[1].links]
        # a page: (Capture, Document, OCR records); entries of an older worker have no records
        results = self.archive.store_pages(
            self.run_id, [e[1] if e[0] == "listing" else tuple(e[1:4]) for e in entries])
        self.server.delete(processing)
        for entry, res in zip(entries, results):
            if entry[0] == "page":
                self.tally.count(entry[1], entry[2], res)
        self.stored += len(pages)
        self.busy_seconds += time.monotonic() - t0
        return taken

    def queued(self) -> int:
        """Requests waiting in the crawl's queues."""
        return keys.queued(self.server, self.prefix)

    def _progress_line(self) -> None:
        elapsed = time.monotonic() - self.started
        reports = totals(self.sites.rows())["reports"]
        workers = self.server.scard(self.key(keys.WORKERS))
        backlog = self.server.llen(self.key(keys.ITEMS))
        sys.stderr.write(f"\r{int(elapsed)}s  stored {self.stored} ({self.stored / max(elapsed, 1e-9):.1f}/s)"
                         f"  reports {reports}  workers {workers}  backlog {backlog}   \r")
        sys.stderr.flush()

    def _live_workers(self) -> int:
        """Registered workers with a heartbeat, and retired ones whose successor is starting."""
        live = sum(1 for _ in self.server.scan_iter(self.key(keys.HANDOVER, "*"), count=500))
        for w in self.server.smembers(self.key(keys.WORKERS)):
            wid = w.decode()
            if self.server.exists(self.key(keys.ALIVE, wid)):
                live += 1
            else:
                logger.warning("worker %s stopped without closing (heartbeat expired)", wid)
                self.server.srem(self.key(keys.WORKERS), wid)
        return live

    # -- after the workers ---------------------------------------------------------------------
    def worker_stats(self) -> list[dict]:
        return [json.loads(x) for x in self.server.lrange(self.key(keys.WORKER_STATS), 0, -1)]

    def _merged(self) -> tuple[list[dict], dict, dict]:
        workers = self.worker_stats()
        merged: dict[str, float] = defaultdict(float)
        for w in workers:
            for k, v in w["stats"].items():
                merged[k] += v
            # what each worker fetched; what was stored the writer counted itself
            self.sites.add_rows({site: {k: v for k, v in row.items()
                                        if k not in ("reports", "new", "changed", "stored")}
                                 for site, row in (w.get("sites") or {}).items()})
        recycled = sum(1 for w in workers if w.get("reason") == RECYCLED)
        distributed = {"workers": len(workers), "recycled": recycled,
                       # a recycled worker's successor ended the work it handed over
                       "worker_reasons": sorted({w.get("reason") or "?" for w in workers} - {RECYCLED})
                       or ([RECYCLED] if recycled else []),
                       "writer": {"stored": self.stored, "busy_seconds": round(self.busy_seconds, 3)},
                       "per_worker": {w["worker"]: {"pages": int(w["stats"].get("nianbao/progress/pages", 0)),
                                                    "requests": int(w["stats"].get("downloader/request_count", 0)),
                                                    "taken": int(w["stats"].get("scheduler/dequeued/redis", 0)),
                                                    "peak_rss_mb": w["stats"].get("nianbao/progress/peak_rss_mb")}
                                      for w in workers}}
        if self.resumed is not None:
            distributed["resumed"] = self.resumed
        return workers, dict(merged), distributed

    def finish(self) -> dict:
        workers, merged, distributed = self._merged()
        sites = self.sites.rows()
        total = totals(sites, ("stored",))
        reasons = distributed["worker_reasons"]
        reason = "finished" if reasons == ["finished"] else ",".join(reasons)
        table = format_table(sites)
        print(table, file=sys.stderr)
        log = self.archive.finish_run(
            self.run_id, {"sites": sites, "totals": total, "finish_reason": reason,
                          "distributed": distributed, "scrapy": merged},
            status="finished" if reason == "finished" else reason)
        self.archive.close()
        self.archive = None
        self._lock_done.set()
        clear_namespace(self.server, self.prefix)
        return {"run_id": self.run_id, "db": self.db_path, "sites": sites, "totals": total,
                "table": table, "archive": log, "distributed": distributed, "reason": reason,
                "report_urls": self.tally.urls()}

    def stop_incomplete(self, left: int) -> dict:
        """Every worker is gone but `left` requests are queued or leased: keep the run open
        (the next run marks it interrupted) and the crawl in Redis for `--resume`."""
        workers, merged, distributed = self._merged()
        sites = self.sites.rows()
        logger.warning("every worker stopped with %d requests left in Redis %s", left, self.prefix)
        self.abort()
        return {"run_id": self.run_id, "db": self.db_path, "sites": sites,
                "totals": totals(sites, ("stored",)), "distributed": distributed,
                "reason": "incomplete", "left": left, "report_urls": self.tally.urls()}

    def abort(self) -> None:
        """Stop without finishing: the run stays 'running' (marked interrupted by the next
        run); the crawl's Redis keys stay for `--resume`, only the writer lock goes."""
        self._release_lock()
        if self.archive is not None:
            self.archive.close()
            self.archive = None
