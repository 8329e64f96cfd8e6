"""Incremental recrawls: a recrawl of unchanged portals asks conditionally and stores no new
bodies; pages that needed the browser are asked in full; a changed report is noticed;
`--due` follows the registry's schedules (nothing, lists only, or everything)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from nianbao.archive.store import Archive
from nianbao.archive.history import CrawlHistory
from nianbao.archive.capture import Capture
from nianbao.crawler.middlewares.conditional import ConditionalRequestMiddleware
from nianbao.crawler.portals import parse_registry
from nianbao.due import due_plan
from nianbao.demo.server import SamplePortals
from tests.support.archive import report_doc
from tests.support.ops import FAST, query, run_crawl

SITE = "gov.test:8080"
BASE = f"http://{SITE}"


def _page(path: str, *, etag=None, rendered=False, status=200, body=b"<html><p>x</p></html>", **kw):
    headers = {"content-type": "text/html"}
    if etag:
        headers["etag"] = etag
        headers["last-modified"] = "Mon, 01 Jan 2024 08:00:00 GMT"
    return Capture(url=BASE + path, final_url=BASE + path, canonical_url=BASE + path, site=SITE,
                    status=status, headers=headers, body=body, rendered=rendered,
                    fetched_at="2024-01-02T00:00:00+00:00", **kw)


@pytest.fixture
def history(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as ar:
        run = ar.start_run([SITE], {})
        ar.store_page(run, _page("/r/1.html", etag='"v1"'), report_doc(BASE + "/r/1.html"))
        ar.store_page(run, _page("/app/2", etag='"shell"', rendered=True), None)
        ar.finish_run(run, {})
    h = CrawlHistory(db)
    yield h
    h.close()


def _mw(history, **settings):
    crawler = get_crawler(Spider, settings)
    crawler._apply_settings()
    return ConditionalRequestMiddleware(crawler, history=history), crawler


def test_known_report_pages_are_asked_conditionally(history):
    mw, crawler = _mw(history)
    req = Request(BASE + "/r/1.html", meta={"nianbao_kind": "report"})
    mw.process_request(req)
    assert req.headers[b"If-None-Match"] == b'"v1"'
    assert req.headers[b"If-Modified-Since"] == b"Mon, 01 Jan 2024 08:00:00 GMT"
    new = Request(BASE + "/r/9.html", meta={"nianbao_kind": "report"})
    mw.process_request(new)
    assert b"If-None-Match" not in new.headers                 # never archived
    listing = Request(BASE + "/r/1.html", meta={"nianbao_kind": "list"})
    mw.process_request(listing)
    assert b"If-None-Match" not in listing.headers             # lists are always read in full
    assert crawler.stats.get_value("nianbao/conditional/sent") == 1


def test_a_page_that_needed_the_browser_is_asked_in_full(history):
    mw, crawler = _mw(history)
    req = Request(BASE + "/app/2", meta={"nianbao_kind": "report"})   # its shell had an ETag
    mw.process_request(req)
    assert b"If-None-Match" not in req.headers and b"If-Modified-Since" not in req.headers
    assert crawler.stats.get_value("nianbao/conditional/sent") is None
    render = Request(BASE + "/r/1.html", meta={"nianbao_kind": "report", "playwright": True},
                     headers={"If-None-Match": '"v1"'})
    mw.process_request(render)
    assert b"If-None-Match" not in render.headers           # a browser must never get a 304


def test_lists_only_sites_skip_known_reports(history):
    assert history.known_reports([SITE]) == {BASE + "/r/1.html"}
    mw, crawler = _mw(history, NIANBAO_LISTS_ONLY_SITES=[SITE])
    with pytest.raises(IgnoreRequest, match="not due"):
        mw.process_request(Request(BASE + "/r/1.html", meta={"nianbao_kind": "report"}))
    fresh = Request(BASE + "/r/2.html", meta={"nianbao_kind": "report"})
    assert mw.process_request(fresh) is None
    assert crawler.stats.get_value("nianbao/incremental/not_due") == 1


# -- real crawls ----------------------------------------------------------------------------------
class Recorder:
    """Sample-portal hook that only notes each request's conditional headers."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict]] = []

    def __call__(self, portal, req):
        cond = {k: v for k, v in req.headers.items() if k in ("if-none-match", "if-modified-since")}
        query = "&".join(f"{k}={v}" for k, vs in req.query.items() for v in vs)
        self.requests.append((portal.base_url + req.path + ("?" + query if query else ""),
                              req.headers.get("user-agent", ""), cond))
        return None


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample portals crawled twice, unchanged in between."""
    tmp = tmp_path_factory.mktemp("incremental")
    recorder = Recorder()
    with SamplePortals(port=0, fault=recorder) as portals:
        db = tmp / "archive.db"
        first = run_crawl(*portals.start_urls, "--db", str(db), *FAST)
        assert first.returncode == 0, first.stderr[-3000:]
        assert not any(cond for _, _, cond in recorder.requests)
        blobs_before = query(db, "SELECT count(*) FROM blobs")[0][0]
        versions_before = query(db, "SELECT count(*) FROM versions")[0][0]
        recorder.requests.clear()
        second = run_crawl(*portals.start_urls, "--db", str(db), *FAST)
        assert second.returncode == 0, second.stderr[-3000:]
        yield portals, db, tmp, blobs_before, versions_before, list(recorder.requests)


@pytest.mark.slow
def test_an_unchanged_recrawl_asks_conditionally_and_stores_no_new_bodies(crawled):
    portals, db, tmp, blobs_before, versions_before, requests = crawled
    rows = query(db, "SELECT url, status, not_modified, body_sha256, rendered "
                     "FROM captures WHERE run_id = 2 AND kind = 'page'")
    spa = portals.portal("spa").base_url
    # the pages that need no browser: not the single-page app's, nor those of the site
    # behind a JavaScript challenge (whichever of its requests meets the challenge first
    # goes through the browser: tests/e2e/test_real_web.py covers its recrawl)
    browser = (spa, portals.portal("jschallenge").base_url)
    static = [r for r in rows if not r[0].startswith(browser)]
    assert static
    assert [r for r in static if not (r[1] == 304 and r[2] == 1 and r[3] is None)] == []
    asked = {url: cond for url, _, cond in requests}
    assert all(asked[r[0]] for r in static), "every known static report was asked conditionally"
    ssi = portals.portal("ssi").base_url          # a server without ETag: answered by date
    assert any(u.startswith(ssi) and list(c) == ["if-modified-since"] for u, c in asked.items())
    # the single-page app's report pages needed the browser: asked in full, re-rendered
    app = [r for r in rows if r[0].startswith(spa)]
    assert app and all(r[1] == 200 and r[4] == 1 for r in app)
    assert not any(cond for url, _, cond in requests if url.startswith(spa))
    assert query(db, "SELECT count(*) FROM blobs")[0][0] == blobs_before
    assert query(db, "SELECT count(*) FROM versions")[0][0] == versions_before
    reports = query(db, "SELECT count(*), sum(versions), sum(removed) FROM reports")[0]
    assert reports[0] == len([g for g in portals.gold_reports() if not g.robots_disallowed])
    assert reports[1] == reports[0] and reports[2] == 0
    log = json.loads(query(db, "SELECT stats FROM runs WHERE id = 2")[0][0])
    assert log["ops"]["nianbao/conditional/not_modified"] == len([r for r in rows if r[1] == 304])


@pytest.mark.slow
def test_due_follows_the_schedule(crawled):
    portals, db, tmp, _, _, _ = crawled
    registry = tmp / "portals.yaml"
    entries = [{"name": p.name, "start_urls": [p.start_url],
                "schedule": {"lists": "1d", "reports": "30d"}} for p in portals.portals]
    registry.write_text(yaml.safe_dump({"portals": entries}), encoding="utf-8")
    runs_before = query(db, "SELECT count(*) FROM runs")[0][0]
    proc = run_crawl("--portals", str(registry), "--db", str(db), "--due", *FAST)
    assert proc.returncode == 0 and "nothing is due" in proc.stderr
    assert query(db, "SELECT count(*) FROM runs")[0][0] == runs_before

    # a day later: lists are due, reports (30 days) are not
    later = datetime.now(timezone.utc) + timedelta(days=1, minutes=5)
    plan = {d.portal.name: d.mode for d in due_plan(parse_registry(yaml.safe_load(registry.read_text())), db, later)}
    assert set(plan.values()) == {"lists"}
    much_later = datetime.now(timezone.utc) + timedelta(days=31)
    assert {d.mode for d in due_plan(parse_registry(yaml.safe_load(registry.read_text())), db, much_later)} == {"full"}

    # lists due now: a lists-only crawl reads the lists and leaves known report pages alone
    entries[0]["schedule"] = {"lists": "1s", "reports": "30d"}
    registry.write_text(yaml.safe_dump({"portals": entries}), encoding="utf-8")
    proc = run_crawl("--portals", str(registry), "--db", str(db), "--due", *FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"{entries[0]['name']}: lists" in proc.stderr
    run = query(db, "SELECT max(id) FROM runs")[0][0]
    assert json.loads(query(db, "SELECT sites FROM runs WHERE id = ?", (run,))[0][0]) == \
        portals.portal(entries[0]["name"]).base_url.split("//")[1:]
    assert query(db, "SELECT count(*) FROM captures WHERE run_id = ? AND kind = 'page'", (run,))[0][0] == 0
    log = json.loads(query(db, "SELECT stats FROM runs WHERE id = ?", (run,))[0][0])
    assert log["ops"]["nianbao/incremental/not_due"] >= 1
    assert query(db, "SELECT sum(removed) FROM reports")[0][0] == 0
