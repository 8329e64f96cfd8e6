"""Metadata rules: report titles vs traps, dates, year reported on, agency, title suffixes."""
from __future__ import annotations

import pytest

from nianbao.extract import is_report_title
from nianbao.extract.metadata import (agency_from_title, complete_district, find_agency, parse_date, report_year,
                              signature_date, strip_site_suffix, url_date)

REPORTS = [
    "2021年政府信息公开工作年度报告",
    "沈阳市发展和改革委员会2017年度政府信息公开工作报告",
    "2021年XX市政府信息公开工作年度报告",
    "咸宁市2013年政府信息公开工作年度报告",
    "北京市海淀区人民政府2020年政府信息公开工作年度报告",
    "海安市行政審批局2020年政府信息公開工作年度報告",
    "临海市卫生局2020年政府資訊公開工作年度報告",
    "云溪市教育局2019年度政府信息公开年报",
]
TRAPS = [
    "云溪市人民政府2021年政府网站工作年度报表",
    "云溪市人民政府2021年法治政府建设年度报告",
    "云溪市2021年政务服务年度报告",
    "关于做好2021年政府信息公开工作年度报告编制发布工作的通知",
    "关于印发政府信息公开工作年度报告格式的通知",
    "图解：云溪市人民政府2021年政府信息公开工作年度报告",
    "《云溪市人民政府2021年政府信息公开工作年度报告》解读",
    "一图读懂2021年政府信息公开工作年度报告",
    "云溪市2021年国民经济和社会发展统计公报",
    "政府信息公开指南",
    "",
    # column headings: neither year nor agency
    "政府信息公开年报",
    "政府信息公开工作年度报告",
    "政务公开年报专栏",
]


def test_yearless_report_title_with_agency_is_still_a_report():
    assert is_report_title("沈阳市统计局政府信息公开工作年度报告")


@pytest.mark.parametrize("title", REPORTS)
def test_report_titles(title):
    assert is_report_title(title)


@pytest.mark.parametrize("title", TRAPS)
def test_trap_titles(title):
    assert not is_report_title(title)


@pytest.mark.parametrize("s,want", [
    ("发布时间：2021-01-20 09:30", "2021-01-20"),
    ("2018年03月23日来源:市发改委", "2018-03-23"),
    ("2021/1/5", "2021-01-05"),
    ("二〇一四年三月十二日", "2014-03-12"),
    ("二○二二年一月二十八日", "2022-01-28"),
    ("2021年13月40日", None),
    ("无日期", None),
])
def test_parse_date(s, want):
    assert parse_date(s) == want


@pytest.mark.parametrize("url,want", [
    ("http://x.gov.cn/zwgk/202101/t20210120_2.html", "2021-01-20"),
    ("http://x.gov.cn/art/2023/1/18/art_101_1007.html", "2023-01-18"),
    ("http://x.gov.cn/zhengce/content/2022-03/30/content_5401006.htm", "2022-03-30"),
    ("http://x.gov.cn/xxgk/nb/202201/P020220128_1005.pdf", "2022-01-28"),
    ("http://x.gov.cn/News_Content.aspx?n=11&s=1005", None),
])
def test_url_date(url, want):
    assert url_date(url) == want


def test_signature_date_is_the_last_date_line():
    lines = ["一、总体情况", "全年公开信息316条。", "辽河市民政局", "2021年1月20日"]
    assert signature_date(lines) == "2021-01-20"
    assert signature_date(["2020年，全年公开信息316条，较2019年1月增长。"]) is None


@pytest.mark.parametrize("title,text,published,want", [
    ("沈阳市发展和改革委员会2017年度政府信息公开工作报告", "", "2018-03-23", 2017),
    ("二〇二一年度政府信息公开工作年度报告", "", None, 2021),
    ("政府信息公开工作年度报告", "2019年度，我局……", "2020-01-10", 2019),
    ("政府信息公开工作年度报告", "我局全年……", "2020-01-10", 2019),
])
def test_report_year(title, text, published, want):
    assert report_year(title, text, published) == want


@pytest.mark.parametrize("title,want", [
    ("沈阳市发展和改革委员会2017年度政府信息公开工作报告", "沈阳市发展和改革委员会"),
    ("咸宁市2013年政府信息公开工作年度报告", "咸宁市人民政府"),
    ("2021年云溪市政府信息公开工作年度报告", "云溪市人民政府"),
    ("2021年度云溪市发展和改革局政府信息公开工作年度报告", "云溪市发展和改革局"),
    ("云溪市人民政府办公室关于2021年度政府信息公开工作年度报告", "云溪市人民政府办公室"),
    ("2021年政府信息公开工作年度报告", None),
])
def test_agency_from_title(title, want):
    assert agency_from_title(title) == want


def test_agency_completed_by_publisher_signature_or_text():
    t = "皇姑区2016年政府信息公开工作年度报告"
    assert find_agency(t, [], "沈阳市皇姑区人民政府", None) == "沈阳市皇姑区人民政府"
    assert find_agency(t, ["编制《沈阳市皇姑区国民经济和社会发展第十三个五年规划纲要》"], "南屏县人民政府", None) \
        == "沈阳市皇姑区人民政府"
    # a department report on a government portal keeps its own body, not the portal's
    assert find_agency("云溪市财政局2021年政府信息公开工作年度报告", [], "云溪市人民政府", None) == "云溪市财政局"
    # no title evidence: 发布机构, then the signature
    assert find_agency("政府信息公开工作年度报告", ["全文。", "辽河市民政局", "2021年1月20日"], None, None) == "辽河市民政局"
    assert complete_district("皇姑区人民政府", ["本区无城市名"]) == "皇姑区人民政府"


@pytest.mark.parametrize("raw,want", [
    ("山西品牌丝路行（南美站）正式启动 - 山西省人民政府门户网站", "山西品牌丝路行（南美站）正式启动"),
    ("临江省人民政府办公厅2019年政府信息公开工作年度报告_临江省人民政府", "临江省人民政府办公厅2019年政府信息公开工作年度报告"),
    ("咸宁市2013年政府信息公开工作年度报告-咸宁市人民政府", "咸宁市2013年政府信息公开工作年度报告"),
    ("1-10月德清县固定资产投资结构趋稳趋优", "1-10月德清县固定资产投资结构趋稳趋优"),
    ("2019-2020年度工作总结", "2019-2020年度工作总结"),
    ("XX市人民政府门户网站 | 2021年政府信息公开工作年度报告", "2021年政府信息公开工作年度报告"),
])
def test_strip_site_suffix(raw, want):
    assert strip_site_suffix(raw) == want
