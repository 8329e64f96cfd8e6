"""Every fault of the sample portals' fault mode is survived: retried into a good capture
(transient faults) or stored as a failed capture whose reason names the fault (permanent
ones), and the crawl goes on to archive every other report. Plus the fault middlewares on
their own, without a crawl."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, ResponseDataLossError
from scrapy.http import HtmlResponse, Response

from nianbao.crawler.middlewares.faults import (
    BinaryBodyMiddleware,
    BinaryBody, FaultGuardMiddleware, FaultReasonMiddleware, RedirectLoop, RenderCrashed,
    ResponseTooLarge, TruncatedBody, binary_kind,
)
from nianbao.demo.faults import FaultMode
from nianbao.demo.server import SamplePortals
from tests.support.crawler import project_crawler
from tests.support.ops import FAST, query, run_crawl


# -- the middlewares alone -------------------------------------------------------------------
def _crawler(**settings):
    return project_crawler(**settings)


def test_binary_kind_tells_junk_from_text_and_documents():
    assert binary_kind(b"\x89PNG\r\n\x1a\n" + bytes(range(256))) == "PNG image"
    assert binary_kind(b"abc\x00def" * 100) == "binary data"
    assert binary_kind("<html><body>政府信息公开工作年度报告</body></html>".encode("gbk")) is None
    assert binary_kind("<html>年报</html>".encode("utf-16")) is None          # BOM: UTF-16 text
    assert binary_kind(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256))) is None   # a mislabelled PDF
    assert binary_kind(b"PK\x03\x04" + bytes(range(256))) is None                     # DOCX/XLSX


def test_a_stray_nul_byte_does_not_make_a_page_binary():
    page = "<html><body><ul>".encode() + "<li><a href='/r/1.html'>年度报告</a></li>".encode() * 40
    assert binary_kind(page[:300] + b"\x00" + page[300:]) is None


def test_binary_served_as_html_fails_with_its_reason():
    mw = BinaryBodyMiddleware(_crawler())
    req = Request("http://a.test/r.html")
    resp = HtmlResponse(req.url, status=200, headers={"Content-Type": "text/html; charset=utf-8"},
                        body=b"GIF89a" + bytes(range(256)) * 4, request=req)
    with pytest.raises(BinaryBody, match="GIF image .* served as text/html"):
        mw.process_response(req, resp)
    ok = HtmlResponse(req.url, status=200, headers={"Content-Type": "text/html"},
                      body="<html><p>年度报告</p></html>".encode(), request=req)
    assert mw.process_response(req, ok) is ok


def test_redirect_loop_is_named_and_a_plain_redirect_passes():
    mw = FaultGuardMiddleware(_crawler())
    req = Request("http://a.test/b?loop=1", meta={"redirect_urls": ["http://a.test/b"]})
    loop = Response(req.url, status=302, headers={"Location": "/b"}, request=req)
    with pytest.raises(RedirectLoop, match=r"http://a.test/b -> http://a.test/b\?loop=1 -> http://a.test/b"):
        mw.process_response(req, loop)
    onward = Response(req.url, status=302, headers={"Location": "/c"}, request=req)
    assert mw.process_response(req, onward) is onward


def test_failure_reasons_for_size_cap_and_truncation():
    mw = FaultReasonMiddleware(_crawler(DOWNLOAD_MAXSIZE=1024))
    req = Request("http://a.test/huge")
    with pytest.raises(ResponseTooLarge, match="DOWNLOAD_MAXSIZE = 1024 bytes"):
        mw.process_exception(req, DownloadCancelledError())
    with pytest.raises(TruncatedBody, match="connection closed before the whole body"):
        mw.process_exception(req, ResponseDataLossError())
    assert mw.process_exception(req, ValueError("other")) is None


def test_a_crashed_render_is_retried_once_in_a_fresh_context_then_fails():
    mw = FaultReasonMiddleware(_crawler())
    req = Request("http://a.test/app", meta={"playwright": True, "playwright_context": "render-7",
                                             "nianbao_render_fault": "crashed"})
    retry = mw.process_exception(req, RuntimeError("Page.content: Target crashed"))
    assert isinstance(retry, Request) and retry.dont_filter
    assert retry.meta["playwright_context"] == "render-7-r1" and retry.meta["nianbao_render_crashes"] == 1
    retry.meta["nianbao_render_fault"] = "crashed"
    with pytest.raises(RenderCrashed, match=r"crashed while rendering \(2 attempts\)"):
        mw.process_exception(retry, RuntimeError("Target crashed"))


# -- a real crawl of the faulty portals -------------------------------------------------------
FAILED_REASON = {
    "timeout": "DownloadTimeoutError",
    "http-500": "HTTP 500",
    "truncated": "TruncatedBody",
    "huge": "ResponseTooLarge",
    "binary": "BinaryBody",
    "render-crash": "RenderCrashed",
    "render-hang": "RenderHung",
    "empty": "EmptyBody",
    "gzip-bomb": "DecompressedTooLarge",
}
RETRIED = ("reset", "http-503", "http-429", "bad-length")


@pytest.mark.slow
def test_every_fault_is_survived_with_the_right_record(tmp_path):
    # the download timeout must cut the hanging answer (15 s) and never a healthy page on a
    # busy machine: a retried page that took over 1.5 s once failed this test under load
    fm = FaultMode(hang=15, huge_bytes=4 * 1024 * 1024)
    with SamplePortals(port=0, fault=fm) as portals:
        targets = {t.kind: t for t in fm.targets(portals)}
        db = tmp_path / "faults.db"
        proc = run_crawl(*portals.start_urls, "--db", str(db), *FAST, "--timeout", "5",
                         "--render-timeout", "3", "--render-concurrency", "1",
                         "--set", "DOWNLOAD_MAXSIZE=1048576", "--set", "NIANBAO_BACKOFF_BASE=0.5",
                         "--set", "NIANBAO_RENDER_WATCHDOG=6", "--set", "RETRY_TIMES=1", timeout=300)
        assert proc.returncode == 0, proc.stderr[-4000:]
        gold_all = portals.gold_reports()
        gold = {g.url for g in gold_all if not g.robots_disallowed}
        hits = {k: fm.hits(t) for k, t in targets.items()}

    def captures(url):
        return query(db, "SELECT status, error, outcome FROM captures WHERE url = ? OR canonical_url = ?",
                     (url, url))

    for kind, reason in FAILED_REASON.items():
        rows = captures(targets[kind].url)
        assert rows, f"{kind}: no capture"
        assert all(r[2] == "failed" and reason in (r[1] or "") for r in rows), (kind, rows)
    for kind in RETRIED:
        rows = captures(targets[kind].url)
        assert hits[kind] >= 2, f"{kind}: not retried ({hits[kind]} requests)"
        assert [r[0] for r in rows] == [200] and rows[0][2] == "ok", (kind, rows)
    assert hits["render-crash"] == 2, "a crashed render is retried once"
    # the redirect loop ends without bouncing forever and leaves a record of the page
    loop = captures(targets["redirect-loop"].url)
    assert loop and all((r[0] is None and "RedirectLoop" in r[1]) or (r[0] == 302 and r[2] == "redirect")
                        for r in loop), loop
    assert fm.hits(targets["redirect-loop"]) <= 3
    # every capture that failed says why
    assert query(db, "SELECT url, status FROM captures WHERE (status IS NULL OR status >= 400 "
                     "OR outcome = 'failed') AND coalesce(error, '') = ''") == []
    # a link too long to request is a failed capture of its own; its page is archived
    (too_long,) = query(db, "SELECT error FROM captures WHERE parent_url = ? AND status IS NULL",
                        (targets["long-url"].url,))
    assert too_long[0].startswith("UrlTooLong: URL of ")
    # the crawl went on: every report that was not faulted permanently is archived, except
    # on the site whose robots.txt answers 503 (not crawled at all)
    permanent = {targets[k].url for k in FAILED_REASON} | {targets["redirect-loop"].url}
    closed = {g.url for g in gold_all if g.portal == targets["robots-503"].portal}
    archived = {u for (u,) in query(db, "SELECT url FROM reports")}
    assert gold - permanent - closed <= archived
    assert not (archived & (permanent | closed))
    assert targets["long-url"].url in archived
