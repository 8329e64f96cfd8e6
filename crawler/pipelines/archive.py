"""From fetched pages to the archive: extract each page, store it, count it per site.

For each `Capture`: `extract.extract_document(body, url, headers)` (in a worker thread,
so a slow PDF does not stall downloads); a document that asks for OCR (a scan, a 图片版
page, image tables) is read by `OcrPool` (a process pool with its own limit, the archive's
OCR cache first) and extracted again; then `Archive.store_page(run_id, page, document)`.
Failed fetches (no response, HTTP errors) are stored as failed captures with their reason
and no document. `Listing`s go to `Archive.store_listing` (removal detection).

At the end of the crawl the per-site counters (`SiteStats`: pages fetched, rendered,
reports found, new, changed, failed, requests, robots refusals) are printed one line per
site and written to the archive's crawl log through `Archive.finish_run`; `result` holds
them for whoever started the crawl in this process.
"""
from __future__ import annotations

import logging
import sys

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from nianbao.archive.capture import Capture, Listing
from nianbao.archive.store import Archive, ArchiveBusyError, ArchiveError, ArchiveFullError
from nianbao.crawler.extensions.history import CrawlHistoryExtension
from nianbao.crawler.extensions.sitestats import SiteStats, format_table, totals
from nianbao.crawler.pipelines.pages import OcrPool, ReportTally, extract_page

logger = logging.getLogger(__name__)

# progress, conditional requests, faults, journal (crawler/extensions, middlewares, frontier)
_OPS_STATS = ("nianbao/progress/", "nianbao/conditional/", "nianbao/incremental/", "nianbao/faults/",
              "nianbao/frontier/", "retry/", "downloader/response_status_count/")
# counters of the crawl log's totals beyond the table's columns
_EXTRA_TOTALS = ("renders", "shells", "explored", "stored", "robots_txt")


def not_answering_lines(silent: dict[str, dict]) -> list[str]:
    """One line per site that did not answer the run (archive/blocking.py's verdicts)."""
    lines = []
    for host, v in sorted(silent.items()):
        ev = v.get("evidence") or {}
        mix = ", ".join(f"{n}× {'no answer' if s == 'none' else 'HTTP ' + s}"
                        for s, n in sorted(ev.get("statuses", {}).items()))
        why = (ev.get("refusal") or {}).get("reason") or ", ".join(sorted(ev.get("errors", {})))
        lines.append(f"site {host} {v['state'].upper()} in this run: {mix}"
                     + (f" ({why})" if why else "") + "; none of its reports counts as removed")
    return lines


