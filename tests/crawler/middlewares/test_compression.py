"""Decompression with a reason: a body that inflates past the size cap fails as
DecompressedTooLarge (stored as a failed capture) instead of an IgnoreRequest that left no
record, and a request that lifts its download cap is still inflated to DOWNLOAD_MAXSIZE."""
from __future__ import annotations

import gzip
import zlib

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response

from nianbao.crawler.middlewares.compression import HttpCompressionMiddleware
from nianbao.crawler.middlewares.faults import DecompressedTooLarge
from tests.support.crawler import project_crawler

MB = 1024 * 1024


def _bomb(inflated: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join([z.compress(b"<html><body>")] + [z.compress(b" " * MB) for _ in range(inflated // MB)]
                    + [z.flush()])


def _gzipped(req: Request, body: bytes) -> Response:
    return Response(req.url, status=200, body=body, request=req,
                    headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})


@pytest.fixture
def mw():
    return HttpCompressionMiddleware.from_crawler(project_crawler(DOWNLOAD_MAXSIZE=2 * MB))


def test_a_gzip_page_is_decompressed(mw):
    req = Request("http://a.test/r.html")
    page = "<html><body><p>政府信息公开工作年度报告</p></body></html>".encode()
    out = mw.process_response(req, _gzipped(req, gzip.compress(page)))
    assert isinstance(out, HtmlResponse) and out.body == page and b"Content-Encoding" not in out.headers


def test_a_decompression_bomb_fails_with_its_reason(mw):
    req = Request("http://a.test/bomb.html")
    bomb = _bomb(16 * MB)
    assert len(bomb) < 64 * 1024
    with pytest.raises(DecompressedTooLarge, match=rf"^decompressed body over {2 * MB} bytes \({len(bomb)} bytes gzip"):
        mw.process_response(req, _gzipped(req, bomb))
    # a smaller cap of the request's own is the one that holds
    small = Request("http://a.test/bomb.html", meta={"download_maxsize": MB})
    with pytest.raises(DecompressedTooLarge, match=rf"over {MB} bytes"):
        mw.process_response(small, _gzipped(small, bomb))


def test_a_request_without_a_download_cap_is_still_inflated_to_the_cap(mw):
    req = Request("http://a.test/robots.txt", meta={"download_maxsize": 0})
    with pytest.raises(DecompressedTooLarge, match=rf"over {2 * MB} bytes"):
        mw.process_response(req, _gzipped(req, _bomb(16 * MB)))
    assert req.meta["download_maxsize"] == 0            # the request itself is left as it was
