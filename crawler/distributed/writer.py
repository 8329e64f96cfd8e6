"""The single archive writer of a distributed crawl: drains the items the workers push to
Redis (`crawler.pipelines.redis_items`) into the SQLite archive, so SQLite keeps one
writer however many crawler processes share the frontier.

    writer = ArchiveWriter(redis_url, prefix, db_path)
    writer.prepare(portals, options, resume=False)   # plan + archive history for the workers
    result = writer.drain()                          # until every worker has finished

`prepare` opens the archive run, publishes the crawl plan (portals), the validators and
known reports of earlier runs (`crawler.distributed.history.publish_history`) and sets
`<prefix>:ready`; workers wait for it. `drain` stores items as they come and stops when
at least one worker has run, no registered worker is left (a worker whose heartbeat
expired counts as gone) and the item list is empty; it then closes the run with merged
statistics (same shape as the local crawl's) and clears the crawl's Redis keys.
"""
from __future__ import annotations

import json
import logging
import pickle
import sys
import time
from collections import defaultdict
from dataclasses import asdict

from nianbao.archive.store import Archive

from nianbao.archive.history import CrawlHistory
from nianbao.archive.urls import SiteNames
from nianbao.crawler.distributed.history import publish_history
from nianbao.crawler.extensions.sitestats import SiteStats, format_table, totals
from nianbao.crawler.pipelines.pages import ReportTally
from nianbao.crawler.portals import Portal
from nianbao.crawler.distributed.frontier import connect

logger = logging.getLogger(__name__)

WRITER_TTL = 30            # seconds the writer lock outlives a writer that died

NAMESPACE_KEYS = ("dupefilter", "sites", "items", "workers", "workers_started", "expect", "finished",
                  "worker_stats", "history", "known_reports", "site_names", "plan", "ready", "run_id",
                  "writer")


def clear_namespace(server, prefix: str) -> int:
    """Delete every key of the crawl `prefix` (queues, dupefilter, items, markers)."""
    keys = [f"{prefix}:{k}" for k in NAMESPACE_KEYS]
    for pattern in ("requests:*", "busy:*", "alive:*"):
        keys += [k.decode() for k in server.scan_iter(f"{prefix}:{pattern}", count=500)]
    return server.delete(*keys) if keys else 0


def read_plan(server, prefix: str) -> list[Portal] | None:
    raw = server.get(f"{prefix}:plan")
    if not raw:
        return None
    return [Portal(**d) for d in json.loads(raw)["portals"]]


