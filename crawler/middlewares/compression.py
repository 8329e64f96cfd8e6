"""Decompression that fails with a reason, and is always bounded.

Scrapy's HttpCompressionMiddleware stops inflating a body at the size cap (DOWNLOAD_MAXSIZE,
or the request's `download_maxsize`) and raises IgnoreRequest, which the spider's errback
takes for a deliberate skip: a decompression bomb left no capture. Here it fails as
`DecompressedTooLarge` ("decompressed body over N bytes"), stored as a failed capture.

A request that lifts its download cap (`download_maxsize` 0: robots.txt, whose own cap
counts the bytes that arrive) is still inflated to DOWNLOAD_MAXSIZE at most.
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import (
    HttpCompressionMiddleware as ScrapyHttpCompressionMiddleware,
)
from scrapy.exceptions import IgnoreRequest

from nianbao.crawler.middlewares.faults import DecompressedTooLarge


class HttpCompressionMiddleware(ScrapyHttpCompressionMiddleware):
    def __init__(self, stats=None, *, crawler=None):
        super().__init__(stats, crawler=crawler)
        self.bound = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    def process_response(self, request, response, spider=None):
        limit = request.meta.get("download_maxsize") or self.bound
        if request.meta.get("download_maxsize", limit) != limit:
            request = request.replace(meta={**request.meta, "download_maxsize": limit})
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:      # raised only when the inflated body passes the cap
            self.stats.inc_value("nianbao/faults/decompressed_too_large")
            encoding = b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
            raise DecompressedTooLarge(f"decompressed body over {limit} bytes ({len(response.body)} "
                                       f"bytes {encoding}; DOWNLOAD_MAXSIZE)") from exc
