"""From fetched pages to the archive: extract each page, store it, count it per site.

For each `Capture`: `extract.extract_document(body, url, headers)` (in a worker thread,
so a slow PDF does not stall downloads), then `Archive.store_page(run_id, page, document)`.
Failed fetches (no response, HTTP errors) are stored as failed captures with their reason
and no document. `Listing`s go to `Archive.store_listing` (removal detection).

At the end of the crawl the per-site statistics (pages fetched, rendered, reports found,
new, changed, failed, requests, robots refusals) are logged one line per site, written to
the archive's crawl log through `Archive.finish_run`, and optionally to a JSON file.
"""
from __future__ import annotations

import json
import logging
import sys
from collections import defaultdict
from pathlib import Path

from nianbao.archive.store import Archive, ArchiveBusyError

from nianbao.archive.capture import Listing, Capture
from nianbao.crawler.extensions.history import CrawlHistoryExtension
from nianbao.crawler.pipelines.pages import count_report, extract_page

logger = logging.getLogger(__name__)

# per-site counters: fetched/rendered/failed/requests/robots_blocked/shells/explored come from
# the spider and the downloader (stats keys nianbao/site/<site>/<name>), the rest from here
SITE_COLUMNS = ("fetched", "rendered", "reports", "new", "changed", "failed", "requests",
                "robots_blocked", "not_modified")

# progress, conditional requests, faults, journal (crawler/extensions, middlewares, frontier)
_OPS_STATS = ("nianbao/progress/", "nianbao/conditional/", "nianbao/incremental/", "nianbao/faults/",
              "nianbao/frontier/", "retry/", "downloader/response_status_count/")


def format_site_stats(sites: dict[str, dict]) -> str:
    """The end-of-crawl table: one line per site, then the totals."""
    head = f"{'site':<28} " + " ".join(f"{c:>8}" for c in ("pages", "rendered", "reports", "new",
                                                           "changed", "failed", "requests", "robots",
                                                           "304"))
    lines = [head]
    totals = defaultdict(int)
    for site, row in sorted(sites.items()):
        lines.append(f"{site:<28} " + " ".join(f"{row.get(c, 0):>8}" for c in SITE_COLUMNS))
        for c in SITE_COLUMNS:
            totals[c] += row.get(c, 0)
    lines.append(f"{'total':<28} " + " ".join(f"{totals[c]:>8}" for c in SITE_COLUMNS))
    return "\n".join(lines)


class ArchivePipeline:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.db_path = s.get("NIANBAO_DB", "data/archive.db")
        self.removal_after = s.getint("NIANBAO_REMOVAL_AFTER", 3)
        self.busy_timeout = s.getfloat("NIANBAO_BUSY_TIMEOUT", 30.0)
        self.stats_file = s.get("NIANBAO_STATS_FILE")
        self.options = {
            "render": s.get("NIANBAO_RENDER"), "robots": s.getbool("ROBOTSTXT_OBEY"),
            "user_agent": s.get("USER_AGENT"), "max_pages_per_site": s.getint("NIANBAO_MAX_PAGES_PER_SITE"),
            "depth_limit": s.getint("DEPTH_LIMIT"), "concurrency_per_site": s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "store_all": s.getbool("NIANBAO_STORE_ALL"),
            "removal_after": s.getint("NIANBAO_REMOVAL_AFTER", 3),
        }
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.sites: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        self.report_urls: dict[str, set[str]] = defaultdict(set)
        self.result: dict | None = None
        self.known_reports: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.archive = Archive(self.db_path, removal_after=self.removal_after,
                               busy_timeout=self.busy_timeout)
        sites = sorted(getattr(spider, "sites", []) or [])
        self.run_id = self.archive.start_run(sites, self.options)
        # reports of earlier runs: a 304 answer from one still counts as a report found
        self.known_reports = CrawlHistoryExtension.of(self.crawler).known_reports(sites)
        logger.info("archive %s, run %d, sites: %s", self.db_path, self.run_id, ", ".join(sites))

    async def process_item(self, item, spider=None):
        if isinstance(item, Listing):
            self.archive.store_listing(self.run_id, item)
            return item
        if not isinstance(item, Capture):
            return item
        item.run_id = self.run_id
        row = self.sites[item.site]
        document = await extract_page(item)
        try:
            res = self.archive.store_page(self.run_id, item, document)
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
        count_report(row, self.report_urls[item.site], self.known_reports, item, document, res)
        return item

    def _collect(self) -> dict:
        """Per-site rows: the pipeline's counts plus the downloader's and spider's."""
        stats = self.crawler.stats.get_stats()
        prefix = "nianbao/site/"
        for key, value in stats.items():
            if not key.startswith(prefix):
                continue
            site, _, name = key[len(prefix):].rpartition("/")
            if site in self.sites or site in (getattr(self.crawler.spider, "sites", None) or ()):
                self.sites[site][name] = value
        return {site: {**{c: 0 for c in SITE_COLUMNS}, **row} for site, row in self.sites.items()}

    def _engine_running(self) -> bool:
        try:
            return bool(self.crawler.engine.running)
        except (AttributeError, RuntimeError):     # driven directly, without an engine
            return True

    def close_spider(self, spider=None):
        if self.archive is None:
            return
        sites = self._collect()
        for s in getattr(self.crawler.spider, "sites", []) or []:
            sites.setdefault(s, {c: 0 for c in SITE_COLUMNS})
        stats = self.crawler.stats.get_stats()
        totals = {c: sum(r.get(c, 0) for r in sites.values())
                  for c in SITE_COLUMNS + ("renders", "shells", "explored", "stored", "robots_txt")}
        totals["render_timeouts"] = stats.get("nianbao/render/timeouts", 0)
        totals["backoffs"] = sum(v for k, v in stats.items() if k.startswith("nianbao/backoff/"))
        totals["render_max_concurrent"] = stats.get("playwright/page_count/max_concurrent", 0)
        totals["browser_subrequests_blocked"] = stats.get("nianbao/render/subrequests_blocked", 0)
        # Scrapy sets finish_reason only after the pipelines closed; a stopped engine means a
        # shutdown (Ctrl-C, SIGTERM), which must not be logged as a finished run
        reason = stats.get("finish_reason") or ("finished" if self._engine_running() else "shutdown")
        failed_sites = sorted(s for s, r in sites.items() if not r.get("fetched"))
        self.result = {"run_id": self.run_id, "db": str(self.db_path), "sites": sites, "totals": totals,
                       "failed_sites": failed_sites,
                       "report_urls": {s: sorted(u) for s, u in self.report_urls.items()}}
        table = format_site_stats(sites)
        self.result["table"] = table
        print(table, file=sys.stderr)
        try:
            self.result["archive"] = self.archive.finish_run(
                self.run_id, {"sites": sites, "totals": totals, "finish_reason": reason,
                              "ops": {k: v for k, v in stats.items() if k.startswith(_OPS_STATS)}},
                status="finished" if reason in ("finished", None) else str(reason))
        finally:
            self.archive.close()
            self.archive = None
        if self.stats_file:
            Path(self.stats_file).write_text(json.dumps(self.result, ensure_ascii=False, indent=1,
                                                        default=str), encoding="utf-8")
