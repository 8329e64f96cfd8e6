"""Worker side of a distributed crawl: extract each fetched page here, where the CPU is,
and hand page + document to the single archive writer through a Redis list, so SQLite
keeps exactly one writer however many crawler processes there are.

Pages that are pictures (图片版 pages, scans, image tables) are read by OCR here too
(OcrPool, as a local crawl does), and the results go to the writer with the page, which
stores them in the archive's cache. Workers cannot read that cache, so they share theirs
through Redis (`ocr:<engine>:<sha256>`, for the crawl; the worker reading a picture claims
it in `ocr:<engine>:<sha256>:claim`, and the others wait for its result): a picture several
pages or sites publish is read once a crawl, not once a page (a scanned PDF is seconds of
CPU). A later crawl reads a changed picture page again.

Each entry of `<prefix>:items` is a pickle of ("page", Capture, Document | None, OCR records),
("listing", Listing), or ("names", "learn" | "prefer", site, url): a site's other name or
preferred form, learned by this worker. When the writer falls behind, the worker waits (bounded queue:
NIANBAO_REDIS_MAX_BACKLOG entries) instead of filling Redis's memory.
"""
from __future__ import annotations

import asyncio
import logging
import pickle

from nianbao.archive.capture import Listing, Capture
from nianbao.crawler.pipelines.pages import OcrPool, extract_page
from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect

logger = logging.getLogger(__name__)

OCR_TTL = 7 * 24 * 3600             # seconds an OCR result stays shared (the crawl clears it at its end)
OCR_CLAIM_TTL = 300                 # seconds a worker may take to read a picture before another may


class RedisItemPipeline:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.server = connect(s.get("NIANBAO_REDIS_URL"))
        self.prefix = s.get("NIANBAO_REDIS_PREFIX")
        self.key = keys.key(self.prefix, keys.ITEMS)
        self.max_backlog = s.getint("NIANBAO_REDIS_MAX_BACKLOG")
        self.ocr = OcrPool.from_settings(s)
        if self.ocr is not None:
            self.ocr.stats = crawler.stats
            self.ocr.on_read = self._ocr_read
            self.ocr.shared = self._ocr_claim
        self.result: dict | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        # what this worker learns of its sites' names (a home page that redirects) reaches
        # the writer in order with the items, so every worker's captures get one identity
        names = getattr(spider or self.crawler.spider, "names", None)
        if names is not None:
            names.listeners.append(lambda kind, site, url: self.server.rpush(
                self.key, pickle.dumps(("names", kind, site, url), protocol=4)))

    async def process_item(self, item, spider=None):
        if isinstance(item, Listing):
            await self._push(("listing", item))
            return item
        if not isinstance(item, Capture):
            return item
        document = await extract_page(item)
        records = None
        if document is not None and document.ocr_inputs and self.ocr is not None:
            document, records = await self.ocr.document(item, document, self._ocr_cached)
        await self._push(("page", item, document, records))
        self.crawler.stats.inc_value("nianbao/redis/items_pushed")
        return item

    def _ocr_key(self, engine: str, digest: str) -> str:
        return keys.key(self.prefix, keys.OCR, f"{engine}:{digest}")

    def _ocr_cached(self, digest: str, engine: str) -> str | None:
        raw = self.server.get(self._ocr_key(engine, digest))
        return raw.decode("utf-8") if raw is not None else None

    def _ocr_read(self, digest: str, record) -> None:
        """This worker read a picture (record None: it could not): share the result and
        free the claim, so workers waiting for it go on."""
        key = self._ocr_key(self.ocr.version, digest)
        pipe = self.server.pipeline(transaction=False)
        if record is not None:
            pipe.set(key, record.result, ex=OCR_TTL)
        pipe.delete(key + ":claim")
        pipe.execute()

    async def _ocr_claim(self, digest: str, engine: str) -> str | None:
        """Another worker's result for the picture once it has read it, or None when this
        worker claimed the read (a claim of a worker that died expires)."""
        claim = self._ocr_key(engine, digest) + ":claim"
        while True:
            found = self._ocr_cached(digest, engine)
            if found is not None:
                return found
            if self.server.set(claim, self.crawler.settings.get("NIANBAO_WORKER_ID") or "?",
                               nx=True, ex=OCR_CLAIM_TTL):
                return None
            await asyncio.sleep(0.25)

    def close_spider(self, spider=None):
        """What this worker did, for whoever started it (the writer logs the crawl)."""
        if self.ocr is not None:
            self.ocr.close()
        stats = self.crawler.stats.get_stats()
        self.result = {"worker": self.crawler.settings.get("NIANBAO_WORKER_ID"),
                       "reason": stats.get("finish_reason") or "finished",
                       "totals": {"pushed": stats.get("nianbao/redis/items_pushed", 0),
                                  "requests": stats.get("downloader/request_count", 0)}}

    async def _push(self, entry) -> None:
        while self.server.llen(self.key) >= self.max_backlog:
            self.crawler.stats.inc_value("nianbao/redis/backlog_waits")
            await asyncio.sleep(0.2)
        self.server.rpush(self.key, pickle.dumps(entry, protocol=4))
