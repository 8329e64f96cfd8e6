"""Refusals marked on their requests; a site that only refuses is blocked for the crawl,
its other requests not sent; a site that answered once is never blocked."""
import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse

from nianbao.archive.urls import SiteNames
from nianbao.crawler import meta as M
from nianbao.crawler.extensions.sitestats import SiteStats
from nianbao.crawler.middlewares.refusal import BLOCKED, RefusalMiddleware
from nianbao.demo.portals.realweb import CHALLENGE_PAGE, WAF_PAGE
from tests.support.crawler import project_crawler

SITE = "blocked.gov.test"


class OneSite(Spider):
    name = "one"
    sites = {SITE}

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.names = SiteNames()
        self.names.add(SITE)


def make(**settings):
    crawler = project_crawler(OneSite, **settings)
    return RefusalMiddleware.from_crawler(crawler), crawler


def answer(mw, path: str, status: int, body: str, **meta):
    req = Request(f"http://www.{SITE}{path}", meta={M.KIND: "report", **meta})
    assert mw.process_request(req) is None
    resp = HtmlResponse(req.url, status=status, body=body.encode("utf-8"), request=req,
                        headers={"Content-Type": "text/html; charset=utf-8"})
    return mw.process_response(req, resp), req


def test_refusals_in_a_row_block_the_site_and_its_other_requests_are_not_sent():
    mw, crawler = make(NIANBAO_BLOCKED_AFTER=3)
    for i in range(3):
        _, req = answer(mw, f"/r/{i}.html", 403, WAF_PAGE.format(id=i))
        assert req.meta[M.REFUSED] == "refused: HTTP 403, firewall block page"
    assert "3 refusals in a row" in mw.blocked(SITE)
    with pytest.raises(IgnoreRequest, match=BLOCKED):
        mw.process_request(Request(f"http://{SITE}/r/9.html"))
    stats = SiteStats.of(crawler)
    assert (stats.get(SITE, "refused"), stats.get(SITE, "blocked"), stats.get(SITE, "answered")) == (3, 1, 0)
    # a file on another host, linked from one of its pages, is that host's business
    attachment = Request("http://oss.files.test/a.pdf", meta={M.OFFSITE_OK: True, M.KIND: "attachment"})
    assert mw.process_request(attachment) is None


def test_a_site_that_answered_once_is_never_blocked():
    mw, crawler = make(NIANBAO_BLOCKED_AFTER=2)
    answer(mw, "/", 200, "<html><body><p>首页</p></body></html>")
    for i in range(5):
        answer(mw, f"/r/{i}.html", 403, WAF_PAGE.format(id=i))
    assert mw.blocked(SITE) is None and SiteStats.of(crawler).get(SITE, "refused") == 5


def test_server_errors_neither_refuse_nor_answer():
    mw, _ = make(NIANBAO_BLOCKED_AFTER=2)
    _, req = answer(mw, "/", 503, "<html>busy</html>")
    assert M.REFUSED not in req.meta
    answer(mw, "/a", 403, "")
    answer(mw, "/b", 403, "")
    assert mw.blocked(SITE)


def test_robots_txt_is_no_visitor_page():
    mw, crawler = make(NIANBAO_BLOCKED_AFTER=1)
    req = Request(f"http://{SITE}/robots.txt")
    resp = HtmlResponse(req.url, status=403, body=b"", request=req)
    assert mw.process_response(req, resp) is resp and M.REFUSED not in req.meta
    assert mw.blocked(SITE) is None


def test_a_challenge_the_browser_could_not_pass_blocks_the_site_at_once():
    mw, _ = make(NIANBAO_BLOCKED_AFTER=5)
    _, req = answer(mw, "/", 412, CHALLENGE_PAGE, **{M.CHALLENGE_FAILED: True, M.RENDERED: True})
    assert req.meta[M.REFUSED] == "refused: HTTP 412, JavaScript challenge"
    assert "the browser did not pass it" in mw.blocked(SITE)


def test_an_answer_is_judged_once_whichever_middleware_asks(monkeypatch):
    from nianbao.crawler.middlewares import refusal as mod
    calls = []
    real = mod.refusal
    monkeypatch.setattr(mod, "refusal", lambda *a: calls.append(a) or real(*a))
    req = Request(f"http://www.{SITE}/r/1.html", meta={M.KIND: "report"})
    resp = HtmlResponse(req.url, status=200, body=WAF_PAGE.format(id=1).encode("utf-8"), request=req,
                        headers={"Content-Type": "text/html; charset=utf-8"})
    first = mod.judged(resp)
    assert first is not None and first.kind == "waf"
    assert mod.judged(resp) is first and len(calls) == 1
    # another answer (a new body, a new status) is judged anew
    other = resp.replace(body=b"<html><body>" + "正文。".encode("utf-8") * 300 + b"</body></html>")
    assert mod.judged(other) is None and len(calls) == 2
    assert mod.judged(resp.replace(status=403)).status == 403 and len(calls) == 3