class ArchivePipeline:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.db_path = s.get("NIANBAO_DB")
        self.removal_after = s.getint("NIANBAO_REMOVAL_AFTER")
        self.busy_timeout = s.getfloat("NIANBAO_BUSY_TIMEOUT")
        self.max_bytes = s.getint("NIANBAO_DB_MAX_BYTES")
        self.stopped: str | None = None        # why the archive stopped the crawl
        self.first_error: dict[str, str] = {}  # site -> the first failed fetch's reason
        self.options = {
            "render": s.get("NIANBAO_RENDER"), "robots": s.getbool("ROBOTSTXT_OBEY"),
            "user_agent": s.get("USER_AGENT"), "max_pages_per_site": s.getint("NIANBAO_MAX_PAGES_PER_SITE"),
            "depth_limit": s.getint("DEPTH_LIMIT"), "concurrency_per_site": s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "store_all": s.getbool("NIANBAO_STORE_ALL"),
            "removal_after": s.getint("NIANBAO_REMOVAL_AFTER"),
        }
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.tally: ReportTally | None = None
        self.result: dict | None = None
        self.ocr = OcrPool.from_settings(s)
        if self.ocr is not None:
            self.ocr.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def known_reports(self) -> set[str]:
        return self.tally.known_reports if self.tally else set()

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        sites = sorted(getattr(spider, "sites", []) or [])
        try:
            self.archive = Archive(self.db_path, removal_after=self.removal_after,
                                   busy_timeout=self.busy_timeout, max_bytes=self.max_bytes)
            self.run_id = self.archive.start_run(sites, self.options)
        except ArchiveError as exc:
            # no run can be opened (the lock is held, the disk is full): fetch nothing
            if self.archive is not None:
                self.archive.close()
                self.archive = None
            reason = ("archive_busy" if isinstance(exc, ArchiveBusyError)
                      else "archive_full" if isinstance(exc, ArchiveFullError) else "archive_error")
            logger.error("%s; nothing is crawled", exc)
            self.stopped = reason
            self.result = {"run_id": None, "db": str(self.db_path), "sites": {}, "totals": {},
                           "reason": reason, "error": str(exc)}
            self.crawler.signals.connect(self._close_at_once, signal=signals.spider_opened)
            return
        # reports of earlier runs: a 304 answer from one still counts as a report found
        self.tally = ReportTally(SiteStats.of(self.crawler),
                                 CrawlHistoryExtension.of(self.crawler).known_reports(sites))
        # what the crawl learns of its sites' names is kept for later crawls
        names = getattr(spider, "names", None)
        if names is not None:
            names.listeners.append(self._store_site_name)
        logger.info("archive %s, run %d, sites: %s", self.db_path, self.run_id, ", ".join(sites))

    async def process_item(self, item, spider=None):
        if self.archive is None:
            return item                 # the crawl is closing: no run was opened
        if isinstance(item, Listing):
            try:
                self.archive.store_listing(self.run_id, item)
            except (ArchiveBusyError, ArchiveFullError) as exc:
                self._stop("archive_busy" if isinstance(exc, ArchiveBusyError) else "archive_full", exc)
            return item
        if not isinstance(item, Capture):
            return item
        item.run_id = self.run_id
        if item.error and item.site not in self.first_error:
            self.first_error[item.site] = item.error
        document = await extract_page(item)
        records = None
        if document is not None and document.ocr_inputs and self.ocr is not None:
            document, records = await self.ocr.document(item, document, self.archive.ocr_result)
        try:
            res = self.archive.store_page(self.run_id, item, document, records)
        except (ArchiveBusyError, ArchiveFullError) as exc:
            # Another writer holds the archive past the busy timeout, or the disk is full:
            # stop cleanly rather than fetch pages that cannot be stored; the next crawl
            # fetches this one again.
            self._stop("archive_busy" if isinstance(exc, ArchiveBusyError) else "archive_full", exc)
            return item
        self.tally.count(item, document, res)
        return item

    def _store_site_name(self, kind: str, site: str, url: str) -> None:
        if self.archive is None:
            return
        try:
            self.archive.store_site_name(site, kind, url)
        except (ArchiveBusyError, ArchiveFullError) as exc:
            self._stop("archive_busy" if isinstance(exc, ArchiveBusyError) else "archive_full", exc)

    def _close_at_once(self, spider=None):
        self._close_crawl(self.stopped)

    def _close_crawl(self, reason: str) -> None:
        """Ask the engine to close the crawl (not awaited: the item being stored is part of
        what the close waits for)."""
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _stop(self, reason: str, exc: Exception) -> None:
        if self.stopped is None:
            logger.error("%s; stopping the crawl", exc)
        self.stopped = self.stopped or reason
        self.crawler.stats.inc_value(f"nianbao/{reason}")
        try:
            self._close_crawl(reason)
        except (AttributeError, RuntimeError):   # no engine: the pipeline is driven directly
            pass

    def _engine_running(self) -> bool:
        try:
            return bool(self.crawler.engine.running)
        except (AttributeError, RuntimeError):     # driven directly, without an engine
            return True

    def close_spider(self, spider=None):
        if self.ocr is not None:
            self.ocr.close()
        if self.archive is None:
            return
        crawl_sites = set(getattr(self.crawler.spider, "sites", None) or ())
        sites = {s: r for s, r in SiteStats.of(self.crawler).rows(crawl_sites).items()
                 if s in crawl_sites or r.get("stored")}
        stats = self.crawler.stats.get_stats()
        total = totals(sites, _EXTRA_TOTALS)
        total["render_timeouts"] = stats.get("nianbao/render/timeouts", 0)
        total["backoffs"] = sum(v for k, v in stats.items() if k.startswith("nianbao/backoff/"))
        total["render_max_concurrent"] = stats.get("playwright/page_count/max_concurrent", 0)
        total["browser_subrequests_blocked"] = stats.get("nianbao/render/subrequests_blocked", 0)
        # Scrapy sets finish_reason only after the pipelines closed; a stopped engine means a
        # shutdown (Ctrl-C, SIGTERM), which must not be logged as a finished run
        reason = self.stopped or stats.get("finish_reason") or \
            ("finished" if self._engine_running() else "shutdown")
        table = format_table(sites)
        self.result = {"run_id": self.run_id, "db": str(self.db_path), "sites": sites, "totals": total,
                       "failed_sites": sorted(s for s, r in sites.items() if not r.get("fetched")),
                       "report_urls": self.tally.urls(), "table": table, "reason": reason,
                       "site_reasons": {**SiteStats.of(self.crawler).reasons(), **self.first_error}}
        print(table, file=sys.stderr)
        if self.stopped == "archive_full":
            self.archive.open_reserve()
        try:
            self.result["archive"] = self.archive.finish_run(
                self.run_id, {"sites": sites, "totals": total, "finish_reason": reason,
                              "ops": {k: v for k, v in stats.items() if k.startswith(_OPS_STATS)}},
                status="finished" if reason in ("finished", None) else str(reason))
        except ArchiveError as exc:
            # a full disk (or a lock held past the timeout) at the very end: what was stored
            # stays; the run stays 'running' and the next crawl calls it interrupted
            logger.error("the run's log could not be written: %s", exc)
            self.result["archive"] = {}
            self.result["reason"] = self.stopped or ("archive_full" if isinstance(exc, ArchiveFullError)
                                                     else "archive_busy")
        finally:
            self.archive.close()
            self.archive = None
        silent = self.result["archive"].get("archive", {}).get("sites_not_answering") or {}
        self.result["blocked_sites"] = sorted(h for h, v in silent.items() if v["state"] == "blocked")
        for line in not_answering_lines(silent):
            print(line, file=sys.stderr)
