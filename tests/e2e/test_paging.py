"""List paging end to end: report columns long enough to page, in each pager family.

The sample portals' report columns fit on one page, so this test serves its own small
portals (real HTTP on 127.0.0.1, real crawl): a TRS column whose pager exists only as a
`createPageHTML` call, a `?page=N` column, a Hanweb column continued through
`dataproxy.jsp`, each with reports on every page, and next to each a long news column
that must not be walked.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from nianbao.launch import crawl

pytestmark = pytest.mark.slow

PER_PAGE = 5
FAMILIES = ("trs", "query", "hanweb", "hidden")


def page(title: str, inner: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a> <a href="/news/">新闻动态</a></div>{inner}'
            '<div class="footer">版权所有 某县人民政府</div></body></html>')


def report(i: int) -> tuple[str, str]:
    title = f"某县第{i}局{2010 + i % 12}年政府信息公开工作年度报告"
    return title, page(title, f"<h1>{title}</h1><div class='TRS_Editor'>"
                       + "<p>本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>" * 20 + "</div>")


def lis(items):
    return "<ul>" + "".join(f'<li><a href="{h}" title="{t}">{t}</a></li>' for t, h in items) + "</ul>"


class Portal:
    """One family; `pages` maps a path to HTML, `reports` is the gold."""

    def __init__(self, family: str):
        self.family = family
        self.pages: dict[str, str] = {}
        self.reports: set[str] = set()
        self.news: set[str] = set()
        self.log: list[str] = []
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0
        n_reports, n_news = 13, 60
        reps = []
        for i in range(n_reports):
            t, html = report(i)
            path = f"/nb/t2022010{i % 9 + 1}_{100 + i}.html"
            self.pages[path] = html
            reps.append((t, path))
            self.reports.add(path)
        news = []
        for i in range(n_news):
            path = f"/news/t20230101_{500 + i}.html"
            self.pages[path] = page("新闻", f"<h1>某县召开第{i}次工作会议</h1>")
            news.append((f"某县召开第{i}次工作会议", path))
            self.news.add(path)
        self.pages["/"] = page("某县人民政府", '<a href="/zwgk/">政府信息公开</a>'
                               + lis(news[:6]))
        self.pages["/zwgk/"] = page("政府信息公开", '<a href="/nb/">政府信息公开年报</a>'
                                    '<a href="/tzgg/">通知公告</a>')
        getattr(self, "build_" + family)(reps, news)

    def chunks(self, items):
        return [items[i:i + PER_PAGE] for i in range(0, len(items), PER_PAGE)]

    def build_trs(self, reps, news):
        for col, items in (("nb", reps), ("news", news)):
            chunks = self.chunks(items)
            for n, chunk in enumerate(chunks):
                name = "index.html" if n == 0 else f"index_{n}.html"
                self.pages[f"/{col}/{name}"] = page(col, lis(chunk) + (
                    f'<script>var countPage = {len(chunks)};var currentPage = {n};'
                    f'createPageHTML(countPage, currentPage, "index", "html");</script>'))
            self.pages[f"/{col}/"] = self.pages[f"/{col}/index.html"]

    def build_query(self, reps, news):
        for col, items in (("nb", reps), ("news", news)):
            chunks = self.chunks(items)
            for n, chunk in enumerate(chunks, start=1):
                pager = " ".join(f'<a href="/{col}/list.jsp?page={k}">{k}</a>'
                                 for k in range(1, len(chunks) + 1) if k != n)
                html = page(col, lis(chunk) + f'<div class="pages">{pager}</div>')
                self.pages[f"/{col}/list.jsp?page={n}"] = html
                if n == 1:
                    self.pages[f"/{col}/"] = html

    def build_hidden(self, reps, news):
        """Nothing on the home page says 公开 or 年报: only exploring finds the column."""
        self.build_trs(reps, news)
        del self.pages["/zwgk/"]
        self.pages["/"] = page("某县人民政府", '<a href="/about/">本县概况</a> <a href="/dept/">部门栏目</a>'
                               '<a href="/news/">新闻动态</a>' + lis(news[:6]))
        self.pages["/about/"] = page("本县概况", "<p>某县位于……</p>")
        self.pages["/dept/"] = page("部门栏目", '<a href="/nb/">政府信息公开年报</a>')

    def build_hanweb(self, reps, news):
        self.records = {"nb": reps, "news": news}
        for col, key in (("nb", "71"), ("news", "72")):
            first = self.records[col][:PER_PAGE]
            recs = "".join(f'<record><![CDATA[<li><a href="{h}" title="{t}">{t}</a></li>]]></record>'
                           for t, h in first)
            self.pages[f"/{col}/"] = page(col, (
                f'<div id="div{key}"><script type="text/xml"><datastore><nextgroup><![CDATA['
                f'<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid={key}&unitid=9">'
                f'</a>]]></nextgroup><recordset>{recs}</recordset></datastore></script></div>'
                f'<script>var totalRecord = {len(self.records[col])}; var perPage = {PER_PAGE};</script>'))

    def dataproxy(self, query: dict) -> str:
        col = {"71": "nb", "72": "news"}[query["columnid"][0]]
        start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
        items = self.records[col][start - 1:end]
        recs = "".join(f'<record><![CDATA[<li><a href="{h}">{t}</a></li>]]></record>' for t, h in items)
        return (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(self.records[col])}'
                f'</totalrecord><recordset>{recs}</recordset></datastore>')

    def serve(self):
        portal = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                with portal.lock:
                    portal.log.append(self.path)
                    portal.inflight += 1
                    portal.max_inflight = max(portal.max_inflight, portal.inflight)
                try:
                    self.answer()
                finally:
                    with portal.lock:
                        portal.inflight -= 1

            def answer(self):
                parts = urlsplit(self.path)
                if parts.path in portal.reports:
                    time.sleep(0.15)          # slow enough for requests to overlap
                ctype = "text/html; charset=utf-8"
                if parts.path == "/robots.txt":
                    body, ctype = "User-agent: *\nDisallow: /private/\n", "text/plain"
                elif parts.path.endswith("dataproxy.jsp"):
                    body, ctype = portal.dataproxy(parse_qs(parts.query)), "text/xml; charset=utf-8"
                else:
                    body = portal.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    portals = [Portal(f).serve() for f in FAMILIES]
    db = tmp_path_factory.mktemp("paging") / "a.db"
    try:
        stats = crawl([p.base + "/" for p in portals], db, log_level="WARNING", render="never")
    finally:
        for p in portals:
            p.close()
    conn = sqlite3.connect(db)
    captured = {r[0] for r in conn.execute("SELECT canonical_url FROM captures WHERE status = 200")}
    conn.close()
    return portals, stats, captured


@pytest.mark.parametrize("family", FAMILIES)
def test_every_page_of_a_report_column_is_followed(paged, family):
    portals, stats, captured = paged
    portal = next(p for p in portals if p.family == family)
    want = {portal.base + path for path in portal.reports}
    assert want <= captured, f"missed: {sorted(want - captured)}"


def test_each_site_gets_at_most_two_requests_at_once(paged):
    portals, _, _ = paged
    # concurrent, but never more than CONCURRENT_REQUESTS_PER_DOMAIN (per host:port)
    assert max(p.max_inflight for p in portals) == 2


@pytest.mark.parametrize("family", FAMILIES)
def test_the_news_column_is_not_walked(paged, family):
    portals, stats, _ = paged
    portal = next(p for p in portals if p.family == family)
    assert not (set(portal.log) & portal.news)
    news_pages = [p for p in portal.log if p.startswith("/news/") and p not in ("/news/",)
                  or "columnid=72" in p]
    assert news_pages == [], f"news list pages requested: {news_pages}"
    # requests per report: every report page once plus a few list and section pages
    site = portal.base.split("//")[1]
    row = stats["sites"][site]
    assert row["requests"] <= len(portal.reports) + 8, row


def test_exploring_happens_only_where_no_report_showed(paged):
    portals, stats, _ = paged
    for p in portals:
        row = stats["sites"][p.base.split("//")[1]]
        if p.family == "hidden":
            assert 1 <= row.get("explored", 0) <= 6          # found by exploring, within budget
        else:
            assert row.get("explored", 0) == 0
