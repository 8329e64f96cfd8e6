"""A link whose URL is too long is a failure with a reason, not a silent drop.

Scrapy's UrlLengthMiddleware drops a request whose URL is over URLLENGTH_LIMIT with one INFO
line: a report or attachment link the crawl meant to follow left no trace in the archive.
Here the request fails through its own errback with `UrlTooLong`, so the spider stores a
failed capture saying so (and the log line shows the URL's start, not 100,000 characters).
"""
from __future__ import annotations

import logging

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import arg_to_iter
from twisted.python.failure import Failure

from nianbao.crawler.middlewares.faults import UrlTooLong

logger = logging.getLogger(__name__)


class UrlLengthMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.limit = crawler.settings.getint("URLLENGTH_LIMIT")
        if not self.limit:
            raise NotConfigured

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        async for o in start:
            for out in self._checked(o):
                yield out

    def process_spider_output(self, response, result, spider=None):
        for o in result:
            yield from self._checked(o)

    async def process_spider_output_async(self, response, result, spider=None):
        async for o in result:
            for out in self._checked(o):
                yield out

    def _checked(self, o):
        """`o` itself, or for a request over the limit what its errback gives instead."""
        if not isinstance(o, Request) or len(o.url) <= self.limit:
            yield o
            return
        self.crawler.stats.inc_value("urllength/request_ignored_count")
        logger.info("not requested: a URL of %d characters, over URLLENGTH_LIMIT (%d): %s…",
                    len(o.url), self.limit, o.url[:200])
        if o.errback is None:
            return
        failure = Failure(UrlTooLong(f"URL of {len(o.url)} characters, over the limit of "
                                     f"{self.limit} (URLLENGTH_LIMIT): not requested"))
        failure.request = o
        yield from arg_to_iter(o.errback(failure))
