"""What every archive path does with a fetched page: the local pipeline, the Redis
worker pipeline and the Redis archive writer share these, so they count alike."""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from nianbao import extract
from nianbao.archive.capture import Capture
from nianbao.archive.store import StoreResult
from nianbao.crawler.extensions.sitestats import SiteStats

logger = logging.getLogger(__name__)


async def extract_page(item: Capture) -> extract.Document | None:
    """The page's Document, or None (failed fetch, non-2xx); a crash in extraction is
    recorded on the item as its error, so the capture is still stored."""
    if item.error is not None or not item.body or not item.status or not 200 <= item.status < 300:
        return None
    try:
        return await asyncio.to_thread(extract.extract_document, item.body,
                                       item.final_url or item.url, item.headers)
    except Exception as exc:  # bad input must not lose the capture
        logger.warning("extraction failed for %s: %r", item.url, exc)
        item.error = f"extraction failed: {exc!r}"[:500]
        return None


class ReportTally:
    """Which stored pages were reports: counted once per canonical URL into the site
    counters (reports, new, changed; every stored page as stored), with the report URLs
    kept per site for the crawl's result."""

    def __init__(self, sites: SiteStats, known_reports: set[str] | None = None):
        self.sites = sites
        self.known_reports = set(known_reports or ())
        self.report_urls: dict[str, set[str]] = defaultdict(set)

    def count(self, item: Capture, document: extract.Document | None, result: StoreResult) -> None:
        self.sites.inc(item.site, "stored")
        is_report = document is not None and document.is_report and not document.is_not_found
        if item.not_modified and item.canonical_url in self.known_reports:
            is_report = True              # unchanged since the last run: still a report
        seen = self.report_urls[item.site]
        if not is_report or item.kind != "page" or item.canonical_url in seen:
            return
        seen.add(item.canonical_url)
        self.sites.inc(item.site, "reports")
        if result.new_document:
            self.sites.inc(item.site, "new")
        elif result.new_version:
            self.sites.inc(item.site, "changed")

    def urls(self) -> dict[str, list[str]]:
        return {s: sorted(u) for s, u in self.report_urls.items()}
