"""robots.txt per RFC 9309 (crawler.middlewares.robots): read up to a size cap, 5xx and no
answer keep the crawl off the site with one line saying why, and the rules hold for requests
that reach a site before its robots.txt does (Scrapy 2.19 let all but one of them through
under the asyncio reactor). A huge, a 503 and an unreachable robots.txt in a real crawl:
tests/e2e/test_hostile.py."""
from __future__ import annotations

import pytest
import yaml
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, StopDownload

from nianbao.crawler import meta as M
from nianbao.crawler.middlewares.robots import RobotsTxtMiddleware, Unreachable, capped
from nianbao.demo.server import SamplePortals
from tests.support.crawler import project_crawler
from tests.support.ops import FAST, run_crawl


def test_the_parsed_part_is_capped_after_a_whole_line():
    body = b"User-agent: *\nDisallow: /private/\nAllow: /public/page.html\n"
    assert capped(body, 1024) == body
    cut = len(b"User-agent: *\nDisallow: /private/\nAllow: /pub")
    # "Allow: /pub" would allow more than the rule says: the half line is dropped
    assert capped(body, cut) == b"User-agent: *\nDisallow: /private/\n"
    assert capped(b"x" * 100, 10) == b"x" * 10          # one endless line: its first bytes


def test_a_robots_txt_download_stops_at_the_cap_and_others_never():
    mw = RobotsTxtMiddleware(project_crawler(NIANBAO_ROBOTS_MAX_BYTES=1000))
    robots = Request("http://a.test/robots.txt", meta={M.ROBOTS_BYTES: 0})
    mw._bytes_received(b"x" * 600, robots)
    assert robots.meta[M.ROBOTS_BYTES] == 600
    with pytest.raises(StopDownload) as stop:
        mw._bytes_received(b"x" * 600, robots)
    assert stop.value.fail is False                     # the response keeps what came
    page = Request("http://a.test/big.html")
    mw._bytes_received(b"x" * 10_000, page)
    assert M.ROBOTS_BYTES not in page.meta


def test_an_unreachable_robots_txt_refuses_every_request_with_its_reason():
    mw = RobotsTxtMiddleware(project_crawler())
    rp = Unreachable("robots.txt answered 503: site not crawled (RFC 9309)")
    with pytest.raises(IgnoreRequest, match=r"^robots.txt answered 503: site not crawled \(RFC 9309\)$"):
        mw.process_request_2(rp, Request("http://a.test/xxgk/"))


class Recorder:
    def __init__(self):
        self.paths: list[tuple[str, str]] = []

    def __call__(self, portal, req):
        self.paths.append((portal.name, req.path))
        return None


@pytest.mark.slow      # a subprocess crawl
def test_requests_in_flight_before_robots_txt_obey_it(tmp_path):
    seen = Recorder()
    with SamplePortals(port=0, fault=seen) as portals:
        trs = portals.portal("trs")
        disallowed = trs.robots_prefix
        # the start URL and several list URLs are all requested before robots.txt is parsed
        entry = {"name": "trs", "start_urls": [trs.base_url + "/"],
                 "list_urls": [trs.base_url + disallowed, trs.base_url + disallowed + "index.html",
                               trs.base_url + disallowed + "index_1.html", trs.base_url + "/zwgk/"]}
        registry = tmp_path / "portals.yaml"
        registry.write_text(yaml.safe_dump({"portals": [entry]}), encoding="utf-8")
        proc = run_crawl("--portals", str(registry), "--db", str(tmp_path / "a.db"), *FAST)
        assert proc.returncode == 0, proc.stderr[-3000:]
    trs_paths = [p for name, p in seen.paths if name == "trs"]
    assert "/robots.txt" in trs_paths and "/zwgk/" in trs_paths
    assert not [p for p in trs_paths if p.startswith(disallowed)], "fetched what robots.txt forbids"
