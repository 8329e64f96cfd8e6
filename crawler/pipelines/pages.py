"""What every archive path does with a fetched page: the local pipeline, the Redis
worker pipeline and the Redis archive writer share these, so they count alike."""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Awaitable, Callable

from nianbao import extract
from nianbao.archive.capture import Capture, OcrRecord
from nianbao.archive.store import StoreResult
from nianbao.crawler.extensions.sitestats import SiteStats

logger = logging.getLogger(__name__)


async def extract_page(item: Capture) -> extract.Document | None:
    """The page's Document, or None (failed fetch, non-2xx); a crash in extraction is
    recorded on the item as its error, so the capture is still stored. A Document the
    spider extracted from the same body already (`Capture.extracted`) is taken as it is:
    extraction is the costliest step of a page, and its result would be the same."""
    document, item.extracted = item.extracted, None
    if item.error is not None or not item.body or not item.status or not 200 <= item.status < 300:
        return None
    if document is not None:
        return document
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


class OcrPool:
    """OCR off the reactor: a process pool (started on first use, `spawn`ed so no reactor
    state is forked) with its own concurrency limit, and the archive's cache in front of
    it, so a blob is read once per engine version."""

    def __init__(self, workers: int, engine: str):
        from nianbao.extract.ocr import engine_version
        self.workers = max(1, workers)
        self.engine = engine
        self.version = engine_version(engine)
        self._pool = None
        self._limit = asyncio.Semaphore(self.workers)
        # told of every picture read (None: the read failed), at once, before the page is
        # stored: a shared cache
        self.on_read: Callable[[str, OcrRecord | None], None] | None = None
        self.stats = None                      # the crawl's stats: pictures read and found cached
        # other processes reading pictures too: `shared(digest, engine)` waits for one that
        # is reading this picture and gives its result, or claims the read (None)
        self.shared: Callable[[str, str], Awaitable[str | None]] | None = None

    @classmethod
    def from_settings(cls, settings) -> "OcrPool | None":
        if not settings.getbool("NIANBAO_OCR"):
            return None
        return cls(settings.getint("NIANBAO_OCR_CONCURRENCY"), settings.get("NIANBAO_OCR_ENGINE"))

    async def _read(self, data: bytes) -> tuple[str, float | None, float]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from nianbao.extract.ocr import ocr_json
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, ocr_json, data, self.engine, 1)

    async def document(self, item: Capture, document: extract.Document,
                       cached) -> tuple[extract.Document, dict[str, OcrRecord]]:
        """The document extracted again with OCR of what it asks for; `cached(digest,
        engine)` answers from the archive. Returns the new cache records too."""
        from nianbao.archive.blobs import sha256
        from nianbao.extract.ocr import OcrError, OcrResult
        images = {im.url: im.body for im in item.images if im.body}
        results: dict[str, OcrResult] = {}
        new: dict[str, OcrRecord] = {}
        for ref in document.ocr_inputs:
            data = item.body if ref == "" else images.get(ref)
            if not data:
                continue
            digest = sha256(data)
            js = (new[digest].result if digest in new else None) or cached(digest, self.version)
            if js is None:
                async with self._limit:
                    # asked again once it is this page's turn: pages waiting for the same
                    # picture (one scan on many pages) find what the first one read
                    js = cached(digest, self.version)
                    if js is None and self.shared is not None:
                        js = await self.shared(digest, self.version)
                    if js is None:
                        try:
                            js, conf, secs = await self._read(data)
                        except OcrError as exc:
                            logger.warning("OCR failed for %s: %s", ref or item.url, exc)
                            if self.on_read is not None:
                                self.on_read(digest, None)
                            continue
                        new[digest] = OcrRecord(self.version, js, conf, secs)
                        self._count("nianbao/ocr/read")
                        if self.on_read is not None:
                            self.on_read(digest, new[digest])
            if digest not in new:
                self._count("nianbao/ocr/cached")
            results[ref] = OcrResult.from_json(js)
        if not results:
            return document, new
        doc = await asyncio.to_thread(extract.extract_document, item.body, item.final_url or item.url,
                                      item.headers, results)
        return doc, new

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
