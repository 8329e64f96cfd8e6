"""robots.txt holds for requests that reach a site before its robots.txt does (Scrapy 2.19
let all but one of them through under the asyncio reactor; crawler.middlewares.robots)."""
from __future__ import annotations

import pytest

import yaml

from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, run_crawl

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, the CLI



class Recorder:
    def __init__(self):
        self.paths: list[tuple[str, str]] = []

    def __call__(self, portal, req):
        self.paths.append((portal.name, req.path))
        return None


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
