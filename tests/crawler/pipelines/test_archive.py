"""The archive pipeline without a crawl: items in, real extraction, real SQLite out."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from scrapy import Spider

from nianbao.archive.capture import Listing, Capture
from nianbao.crawler.extensions.sitestats import SiteStats, format_table
from nianbao.crawler.pipelines.archive import ArchivePipeline

from tests.support import REAL_PAGES
from tests.support.crawler import project_crawler
SITE = "www.example.gov.cn"


class OneSite(Spider):
    name = "one"
    sites = {SITE}


def report_html(year: int, extra: str = "") -> bytes:
    paras = "".join(f"<p>（{i}）{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，"
                    f"主动公开政府信息{100 + i}条，依申请公开办理{i}件。{extra}</p>" for i in range(1, 25))
    return (f'<html><head><meta charset="utf-8"><title>某市{year}年政府信息公开工作年度报告_某市人民政府</title>'
            f'</head><body><div class="position">当前位置：首页 &gt; 政府信息公开年报</div>'
            f'<h1>某市{year}年政府信息公开工作年度报告</h1><div class="TRS_Editor">{paras}</div>'
            f'<div class="footer">版权所有 某市人民政府</div></body></html>').encode("utf-8")


def page(url, body=b"", status=200, **kw):
    return Capture(url=url, final_url=url, canonical_url=url, site=SITE, status=status,
                    headers={"content-type": "text/html; charset=utf-8"}, body=body,
                    fetched_at="2024-03-01T00:00:00+00:00", **kw)


def make(tmp_path, **settings):
    crawler = project_crawler(OneSite, NIANBAO_DB=str(tmp_path / "a.db"), **settings)
    return ArchivePipeline.from_crawler(crawler), crawler


def test_pages_listings_and_failures_reach_the_archive(tmp_path):
    pipe, crawler = make(tmp_path)
    pipe.open_spider(crawler.spider)
    base = f"http://{SITE}"
    items = [
        page(f"{base}/nb/2021.html", report_html(2021), link_text="某市2021年政府信息公开工作年度报告"),
        page(f"{base}/nb/2020.html", report_html(2020)),
        page(f"{base}/nb/gone.html", b"<html><body>404</body></html>", status=404, error="HTTP 404"),
        page(f"{base}/nb/timeout.html", status=None, error="TimeoutError: took longer than 30 s"),
        Listing(url=f"{base}/nb/", site=SITE, links=[f"{base}/nb/2021.html", f"{base}/nb/2020.html"]),
    ]
    for it in items:
        assert asyncio.run(pipe.process_item(it, crawler.spider)) is it
    sites = SiteStats.of(crawler)
    sites.inc(SITE, "fetched", 4)
    sites.inc(SITE, "failed", 2)
    sites.inc(SITE, "requests", 6)
    pipe.close_spider(crawler.spider)

    conn = sqlite3.connect(tmp_path / "a.db")
    reports = {r[0]: r[1] for r in conn.execute("SELECT url, year FROM reports")}
    assert reports == {f"{base}/nb/2021.html": 2021, f"{base}/nb/2020.html": 2020}
    errors = dict(conn.execute("SELECT url, error FROM captures WHERE error IS NOT NULL").fetchall())
    assert errors == {f"{base}/nb/gone.html": "HTTP 404",
                      f"{base}/nb/timeout.html": "TimeoutError: took longer than 30 s"}
    assert conn.execute("SELECT count(*) FROM listing_links").fetchone()[0] == 2
    status, logged = conn.execute("SELECT status, stats FROM runs").fetchone()
    conn.close()
    assert status == "finished"
    row = json.loads(logged)["sites"][SITE]
    assert row["reports"] == 2 and row["new"] == 2 and row["changed"] == 0
    assert row["fetched"] == 4 and row["failed"] == 2 and row["requests"] == 6
    result = pipe.result
    assert result["sites"][SITE] == row and result["totals"]["reports"] == 2
    assert result["report_urls"][SITE] == [f"{base}/nb/2020.html", f"{base}/nb/2021.html"]
    assert pipe.known_reports == set()              # nothing archived before this run


def test_a_second_run_counts_changes_and_revisits_known_reports(tmp_path):
    base = f"http://{SITE}"
    pipe, crawler = make(tmp_path)
    pipe.open_spider(crawler.spider)
    asyncio.run(pipe.process_item(page(f"{base}/nb/2021.html", report_html(2021)), crawler.spider))
    pipe.close_spider(crawler.spider)

    pipe, crawler = make(tmp_path)
    pipe.open_spider(crawler.spider)
    assert pipe.known_reports == {f"{base}/nb/2021.html"}
    asyncio.run(pipe.process_item(page(f"{base}/nb/2021.html", report_html(2021, "全年开展培训6次。")),
                                  crawler.spider))
    asyncio.run(pipe.process_item(page(f"{base}/nb/2022.html", report_html(2022)), crawler.spider))
    pipe.close_spider(crawler.spider)
    row = pipe.result["sites"][SITE]
    assert (row["reports"], row["new"], row["changed"]) == (2, 1, 1)


def test_bad_bytes_are_stored_not_lost(tmp_path):
    pipe, crawler = make(tmp_path)
    pipe.open_spider(crawler.spider)
    junk = page(f"http://{SITE}/x.pdf", b"%PDF-1.4 this is not really a pdf \x00\xff\xfe" * 10)
    junk.headers = {"content-type": "application/pdf"}
    asyncio.run(pipe.process_item(junk, crawler.spider))
    pipe.close_spider(crawler.spider)
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT count(*) FROM captures WHERE url LIKE '%x.pdf'").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    conn.close()


def test_a_real_article_page_is_extracted_as_a_page_not_a_report(tmp_path):
    real = (REAL_PAGES / "deqing-gov-article.html").read_bytes()
    pipe, crawler = make(tmp_path)
    pipe.open_spider(crawler.spider)
    asyncio.run(pipe.process_item(page(f"http://{SITE}/art/2024/1/2/art_1_2.html", real), crawler.spider))
    pipe.close_spider(crawler.spider)
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    conn.close()
    assert pipe.result["sites"][SITE]["reports"] == 0


def test_statistics_table_has_one_line_per_site_and_totals():
    table = format_table({"a.gov.cn": {"fetched": 3, "reports": 1}, "b.gov.cn:8080": {"fetched": 2}})
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["site", "pages", "rendered", "reports"]
    assert lines[1].split()[:4] == ["a.gov.cn", "3", "0", "1"]
    assert lines[2].startswith("b.gov.cn:8080")
    assert lines[3].split()[:4] == ["total", "5", "0", "1"]


def test_locked_archive_stops_the_crawl_without_a_partial_capture(tmp_path, caplog):
    pipe, crawler = make(tmp_path, NIANBAO_BUSY_TIMEOUT=0.2, NIANBAO_REMOVAL_AFTER=5)
    pipe.open_spider(crawler.spider)
    assert pipe.archive.removal_after == 5
    holder = sqlite3.connect(str(tmp_path / "a.db"))
    holder.execute("BEGIN IMMEDIATE")          # another writer holds the lock
    try:
        url = f"http://{SITE}/nb/2021.html"
        asyncio.run(pipe.process_item(page(url, report_html(2021))))
    finally:
        holder.rollback()
        holder.close()
    assert crawler.stats.get_value("nianbao/archive_busy") == 1
    assert any("stopping the crawl" in r.getMessage() for r in caplog.records)
    db = sqlite3.connect(str(tmp_path / "a.db"))
    assert db.execute("select count(*) from captures").fetchone()[0] == 0


def test_a_page_the_spider_extracted_is_not_extracted_again(tmp_path, monkeypatch):
    from nianbao import extract
    url = f"http://{SITE}/nb/2021.html"
    texts = []
    for name, handed in (("plain", False), ("handed", True)):
        item = page(url, report_html(2021))
        if handed:
            item.extracted = extract.extract_document(item.body, item.final_url, item.headers)
            monkeypatch.setattr(extract, "extract_document",
                                lambda *a, **kw: (_ for _ in ()).throw(AssertionError("extracted again")))
        (tmp_path / name).mkdir()
        pipe, crawler = make(tmp_path / name)
        pipe.open_spider(crawler.spider)
        asyncio.run(pipe.process_item(item, crawler.spider))
        pipe.close_spider(crawler.spider)
        assert item.error is None and item.extracted is None     # taken, not kept
        conn = sqlite3.connect(tmp_path / name / "a.db")
        texts.append(conn.execute("SELECT title, text, is_report FROM versions").fetchall())
        conn.close()
    assert texts[0] == texts[1] and texts[0][0][2] == 1
