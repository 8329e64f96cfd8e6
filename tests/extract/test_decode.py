"""Decoding: BOM, HTTP charset, meta charset (gb2312/gbk read as GB18030), verification by
a clean and plausible decode, wrong declarations, truncated bytes."""
from __future__ import annotations

import random
from functools import lru_cache

import pytest

from nianbao.demo.messages import Request
from nianbao.demo.portals.realweb import build_all
from nianbao.extract import extract_document
from nianbao.extract.decode import decode_body, header_charset, meta_charset, normalize_charset, plausibility

TEXT = "沈阳市发展和改革委员会2017年度政府信息公开工作报告：全年主动公开信息4480余条，镕铸阳光政务。"


def page(charset: str | None, text: str = TEXT, title: str = "年度报告") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{text}</p></body></html>"


def test_gbk_page_with_meta_only_charset():
    body = page("gb2312", TEXT + "王喆").encode("gbk")       # 喆 is GBK, not GB2312
    text, enc = decode_body(body, {"Content-Type": "text/html"})
    assert enc == "gb18030" and TEXT + "王喆" in text


def test_declared_utf8_but_gbk_bytes():
    text, enc = decode_body(page("utf-8").encode("gbk"))
    assert enc == "gb18030" and TEXT in text


def test_declared_gbk_but_utf8_bytes():
    text, enc = decode_body(page("gbk").encode("utf-8"))
    assert enc == "utf-8" and TEXT in text


def test_http_charset_wrong_meta_right():
    text, enc = decode_body(page("gbk").encode("gbk"), {"content-type": "text/html; charset=UTF-8"})
    assert enc == "gb18030" and TEXT in text


def test_big5_declared_as_gbk():
    trad = "遼河市民政局2020年政府資訊公開工作年度報告：全年主動公開政府資訊316條，進一步優化政府入口網站專欄。"
    text, enc = decode_body(page("gbk", trad, "年度報告").encode("big5"))
    assert enc == "big5hkscs" and trad in text


def test_bom_wins():
    text, enc = decode_body(b"\xef\xbb\xbf" + page("gbk").encode("utf-8"))
    assert enc == "utf-8-sig" and TEXT in text
    text, enc = decode_body(page(None).encode("utf-16"))
    assert enc == "utf-16" and TEXT in text


def test_no_declaration_at_all():
    text, enc = decode_body(page(None).encode("gbk"))
    assert enc == "gb18030" and TEXT in text


def test_truncated_inside_a_character_keeps_the_rest():
    body = page("utf-8").encode("utf-8")
    cut = body.index("全年".encode()) + 4        # inside 年
    text, enc = decode_body(body[:cut])
    assert enc == "utf-8" and "工作报告：全" in text


def test_a_few_bad_bytes_in_utf8_are_replaced_not_mojibake():
    body = page("utf-8").encode("utf-8").replace(b"<p>", b"<p>" + "广告".encode("gbk"))
    text, enc = decode_body(body)
    assert enc == "utf-8+replace" and TEXT in text


@lru_cache(maxsize=None)
def _report_page(portal: str):
    """A report page of a sample portal as it serves it (UTF-8, charset in the HTTP header)."""
    p = next(p for p in build_all() if p.name == portal)
    art = next(a for c in p.columns.values() for a in c.articles if a.kind == "report")
    resp = p.handle(Request("GET", art.path, {}))
    return art, resp.body, resp.headers


def test_a_report_page_with_an_include_saved_in_gbk_is_utf8_with_replacements():
    # the badbytes sample portal: a few hundred bytes above the report are GBK in a UTF-8 page;
    # a detector took the page for ptcp154 (mojibake) and the report was lost
    art, body, headers = _report_page("badbytes")
    assert body.decode("utf-8", "replace").count("\ufffd") >= 100
    text, enc = decode_body(body, headers)
    assert enc == "utf-8+replace" and text == body.decode("utf-8", "replace")
    doc = extract_document(body, "http://badbytes.test" + art.path, headers)
    assert doc.is_report and doc.title.startswith("余杭区人民政府2022年")


@pytest.mark.parametrize("runs,size", [(1, 300), (3, 100), (10, 30), (30, 10), (300, 1)])
@pytest.mark.parametrize("seed", range(4))
def test_invalid_byte_runs_in_a_utf8_report_page_are_replaced_not_mojibake(runs, size, seed):
    art, body, headers = _report_page("redirect301")
    rnd = random.Random(seed)
    start = body.index(b"</h1>")                 # the title stays whole, the report text takes the hits
    bad = bytearray(body)
    for _ in range(runs):
        at = rnd.randrange(start, len(bad))
        bad[at:at] = bytes(rnd.randrange(0x80, 0x100) for _ in range(size))
    bad = bytes(bad)
    text, enc = decode_body(bad, headers)
    assert enc == "utf-8+replace" and text == bad.decode("utf-8", "replace")
    assert extract_document(bad, "http://redirect301.test" + art.path, headers).is_report


def test_helpers():
    assert normalize_charset("GB2312") == "gb18030" and normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("BIG5") == "big5hkscs" and normalize_charset("no-such") is None
    assert header_charset({"Content-Type": ["text/html; charset=gbk"]}) == "gb18030"
    assert meta_charset(b'<meta charset="utf-8">') == "utf-8"
    assert plausibility(TEXT) > 0.9
    assert plausibility(TEXT.encode("utf-8").decode("gb18030", "replace")) < 0.6
