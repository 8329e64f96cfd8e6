"""Every sample-portal family against its gold: metadata exact on every report, text equal
to the gold in character bigrams (F1 >= 0.98) with no chrome left, traps never reports.

Pages are fetched over loopback from the running portals, exactly as served; single-page
app reports are rendered in Debian's Chromium first (the crawler's render-on-demand).
"""
from __future__ import annotations

import re

import pytest

from nianbao.crawler.browser import render_html
from nianbao.demo.gold import bigram_f1 as _f1
from nianbao.demo.server import SamplePortals
from tests.support.http import fetch
from nianbao.extract import extract_document, looks_like_shell
from nianbao.extract.rules import CHROME_STRINGS

pytestmark = pytest.mark.browser      # the single-page-app reports are rendered in Chromium


def _fetch(url: str) -> tuple[bytes, dict]:
    status, headers, body = fetch(url)
    assert status == 200, url
    return body, headers




@pytest.fixture(scope="module")
def served():
    """(gold, page document, text document) for every gold report, and the trap documents."""
    with SamplePortals(port=0) as portals:
        pages = {}
        shells = []
        for g in portals.gold_reports():
            body, headers = _fetch(g.url)
            pages[g.url] = (body, headers)
            if looks_like_shell(body, headers):
                shells.append(g.url)
        rendered = render_html(shells)
        rows = []
        for g in portals.gold_reports():
            body, headers = pages[g.url]
            if g.url in rendered:
                body, headers = rendered[g.url], {"Content-Type": "text/html; charset=utf-8"}
            page_doc = extract_document(body, g.url, headers)
            text_doc = page_doc
            if g.attachment_url:
                abody, aheaders = _fetch(g.attachment_url)
                text_doc = extract_document(abody, g.attachment_url, aheaders)
            rows.append((g, page_doc, text_doc))
        traps = []
        for u in portals.traps():
            body, headers = _fetch(u)
            traps.append(extract_document(body, u, headers))
        yield {"rows": rows, "traps": traps, "shells": shells}


def test_every_family_is_covered(served):
    families = {g.family for g, _, _ in served["rows"]}
    assert {"trs-static", "hanweb", "spa", "ssi", "big5-gateway", "traditional", "pdf-attachment"} <= families
    assert served["shells"], "the single-page-app portal served no loading shell"


def test_metadata_exact_on_every_report(served):
    bad = []
    for g, page, _ in served["rows"]:
        got = (page.title, page.agency, page.year, page.published, page.is_report)
        want = (g.title, g.agency, g.year, g.published, True)
        if got != want:
            bad.append((g.url, got, want))
    assert not bad, bad


def test_text_matches_gold_and_has_no_chrome(served):
    for g, _, doc in served["rows"]:
        if g.no_text_layer or g.ocr:
            continue             # text only OCR can read: tests/extract/test_ocr.py
        assert _f1(doc.text, g.text) >= 0.98, g.url
        for s in CHROME_STRINGS:
            if s not in g.text:
                assert s not in doc.text, (g.url, s)


def test_script_and_encoding(served):
    for g, page, _ in served["rows"]:
        assert page.script == g.script, g.url
        if g.script == "traditional":
            assert page.text_original != page.text and page.title_original != page.title


def test_scanned_pdf_is_recorded_not_empty_report(served):
    scanned = [(g, doc) for g, _, doc in served["rows"] if g.no_text_layer]
    assert scanned
    for g, doc in scanned:
        assert doc.content_type == "pdf" and doc.no_text_layer
        assert any("no text layer" in w for w in doc.warnings)


def test_traps_are_never_reports(served):
    assert len(served["traps"]) >= 10
    for doc in served["traps"]:
        assert not doc.is_report, (doc.url, doc.title)
    assert any(doc.is_not_found for doc in served["traps"])


def test_seeds_002_003_come_out_simplified(served):
    by_source = {g.source: doc for g, _, doc in served["rows"]}
    d2, d3 = by_source["seed:002"], by_source["seed:003"]
    assert "门户网站" in d2.text and "(fā)" not in d2.text and "發" not in d2.text
    for w in ("互联网", "优化", "门户网站"):
        assert w in d3.text
    for w in ("網際網路", "最佳化", "入口網站", "网际网路"):
        assert w not in d3.text
    assert not re.search(r"[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔù]{1,6}[)）]", d2.text + d3.text)
