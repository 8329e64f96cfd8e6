"""Render on demand: the decision (no browser), then the waiting with real Chromium."""
from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import ProtegoRobotParser

from nianbao.crawler import settings as project_settings
from nianbao.crawler.browser import CHROMIUM_PATH
from nianbao.crawler.middlewares.render import RenderOnDemandMiddleware
from tests.support.crawler import project_crawler

SHELL = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>某市人民政府</title>'
         '<script src="/static/app.js" defer></script></head><body><div id="app">'
         '<div class="loading"><p>正在加载中... Loading connection</p></div></div></body></html>')
STATIC = ('<html><head><meta charset="utf-8"><title>某市2021年政府信息公开工作年度报告</title></head><body>'
          '<div class="TRS_Editor">' + "<p>本报告根据《中华人民共和国政府信息公开条例》要求编制。" * 20
          + "</p></div></body></html>")


class ScopedSpider(Spider):
    name = "scoped"
    sites = {"x.gov.cn"}


def middleware(**extra):
    crawler = project_crawler(ScopedSpider, **extra)
    return RenderOnDemandMiddleware.from_crawler(crawler), crawler


def html_response(url, body, ctype=b"text/html; charset=utf-8", status=200, request=None):
    return HtmlResponse(url, body=body.encode("utf-8"), headers={b"Content-Type": ctype},
                        status=status, request=request or Request(url))


def run(coro):
    return asyncio.run(coro)


def test_a_shell_is_refetched_through_the_browser():
    mw, crawler = middleware()
    req = Request("http://x.gov.cn/list/nb", meta={"nianbao_render_mode": "auto"})
    out = run(mw.process_response(req, html_response(req.url, SHELL, request=req)))
    assert isinstance(out, Request)
    assert out.meta["playwright"] is True and out.meta["nianbao_shell_detected"] is True
    assert out.dont_filter and out.url == req.url
    assert out.meta["playwright_include_page"] is True          # so its page can be closed
    assert out.meta["playwright_context"].startswith("render-")
    assert out.meta["playwright_context_kwargs"]["user_agent"] == crawler.settings["USER_AGENT"]
    assert crawler.stats.get_value("nianbao/render/shells") == 1
    # each render gets its own context (closed after), so two renders never share one
    out2 = run(mw.process_response(req, html_response(req.url, SHELL, request=req)))
    assert out2.meta["playwright_context"] != out.meta["playwright_context"]


def test_a_static_page_pdf_or_error_is_kept_as_fetched():
    mw, crawler = middleware()
    req = Request("http://x.gov.cn/a.html")
    resp = html_response(req.url, STATIC, request=req)
    assert run(mw.process_response(req, resp)) is resp
    pdf = Response("http://x.gov.cn/a.pdf", body=b"%PDF-1.4 ...", headers={b"Content-Type": b"application/pdf"},
                   request=Request("http://x.gov.cn/a.pdf"))
    assert run(mw.process_response(pdf.request, pdf)) is pdf
    err = html_response(req.url, SHELL, status=503, request=req)
    assert run(mw.process_response(req, err)) is err
    assert not crawler.stats.get_value("nianbao/render/shells")


def test_render_never_and_always():
    mw, _ = middleware(NIANBAO_RENDER="never")
    req = Request("http://x.gov.cn/list/nb")
    resp = html_response(req.url, SHELL, request=req)
    assert run(mw.process_response(req, resp)) is resp
    mw, crawler = middleware(NIANBAO_RENDER="always")
    page = Request("http://x.gov.cn/a.html")
    assert mw.process_request(page) is None and page.meta["playwright"] is True
    robots = Request("http://x.gov.cn/robots.txt")
    mw.process_request(robots)
    assert "playwright" not in robots.meta
    never = Request("http://x.gov.cn/a.pdf", meta={"nianbao_render_mode": "never"})
    mw.process_request(never)
    assert "playwright" not in never.meta
    with pytest.raises(ValueError):
        middleware(NIANBAO_RENDER="sometimes")


def test_rendered_response_is_marked_and_carries_what_the_page_fetched():
    mw, crawler = middleware()
    req = Request("http://x.gov.cn/list/nb")
    mw._make_render(req, req.meta)
    req.meta["playwright_page_methods"][0].result = {"nianbao_xhr_urls": ["http://x.gov.cn/api/list?page=0"]}
    resp = html_response(req.url, STATIC, request=req)
    out = run(mw.process_response(req, resp))
    assert out is resp and req.meta["nianbao_rendered"] is True
    assert req.meta["nianbao_xhr_urls"] == ["http://x.gov.cn/api/list?page=0"]
    assert crawler.stats.get_value("nianbao/render/rendered") == 1


