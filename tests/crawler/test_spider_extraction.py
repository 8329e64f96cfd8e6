"""A page is extracted once: the Document the spider made to find a report page's pictures
travels with its capture to the pipeline; with OCR off the spider extracts nothing."""
from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse

from nianbao.archive.capture import Capture
from nianbao.crawler.spiders.reports import ReportSpider
from tests.support.crawler import project_crawler

SITE = "http://a.gov.test/"
PICTURED = ("<html><head><title>某县2023年政府信息公开工作年度报告</title></head><body>"
            "<div class='TRS_Editor'><p>某县2023年政府信息公开工作年度报告</p>"
            "<p><img src='/nb/p1.png'></p><p><img src='/nb/p2.png'></p></div></body></html>")


def _parse(**settings) -> list:
    crawler = project_crawler(NIANBAO_STORE_ALL=True, **settings)
    spider = crawler.spider = ReportSpider.from_crawler(crawler, urls=SITE)
    req = Request(SITE + "nb/2023.html", meta={"nianbao_kind": "report"})
    resp = HtmlResponse(req.url, body=PICTURED.encode("utf-8"), request=req,
                        headers={"Content-Type": "text/html; charset=utf-8"})
    return list(spider.parse(resp))


def test_a_report_page_s_document_goes_with_its_capture():
    first = next(o for o in _parse() if isinstance(o, Request) and o.meta.get("nianbao_capture"))
    cap = first.meta["nianbao_capture"]
    assert first.url == SITE + "nb/p1.png" and first.meta["nianbao_images"] == [SITE + "nb/p2.png"]
    assert cap.extracted is not None and cap.extracted.ocr_inputs == [SITE + "nb/p1.png", SITE + "nb/p2.png"]


def test_without_ocr_the_spider_extracts_nothing():
    (cap,) = [o for o in _parse(NIANBAO_OCR=False) if isinstance(o, Capture)]
    assert cap.extracted is None
