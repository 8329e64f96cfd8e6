"""Backoff: 429/503 pause the whole site for Retry-After; failures end as failed captures."""
from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from nianbao.crawler.middlewares.backoff import BackoffMiddleware, retry_after_seconds
from nianbao.launch import crawl


def test_retry_after_seconds_and_http_dates():
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(b" 3 ") == 3.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_429_is_retried_with_the_count_and_a_capped_wait():
    crawler = get_crawler(settings_dict={"NIANBAO_BACKOFF_MAX": 10.0, "RETRY_TIMES": 2})
    mw = BackoffMiddleware.from_crawler(crawler)
    req = Request("http://x.gov.cn/a", priority=5)
    resp = Response(req.url, status=429, headers={"Retry-After": "3600"}, request=req)
    assert mw.wait_for(resp, 0) == 10.0                       # capped
    out = mw.process_response(req, resp)
    assert isinstance(out, Request) and out.meta["nianbao_backoff_times"] == 1 and out.dont_filter
    assert out.priority == 4
    out.meta["nianbao_backoff_times"] = 2
    final = mw.process_response(out, Response(req.url, status=429, request=out))
    assert isinstance(final, Response) and final.status == 429     # given up: to the spider
    ok = Response(req.url, status=200, request=req)
    assert mw.process_response(req, ok) is ok
    # without Retry-After the wait doubles per attempt
    plain = Response(req.url, status=503, request=req)
    assert mw.wait_for(plain, 0) * 2 == mw.wait_for(plain, 1)


class _Site:
    """A site that answers 429 once (Retry-After: 2), 503 always on /busy, and drops /drop."""

    def __init__(self):
        self.log: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        site = self
        home = ('<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>'
                '<a href="/xxgk/nb/">政府信息公开年报</a></body></html>')
        col = ('<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>'
               + "".join(f'<li><a href="/r{i}.html">某县202{i}年政府信息公开工作年度报告</a></li>'
                         for i in range(1, 4))
               + '<li><a href="/busy.html">某县2018年政府信息公开工作年度报告</a></li>'
               + '<li><a href="/drop.html">某县2017年政府信息公开工作年度报告</a></li></ul></body></html>')
        report = ('<html><head><meta charset="utf-8"><title>某县2021年政府信息公开工作年度报告</title></head>'
                  '<body><h1>某县2021年政府信息公开工作年度报告</h1><div class="TRS_Editor">'
                  + "<p>本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>" * 30 + "</div></body></html>")
        self.first_429 = True

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def send(self, status, body, headers=()):
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                with site.lock:
                    site.log.append((time.monotonic(), self.path))
                if self.path == "/robots.txt":
                    return self.send(200, "User-agent: *\nDisallow:\n")
                if self.path == "/":
                    return self.send(200, home)
                if self.path == "/xxgk/nb/":
                    return self.send(200, col)
                if self.path == "/r1.html" and site.first_429:
                    site.first_429 = False
                    return self.send(429, "slow down", [("Retry-After", "2")])
                if self.path == "/busy.html":
                    return self.send(503, "busy", [("Retry-After", "0")])
                if self.path == "/drop.html":
                    self.close_connection = True
                    self.connection.close()
                    return
                return self.send(200, report)

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.mark.slow
def test_a_real_crawl_pauses_the_site_and_stores_failures(tmp_path):
    site = _Site()
    try:
        stats = crawl([site.base + "/"], tmp_path / "a.db", log_level="WARNING",
                      render="never", settings={"NIANBAO_BACKOFF_BASE": 0.2, "RETRY_TIMES": 2})
    finally:
        site.close()
    log = site.log
    t429 = next(t for t, p in log if p == "/r1.html")
    retried = [t for t, p in log if p == "/r1.html"]
    assert len(retried) == 2 and retried[1] - t429 >= 1.9          # Retry-After: 2 honoured
    # the whole site paused, not just the one URL (requests already in flight when the
    # 429 came back may still arrive in the first instants)
    during = [p for t, p in log if t429 + 0.5 < t < t429 + 1.9]
    assert during == [], f"requests during the pause: {during}"
    assert [p for _, p in log].count("/busy.html") == 3              # first try + 2 backoffs
    conn = sqlite3.connect(tmp_path / "a.db")
    rows = dict(conn.execute("SELECT url, coalesce(error, '') FROM captures").fetchall())
    conn.close()
    assert rows[site.base + "/r1.html"] == ""
    assert rows[site.base + "/busy.html"] == "HTTP 503"
    assert rows[site.base + "/drop.html"]                            # stored with its reason
    row = stats["sites"][site.base.split("//")[1]]
    assert row["failed"] == 2 and row["reports"] == 3
    assert stats["totals"]["backoffs"] >= 3
