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

from nianbao.archive.capture import Capture, Listing
from nianbao.archive.store import Archive, ArchiveBusyError
from nianbao.crawler.extensions.history import CrawlHistoryExtension
from nianbao.crawler.extensions.sitestats import SiteStats, format_table, totals
from nianbao.crawler.pipelines.pages import OcrPool, ReportTally, extract_page

logger = logging.getLogger(__name__)

# progress, conditional requests, faults, journal (crawler/extensions, middlewares, frontier)
_OPS_STATS = ("nianbao/progress/", "nianbao/conditional/", "nianbao/incremental/", "nianbao/faults/",
              "nianbao/frontier/", "retry/", "downloader/response_status_count/")
# counters of the crawl log's totals beyond the table's columns
_EXTRA_TOTALS = ("renders", "shells", "explored", "stored", "robots_txt")


class ArchivePipeline:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.db_path = s.get("NIANBAO_DB")
        self.removal_after = s.getint("NIANBAO_REMOVAL_AFTER")
        self.busy_timeout = s.getfloat("NIANBAO_BUSY_TIMEOUT")
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

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def known_reports(self) -> set[str]:
        return self.tally.known_reports if self.tally else set()

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.archive = Archive(self.db_path, removal_after=self.removal_after,
                               busy_timeout=self.busy_timeout)
        sites = sorted(getattr(spider, "sites", []) or [])
        self.run_id = self.archive.start_run(sites, self.options)
        # reports of earlier runs: a 304 answer from one still counts as a report found
        self.tally = ReportTally(SiteStats.of(self.crawler),
                                 CrawlHistoryExtension.of(self.crawler).known_reports(sites))
        logger.info("archive %s, run %d, sites: %s", self.db_path, self.run_id, ", ".join(sites))

    async def process_item(self, item, spider=None):
        if isinstance(item, Listing):
            self.archive.store_listing(self.run_id, item)
            return item
        if not isinstance(item, Capture):
            return item
        item.run_id = self.run_id
        document = await extract_page(item)
        records = None
        if document is not None and document.ocr_inputs and self.ocr is not None:
            document, records = await self.ocr.document(item, document, self.archive.ocr_result)
        try:
            res = self.archive.store_page(self.run_id, item, document, records)
        except ArchiveBusyError as exc:
            # Another writer holds the archive past the busy timeout: stop cleanly rather than
            # fetch pages that cannot be stored; the next crawl fetches this one again.
            logger.error("%s; stopping the crawl", exc)
            self.crawler.stats.inc_value("nianbao/archive_busy")
            try:
                self.crawler.engine.close_spider(self.crawler.spider, "archive_busy")
            except RuntimeError:   # no engine: the pipeline is driven directly, not by a crawl
                pass
            return item
        self.tally.count(item, document, res)
        return item

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
        reason = stats.get("finish_reason") or ("finished" if self._engine_running() else "shutdown")
        table = format_table(sites)
        self.result = {"run_id": self.run_id, "db": str(self.db_path), "sites": sites, "totals": total,
                       "failed_sites": sorted(s for s, r in sites.items() if not r.get("fetched")),
                       "report_urls": self.tally.urls(), "table": table, "reason": reason}
        print(table, file=sys.stderr)
        try:
            self.result["archive"] = self.archive.finish_run(
                self.run_id, {"sites": sites, "totals": total, "finish_reason": reason,
                              "ops": {k: v for k, v in stats.items() if k.startswith(_OPS_STATS)}},
                status="finished" if reason in ("finished", None) else str(reason))
        finally:
            self.archive.close()
            self.archive = None