def test_browser_subrequests_obey_robots_and_site_scope():
    mw, _ = middleware()
    rp = ProtegoRobotParser(b"User-agent: *\nDisallow: /archive/\n", None)
    mw._robots_parsed(robotparser=rp, request=Request("http://x.gov.cn/robots.txt"))
    assert mw.browser_may_fetch("http://x.gov.cn/api/list?page=1")
    assert not mw.browser_may_fetch("http://x.gov.cn/archive/api/article?id=7")
    assert not mw.browser_may_fetch("http://tracker.example.com/t.js")
    mw2, _ = middleware(ROBOTSTXT_OBEY=False)
    mw2._robots_parsed(robotparser=rp, request=Request("http://x.gov.cn/robots.txt"))
    assert mw2.browser_may_fetch("http://x.gov.cn/archive/api/article?id=7")


# --- with the real browser -------------------------------------------------------------

APP_JS = """
setTimeout(function () {
  var x = new XMLHttpRequest();
  x.open('GET', '/api/list?page=0');
  x.onload = function () {
    var items = JSON.parse(x.responseText).items;
    document.getElementById('app').innerHTML = '<ul class="list">' + items.map(function (t) {
      return '<li><a href="/article/1">' + t + '</a></li>'; }).join('') + '</ul>' +
      '<div class="TRS_Editor">' + new Array(40).join('<p>' + items[0] + '全文内容段落。</p>') + '</div>';
  };
  x.send();
}, %DELAY%);
"""


class _AppServer:
    """A shell whose content arrives after a delay by XHR, and one that never loads."""

    def __init__(self, delay_ms: int):
        js = APP_JS.replace("%DELAY%", str(delay_ms)).encode("utf-8")
        items = '{"items": ["某市2021年政府信息公开工作年度报告", "某市2020年政府信息公开工作年度报告"]}'

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path.startswith("/api/"):
                    body, ctype = items.encode(), "application/json"
                elif self.path == "/static/app.js":
                    body, ctype = js, "application/javascript"
                elif self.path == "/challenge":
                    if "passed=1" in (self.headers.get("Cookie") or ""):
                        body, ctype = STATIC.encode(), "text/html; charset=utf-8"
                    else:
                        body = ('<html><head><script>document.cookie = "passed=1; path=/";'
                                'setTimeout(function () { window.location.reload(); }, 300);'
                                '</script></head><body></body></html>').encode()
                        ctype = "text/html; charset=utf-8"
                elif self.path == "/never":
                    body, ctype = SHELL.replace("/static/app.js", "/static/none.js").encode(), "text/html; charset=utf-8"
                else:
                    body, ctype = SHELL.encode(), "text/html; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.mark.browser
def test_the_browser_waits_for_content_not_for_a_fixed_time():
    from playwright.async_api import async_playwright

    assert Path(CHROMIUM_PATH).exists(), "Debian's Chromium is required"
    server = _AppServer(delay_ms=700)
    launch = project_settings.PLAYWRIGHT_LAUNCH_OPTIONS

    async def scenario():
        mw, crawler = middleware(NIANBAO_RENDER_TIMEOUT=2.0)
        crawler.spider.sites = {server.base.split("//")[1]}
        async with async_playwright() as p:
            browser = await p.chromium.launch(**launch)
            ctx = await browser.new_context()
            page = await ctx.new_page()
            await mw._init_page(page, None)
            await page.goto(server.base + "/list/nb", wait_until="domcontentloaded")
            t0 = time.monotonic()
            out = await mw._wait_for_content(page, None, mw.timeout)
            waited = time.monotonic() - t0
            html = await page.content()
            # the context is closed with the page: nothing of a render outlives it
            req = Request(server.base + "/list/nb", meta={"playwright_page": page})
            await mw._close_page(req)
            contexts_after = len(browser.contexts)
            # a JS challenge (cookie, then reload) is waited through to the real page
            ctx3 = await browser.new_context()
            page3 = await ctx3.new_page()
            await page3.goto(server.base + "/challenge", wait_until="domcontentloaded")
            out3 = await mw._wait_for_content(page3, None, mw.timeout)
            challenge_html = await page3.content()
            await ctx3.close()
            # a shell that never loads is given up after the render timeout, flagged
            ctx2 = await browser.new_context()
            page2 = await ctx2.new_page()
            await page2.goto(server.base + "/never", wait_until="domcontentloaded")
            t1 = time.monotonic()
            out2 = await mw._wait_for_content(page2, None, mw.timeout)
            gave_up = time.monotonic() - t1
            await ctx2.close()
            await browser.close()
            return out, waited, html, contexts_after, out2, gave_up, out3, challenge_html

    try:
        out, waited, html, contexts_after, out2, gave_up, out3, challenge_html = asyncio.run(scenario())
    finally:
        server.close()
    assert "2021年政府信息公开工作年度报告" in html           # content, not the shell
    assert 0.5 < waited < 1.9                                # returned when content showed
    assert not out.get("nianbao_render_timed_out")
    assert any(u.endswith("/api/list?page=0") for u in out["nianbao_xhr_urls"])
    assert contexts_after == 0
    assert out2["nianbao_render_timed_out"] is True and 1.8 < gave_up < 4
    assert not out3.get("nianbao_render_timed_out") and "TRS_Editor" in challenge_html
