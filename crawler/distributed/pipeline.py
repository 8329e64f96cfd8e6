"""Worker side of a distributed crawl: extract each fetched page here, where the CPU is,
and hand page + document to the single archive writer through a Redis list, so SQLite
keeps exactly one writer however many crawler processes there are.

Each entry of `<prefix>:items` is a pickle of ("page", Capture, Document | None),
("listing", Listing), or ("names", "learn" | "prefer", site, url): a site's other name or
preferred form, learned by this worker. When the writer falls behind, the worker waits (bounded queue:
NIANBAO_REDIS_MAX_BACKLOG entries) instead of filling Redis's memory.
"""
from __future__ import annotations

import asyncio
import logging
import pickle

from nianbao.archive.capture import Listing, Capture
from nianbao.crawler.pipelines.pages import extract_page
from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect

logger = logging.getLogger(__name__)


class RedisItemPipeline:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.server = connect(s.get("NIANBAO_REDIS_URL"))
        self.prefix = s.get("NIANBAO_REDIS_PREFIX")
        self.key = keys.key(self.prefix, keys.ITEMS)
        self.max_backlog = s.getint("NIANBAO_REDIS_MAX_BACKLOG")
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
        await self._push(("page", item, document))
        self.crawler.stats.inc_value("nianbao/redis/items_pushed")
        return item

    def close_spider(self, spider=None):
        """What this worker did, for whoever started it (the writer logs the crawl)."""
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
