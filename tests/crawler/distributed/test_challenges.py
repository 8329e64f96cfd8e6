"""A JavaScript challenge passed by one worker opens the site for every worker: the others
send their challenged requests again with its cookies instead of rendering the challenge
themselves, and a challenge that failed in one worker's browser is not rendered by another."""
from __future__ import annotations

import asyncio
import json

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse

from nianbao.crawler import meta as M
from nianbao.crawler.distributed.challenges import SharedRenderMiddleware
from nianbao.demo.portals.realweb import CHALLENGE_PAGE
from nianbao.demo.server import SamplePortals
from tests.support.crawler import project_crawler
from tests.support.ops import FAST, query, run_crawl

pytestmark = pytest.mark.slow      # redis-server, crawls

URL = "http://x.gov.cn/xxgk/nb/2023.html"


class ScopedSpider(Spider):
    name = "scoped"
    sites = {"x.gov.cn"}


def worker(redis_url: str, prefix: str):
    crawler = project_crawler(ScopedSpider, NIANBAO_REDIS_URL=redis_url, NIANBAO_REDIS_PREFIX=prefix)
    return SharedRenderMiddleware.from_crawler(crawler), crawler


def challenged(url: str = URL):
    req = Request(url, meta={M.KIND: "report", "nianbao_render_mode": "auto"})
    return req, HtmlResponse(url, status=412, body=CHALLENGE_PAGE.encode("utf-8"), request=req,
                             headers={b"Content-Type": b"text/html; charset=utf-8"})


class BrowserPage:
    """The page a challenge was rendered in: its context holds the cookies the script set."""

    class context:
        @staticmethod
        async def cookies():
            return [{"name": "__jsl_clearance", "value": "1712.3|0|abc"}]


def test_a_challenge_passed_by_one_worker_opens_the_site_for_the_others(redis_url):
    first, first_crawler = worker(redis_url, "chal")
    req, resp = challenged()
    render = asyncio.run(first.process_response(req, resp))
    assert render.meta["playwright"] is True                 # the first worker renders it
    render.meta["playwright_page"] = BrowserPage()
    page = HtmlResponse(URL, body="<html><body>年度报告</body></html>".encode("utf-8"), request=render)
    assert asyncio.run(first._passed(render, page)).status == 200

    other, other_crawler = worker(redis_url, "chal")
    req2, resp2 = challenged("http://x.gov.cn/xxgk/nb/2022.html")
    again = asyncio.run(other.process_response(req2, resp2))
    assert isinstance(again, Request) and not again.meta.get("playwright")   # no render
    assert again.meta[M.CHALLENGE] == 412
    assert other.process_request(again) is None
    assert again.cookies == {"__jsl_clearance": "1712.3|0|abc"}
    assert other_crawler.stats.get_value("nianbao/render/challenges") is None
    assert other_crawler.stats.get_value("nianbao/render/challenges_shared") == 1
    # another crawl (prefix) knows nothing of it
    stranger, _ = worker(redis_url, "elsewhere")
    assert asyncio.run(stranger.process_response(*challenged())).meta.get("playwright") is True


def test_a_challenge_that_failed_in_one_browser_is_not_rendered_by_another(redis_url):
    first, _ = worker(redis_url, "fail")
    req, resp = challenged()
    render = asyncio.run(first.process_response(req, resp))
    still = HtmlResponse(URL, status=200, body=CHALLENGE_PAGE.encode("utf-8"), request=render,
                         headers={b"Content-Type": b"text/html; charset=utf-8"})
    assert asyncio.run(first._judge_challenge(render, still)).meta[M.CHALLENGE_FAILED]

    other, other_crawler = worker(redis_url, "fail")
    req2, resp2 = challenged()
    assert asyncio.run(other.process_response(req2, resp2)) is resp2          # refused as it is
    assert other_crawler.stats.get_value("nianbao/render/challenges") is None


def test_a_distributed_crawl_asks_a_challenged_site_what_one_process_asks(redis_url, tmp_path):
    """Two workers, two sites, one behind a challenge: the challenge is rendered once, and
    neither site gets a request a one-process crawl does not send (a worker idle while the
    other still crawls asks no sitemap: the crawl is not idle yet)."""
    rows = {}
    with SamplePortals(port=0, latency=0.1) as portals:
        challenged_portal = portals.portal("jschallenge")
        urls = [challenged_portal.start_url, portals.portal("redirect301").start_url]
        for how in ("local", "redis"):
            db = tmp_path / f"{how}.db"
            extra = ["--redis", redis_url, "--redis-prefix", "twosites", "--workers", "2"] if how == "redis" else []
            before = challenged_portal._challenges
            done = run_crawl(*urls, "--db", str(db), "--concurrency", "1", *extra, *FAST, timeout=600)
            assert done.returncode == 0, done.stderr[-4000:]
            log = json.loads(query(db, "SELECT stats FROM runs")[0][0])
            rows[how] = ({site: (r["requests"], r["fetched"], r.get("refused", 0), r.get("renders", 0))
                          for site, r in log["sites"].items()},
                         challenged_portal._challenges - before, query(db, "SELECT url FROM reports"))
    assert rows["redis"] == rows["local"]
    assert rows["local"][1] == 2                # the plain request and the browser's first load