class ArchiveWriter:
    def __init__(self, redis_url: str, prefix: str, db_path: str, *, removal_after: int = 3,
                 busy_timeout: float = 30.0):
        self.server = connect(redis_url)
        self.server.ping()
        self.prefix = prefix
        self.db_path = str(db_path)
        self.removal_after = removal_after
        self.busy_timeout = busy_timeout
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.sites = SiteStats()          # the workers' counts join these at the end
        self.tally = ReportTally(self.sites)
        self.stored = 0

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # -- before the workers ----------------------------------------------------------------
    def prepare(self, portals: list[Portal] | None, options: dict, *, resume: bool = False) -> list[Portal]:
        """Open the run and publish what workers need; returns the crawl's portals."""
        if not self.server.set(self.key("writer"), str(time.time()), nx=True, ex=WRITER_TTL):
            raise RuntimeError(f"another archive writer is already draining {self.prefix!r}")
        existing = read_plan(self.server, self.prefix)
        if not resume or existing is None:
            writer_mark = self.server.get(self.key("writer"))
            clear_namespace(self.server, self.prefix)
            self.server.set(self.key("writer"), writer_mark, ex=WRITER_TTL)
            existing = None
        plan = existing or portals
        if not plan:
            raise ValueError("nothing to crawl: give start URLs or --portals FILE")
        self.names = SiteNames.of_portals(plan)
        self.archive = Archive(self.db_path, removal_after=self.removal_after,
                               busy_timeout=self.busy_timeout)
        sites = sorted({s for p in plan for s in p.all_sites()})
        self.run_id = self.archive.start_run(sites, {**options, "distributed": True,
                                                     "redis_prefix": self.prefix})
        history = CrawlHistory(self.db_path)
        try:
            published = publish_history(history, self.server, self.prefix)
            self.tally.known_reports = history.known_reports(sites)
            self.names.apply(history.site_names())
        finally:
            history.close()
        pipe = self.server.pipeline()
        pipe.set(self.key("plan"), json.dumps({"portals": [asdict(p) for p in plan]}, ensure_ascii=False))
        pipe.set(self.key("run_id"), self.run_id)
        pipe.set(self.key("ready"), "1")
        pipe.execute()
        logger.info("writer ready: run %d, %d sites, %d known URLs published to %s",
                    self.run_id, len(sites), published, self.prefix)
        return plan

    # -- the drain loop ----------------------------------------------------------------------
    def drain(self, *, wait_for_workers: float = 300.0, poll: float = 0.5, progress: bool = False,
              workers_exited=lambda: False) -> dict:
        """Store items until every worker is done; `progress`: a live line on stderr;
        `workers_exited()`: the workers this process started have all exited (so waiting
        for a first worker to join is pointless)."""
        started_wait = self.started = time.monotonic()
        shown = beat = 0.0
        while True:
            now = time.monotonic()
            if now - beat >= WRITER_TTL / 3:        # the writer lock lives as long as the writer
                beat = now
                self.server.expire(self.key("writer"), WRITER_TTL)
            if progress and now - shown >= 1.0:
                shown = now
                self._progress_line()
            got = self.server.blpop([self.key("items")], timeout=poll)
            if got is not None:
                self._store(pickle.loads(got[1]))
                continue
            started = int(self.server.get(self.key("workers_started")) or 0)
            if not started:
                if workers_exited():
                    raise RuntimeError("the crawler processes exited before joining the crawl "
                                       "(see their errors above)")
                if time.monotonic() - started_wait > wait_for_workers:
                    raise TimeoutError(f"no worker joined {self.prefix!r} within {wait_for_workers:.0f} s")
                continue
            if self._live_workers() == 0 and self.server.llen(self.key("items")) == 0:
                break
        return self.finish()

    def _progress_line(self) -> None:
        elapsed = time.monotonic() - self.started
        reports = totals(self.sites.rows())["reports"]
        workers = self.server.scard(self.key("workers"))
        backlog = self.server.llen(self.key("items"))
        sys.stderr.write(f"\r{int(elapsed)}s  stored {self.stored} ({self.stored / max(elapsed, 1e-9):.1f}/s)"
                         f"  reports {reports}  workers {workers}  backlog {backlog}   \r")
        sys.stderr.flush()

    def _live_workers(self) -> int:
        live = 0
        for w in self.server.smembers(self.key("workers")):
            wid = w.decode()
            if self.server.exists(self.key(f"alive:{wid}")):
                live += 1
            else:
                logger.warning("worker %s stopped without closing (heartbeat expired)", wid)
                self.server.srem(self.key("workers"), wid)
        return live

    def _store(self, entry) -> None:
        if entry[0] == "names":
            _, kind, site, url = entry
            self.names.apply([(site, kind, url)])
            self.archive.store_site_name(site, kind, url)
            return
        if entry[0] == "listing":
            listing = entry[1]
            listing.links = [self.names.canonical(u) for u in listing.links]
            self.archive.store_listing(self.run_id, listing)
            return
        _, item, document = entry
        # one identity whichever worker fetched it: a worker may not yet have known the
        # preferred form of the site another worker learned
        item.canonical_url = self.names.canonical(item.canonical_url)
        item.run_id = self.run_id
        res = self.archive.store_page(self.run_id, item, document)
        self.stored += 1
        self.tally.count(item, document, res)

    # -- after the workers ---------------------------------------------------------------------
    def worker_stats(self) -> list[dict]:
        return [json.loads(x) for x in self.server.lrange(self.key("worker_stats"), 0, -1)]

    def finish(self) -> dict:
        workers = self.worker_stats()
        merged: dict[str, float] = defaultdict(float)
        for w in workers:
            for k, v in w["stats"].items():
                merged[k] += v
            # what each worker fetched; what was stored the writer counted itself
            self.sites.add_rows({site: {k: v for k, v in row.items()
                                        if k not in ("reports", "new", "changed", "stored")}
                                 for site, row in (w.get("sites") or {}).items()})
        sites = self.sites.rows()
        total = totals(sites, ("stored",))
        reasons = sorted({w.get("reason") or "?" for w in workers})
        reason = "finished" if reasons == ["finished"] else ",".join(reasons)
        distributed = {"workers": len(workers), "worker_reasons": reasons,
                       "per_worker": {w["worker"]: {"pages": int(w["stats"].get("nianbao/progress/pages", 0)),
                                                    "requests": int(w["stats"].get("downloader/request_count", 0)),
                                                    "peak_rss_mb": w["stats"].get("nianbao/progress/peak_rss_mb")}
                                      for w in workers}}
        table = format_table(sites)
        print(table, file=sys.stderr)
        log = self.archive.finish_run(
            self.run_id, {"sites": sites, "totals": total, "finish_reason": reason,
                          "distributed": distributed, "scrapy": dict(merged)},
            status="finished" if reason == "finished" else reason)
        self.archive.close()
        self.archive = None
        clear_namespace(self.server, self.prefix)
        return {"run_id": self.run_id, "db": self.db_path, "sites": sites, "totals": total,
                "table": table, "archive": log, "distributed": distributed, "reason": reason,
                "report_urls": self.tally.urls()}

    def abort(self) -> None:
        """Stop without finishing: the run stays 'running' (marked interrupted by the next
        run); the crawl's Redis keys stay for `--resume`, only the writer lock goes."""
        self.server.delete(self.key("writer"))
        if self.archive is not None:
            self.archive.close()
            self.archive = None
