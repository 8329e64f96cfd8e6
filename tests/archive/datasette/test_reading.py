"""The reading page, its versions, cite box and named downloads (in-process Datasette)."""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from urllib.parse import quote, unquote

import pytest

from nianbao.archive.datasette.serve import build_datasette
from tests.support import publish as sample

A, B, C, T = (s.url for s in sample.SAMPLES)
TABLE_URL = sample.TABLE_URL


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("reading") / "archive.db"
    sample.build(path)
    sample.add_table_report(path)
    return path


@pytest.fixture(scope="module")
def ds(db_path):
    return build_datasette([db_path])


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def doc_id(db_path, url):
    return sqlite3.connect(db_path).execute("SELECT document_id FROM reports WHERE url = ?", (url,)).fetchone()[0]


def test_text_as_paragraphs_and_tables_as_published(ds, db_path):
    html = get(ds, f"/-/nianbao/report/{doc_id(db_path, TABLE_URL)}").text
    assert "<p>本年度未收取信息处理费，全文完。</p>" in html
    assert '<td rowspan="2">三、本年度办理结果</td>' in html
    assert '<td colspan="2">四、结转下年度继续办理</td>' in html
    assert "辽宁省 · 沈阳市" in html                          # from the page's 网站标识码


def test_every_version_has_its_url_and_the_diff_to_the_one_before(ds, db_path):
    d = doc_id(db_path, B)
    v1 = get(ds, f"/-/nianbao/report/{d}/v1")
    assert v1.status_code == 200 and "Version 1 of 2" in v1.text and sample.EDIT_OLD in v1.text
    v2 = get(ds, f"/-/nianbao/report/{d}/v2")
    assert "<ins>，已于2023年整改完毕</ins>" in v2.text
    assert get(ds, f"/-/nianbao/report/{d}/v9").status_code == 404
    assert get(ds, "/-/nianbao/report?url=" + quote(B)).headers["location"] == f"/-/nianbao/report/{d}"


def test_cite_box_has_the_capture_hash_time_and_archive_url(ds, db_path):
    d = doc_id(db_path, A)
    html = get(ds, f"/-/nianbao/report/{d}").text
    digest = sqlite3.connect(db_path).execute(
        "SELECT c.body_sha256 FROM captures c JOIN versions v ON v.first_capture_id = c.id "
        "WHERE v.document_id = ?", (d,)).fetchone()[0]
    assert digest in html and f"Captured {sample.FETCHED[:19]}Z (UTC)" in html
    assert f"http://localhost/-/nianbao/report/{d}/v1" in html
    bibtex = re.search(r'<pre id="cite-bibtex">(.*?)</pre>', html, re.S).group(1)
    assert bibtex.startswith(f"@misc{{nianbao{d}v1,") and "浙江省人民政府办公厅" in bibtex
    csl = json.loads(re.search(r'<pre id="cite-csl">(.*?)</pre>', html, re.S).group(1).replace("&#34;", '"'))
    assert csl[0]["URL"] == A and csl[0]["issued"] == {"date-parts": [[2023, 1, 20]]}


def test_downloads_are_named_for_people(ds, db_path):
    d = doc_id(db_path, A)
    raw = get(ds, f"/-/nianbao/report/{d}/v1/raw")
    assert raw.headers["content-type"] == "application/octet-stream"
    disposition = raw.headers["content-disposition"]
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name == "浙江省人民政府办公厅-2022-浙江省人民政府办公厅2022年政府信息公开工作年度报告-v1.html"
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
    text = get(ds, f"/-/nianbao/report/{d}/v1/text")
    assert text.headers["content-type"].startswith("text/plain") and "复议" in text.text
    assert unquote(text.headers["content-disposition"]).endswith("-v1.txt")


def test_original_script_is_one_click_away(ds, db_path):
    html = get(ds, f"/-/nianbao/report/{doc_id(db_path, T)}").text
    assert "?script=original" in html and "网际网路" not in html
    original = get(ds, f"/-/nianbao/report/{doc_id(db_path, T)}?script=original").text
    assert "網際網路" in original


def test_figures_are_labelled_in_chinese_beside_the_keys(ds, db_path):
    html = get(ds, f"/-/nianbao/report/{doc_id(db_path, A)}").text
    assert "一、本年新收政府信息公开申请数量 · requests_new" in html
    assert "表四 行政复议 总计 · reconsideration_total" in html


def test_no_text_layer_and_ocr_marks(ds, db_path):
    from nianbao.archive.datasette.reading import marks
    assert [m["kind"] for m in marks({"no_text_layer": 1})] == ["no-text"]
    assert [m["kind"] for m in marks({"text_source": "ocr", "ocr_engine": "x", "ocr_confidence": 0.9})] == ["ocr"]
    assert marks({"text_source": "text"}) == []
