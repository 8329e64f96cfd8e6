"""Script: Traditional detected by ratio, OpenCC config chosen by evidence, pinyin
annotations removed, original text kept; the seeds 002 and 003 as published."""
from __future__ import annotations

from pathlib import Path

from nianbao.extract import extract_document
from nianbao.extract.script import choose_config, detect_script, strip_pinyin, to_simplified

from tests.support import SEEDS


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _page(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="TRS_Editor">{paras}</div></body></html>'.encode()


def test_detect_by_ratio_not_by_character_set():
    # Simplified text with the odd character t2s would change (乾, 著, 覆) stays Simplified
    assert detect_script(_seed("000")[:1500] + "乾隆年间的显著著作，覆盖全区。") == "simplified"
    assert detect_script(_seed("002")) == "traditional"
    assert detect_script(_seed("000")) == "simplified"


def test_config_by_evidence():
    assert choose_config(_seed("003")) == "tw2s+phrases"
    assert choose_config(_seed("002")) == "t2s"


def test_pinyin_annotations_removed_parentheses_kept():
    assert strip_pinyin("發(fā)揮、規（guī）範、執(zhí)法") == "發揮、規範、執法"
    keep = "經濟總量(GDP)增長，（一）主動公開，第(三)項，附件(1)，Windows(x64)"
    assert strip_pinyin(keep) == keep


def test_conversion_keeps_mainland_words():
    assert to_simplified("準確執行《條例》，指標，整合，資料", "tw2s+phrases") == "准确执行《条例》，指标，整合，资料"
    assert to_simplified("網際網路+政務服務，最佳化入口網站", "tw2s+phrases") == "互联网+政务服务，优化门户网站"
    assert to_simplified("存在著問題，顯著提高，著作權", "t2s") == "存在着问题，显著提高，著作权"


def test_seed_002_simplified_without_pinyin():
    doc = extract_document(_page("海安市行政審批局2020年政府信息公開工作年度報告", _seed("002")),
                           "http://www.haian.gov.cn/xxgk/ndbg/202101/t20210127_5.html")
    assert doc.script == "traditional" and doc.opencc_config == "t2s"
    assert doc.title == "海安市行政审批局2020年政府信息公开工作年度报告"
    assert "政府门户网站" in doc.text and "发挥法律顾问专业优势" in doc.text
    for artifact in ("(fā)", "(guī)", "(zhí)", "(xiàn)", "(tài)"):
        assert artifact not in doc.text and artifact not in doc.text_original
    assert "發揮法律顧問專業優勢" in doc.text_original          # the original script is kept
    assert "有着落" in doc.text and "存在着" in doc.text


def test_seed_003_taiwan_phrases_restored():
    doc = extract_document(_page("銀川市興慶區2021年政府信息公開工作年度報告", _seed("003")),
                           "http://www.xqq.gov.cn/xxgk/zfxxgknb/202201/t20220128_3.html")
    assert doc.script == "traditional" and doc.opencc_config == "tw2s+phrases"
    for w in ("互联网", "优化", "门户网站"):
        assert w in doc.text
    for w in ("網際網路", "最佳化", "入口網站", "网际网路", "入口网站"):
        assert w not in doc.text
    assert "准确执行《中华人民共和国政府信息公开条例》" in doc.text
    assert "入口網站" in doc.text_original
    assert doc.agency == "银川市兴庆区人民政府" and doc.agency_original == "銀川市興慶區人民政府"
    assert doc.year == 2021 and doc.is_report


def test_simplified_page_is_untouched():
    doc = extract_document(_page("咸宁市2013年政府信息公开工作年度报告", _seed("000")), "http://x/a.html")
    assert doc.script == "simplified" and doc.opencc_config is None
    assert doc.text == doc.text_original
