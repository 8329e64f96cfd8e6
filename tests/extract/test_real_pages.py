"""The two real government pages in tests/data/real-pages: text equals the careful gold,
metadata read from their own fields, no page furniture left."""
from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.extract import extract_document
from nianbao.demo.gold import bigram_f1
from nianbao.extract.rules import CHROME_STRINGS

from tests.support import REAL_PAGES as REAL, ROOT
GOLD = ROOT / "tests" / "pages" / "real"

CASES = {
    "deqing-gov-article": dict(title="1-10月德清县固定资产投资结构趋稳趋优", published="2016-11-22",
                               source="省发改委", url="http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"),
    "shanxi-gov-article": dict(title="山西品牌丝路行（南美站）正式启动", published="2019-09-18",
                               source="山西日报", url="http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_page_text_is_the_gold_text(name):
    case = CASES[name]
    doc = extract_document((REAL / f"{name}.html").read_bytes(), case["url"])
    gold = (GOLD / f"{name}.gold.txt").read_text(encoding="utf-8").strip()
    assert doc.text == gold
    for s in CHROME_STRINGS:
        assert s not in doc.text


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_page_metadata(name):
    case = CASES[name]
    doc = extract_document((REAL / f"{name}.html").read_bytes(), case["url"])
    assert doc.title == case["title"]
    assert doc.published == case["published"]
    assert doc.source == case["source"]
    assert doc.encoding == "utf-8"
    assert doc.script == "simplified"
    assert not doc.is_report and not doc.is_shell and not doc.is_not_found


def test_old_gb2312_article_loses_its_print_recommend_and_pager_controls():
    """chinaneast (2005, GB2312): 【打印本稿】, 【推荐 … 】 (a layout table's cells) and the
    article pager "[1] [2] … [6]" are furniture; the body equals the hand-cleaned gold."""
    doc = extract_document((REAL / "chinaneast-gov-article.html").read_bytes(),
                           "http://www.chinaneast.gov.cn/2005-05/article.html")
    gold = (REAL / "chinaneast-gov-article.gold.txt").read_text(encoding="utf-8")
    assert doc.title == "农机专家李金泽：为农机行业搭建现代化信息平台"
    assert doc.encoding in ("gb18030", "gb2312", "gbk")
    for s in ("打印本稿", "【推荐", "推荐\t", "[1]", "[6]"):
        assert s not in doc.text, s
    for s in CHROME_STRINGS:
        assert s not in doc.text

    assert bigram_f1(doc.text, gold) >= 0.99
