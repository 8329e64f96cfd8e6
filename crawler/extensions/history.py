"""The one place a crawl learns what earlier crawls archived.

`CrawlHistoryExtension` opens the crawl's history source once: the archive itself
(`archive.history.CrawlHistory`, read-only) for a local crawl, the copy the archive writer
published to Redis (`crawler.distributed.history.RedisHistory`) for a distributed worker.
Every component asks it, and nothing else: the spider for the report pages to revisit
(so a removal is noticed), the conditional-request middleware for validators, the
pipelines for which reports were already known.

    history = CrawlHistoryExtension.of(crawler)
    history.last(url)            # archive.history.Known | None
    history.known_reports(sites) # set of canonical URLs
"""
from __future__ import annotations

from scrapy import signals

from nianbao.archive.history import CrawlHistory


class CrawlHistoryExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self._source = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @classmethod
    def of(cls, crawler) -> "CrawlHistoryExtension":
        """The crawl's history (an extension that the settings must enable)."""
        ext = crawler.get_extension(cls)
        if ext is None:
            raise RuntimeError("CrawlHistoryExtension is not enabled in EXTENSIONS")
        return ext

    @property
    def source(self):
        if self._source is None:
            s = self.crawler.settings
            if s.get("NIANBAO_REDIS_URL"):
                from nianbao.crawler.distributed.client import connect
                from nianbao.crawler.distributed.history import RedisHistory
                self._source = RedisHistory(connect(s.get("NIANBAO_REDIS_URL")),
                                            s.get("NIANBAO_REDIS_PREFIX"))
            else:
                self._source = CrawlHistory(s.get("NIANBAO_DB"))
        return self._source

    def last(self, *urls: str):
        return self.source.last(*urls)

    def known_reports(self, sites: list[str] | None = None) -> set[str]:
        return self.source.known_reports(sites)

    def site_names(self) -> list[tuple[str, str, str]]:
        """(site, 'learn' | 'prefer', url): names earlier crawls learned, oldest first."""
        return self.source.site_names()

    def close(self, spider=None) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None
