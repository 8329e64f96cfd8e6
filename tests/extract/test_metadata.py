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


# -- titles a page does not state where expected ---------------------------------------------
_TITLE = "淮安市人民政府2024年政府信息公开工作年度报告"
_BODY = ("<p>2024年，我市坚持以习近平新时代中国特色社会主义思想为指导，认真学习宣传贯彻党的二十大精神，"
         "严格落实《中华人民共和国政府信息公开条例》各项规定，圆满完成了各项任务。全年主动公开政府信息5500余条，"
         "受理政府信息公开申请3119件，均在法定期限内予以答复。</p>") * 4
_INFO = ('<table class="xxgk"><tr><td>索引号：</td><td>11320800014095627X/2025-00012</td><td>发布机构：</td>'
         '<td>淮安市人民政府办公室</td></tr><tr><td>主题分类：</td><td>政务公开</td><td>成文日期：</td>'
         '<td>2025-01-20</td></tr></table>')
_URL = "http://www.huaian.gov.cn/art/2025/1/20/art_1.html"


@pytest.mark.parametrize("head,heading", [
    ("", f'<p style="text-align:center"><strong>{_TITLE}</strong></p>'),       # no <title>
    ("<title>无标题文档</title>", f"<h2>{_TITLE}</h2>"),                         # a placeholder
    ("<title>  </title>", f"<div><b>{_TITLE}</b></div>"),
])
def test_title_from_the_bodys_first_heading_line(head, heading):
    from nianbao.extract import extract_document

    html = f'<html><head><meta charset="utf-8">{head}</head><body><div class="article">{heading}{_BODY}</div></body></html>'
    doc = extract_document(html.encode(), _URL)
    assert doc.title == _TITLE and doc.is_report and doc.year == 2024
    assert not doc.text.startswith(_TITLE)          # the heading line is the title, not text


def test_markup_in_a_meta_title_is_not_the_title():
    from nianbao.extract import extract_document

    html = (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="&lt;div&gt;{_TITLE}&lt;/div&gt;">'
            f'<title>x</title></head><body><div class="article">{_BODY}</div></body></html>')
    doc = extract_document(html.encode(), _URL)
    assert doc.title == _TITLE and doc.is_report


def test_a_title_like_first_line_of_a_news_page_with_a_real_title_stays_text():
    from nianbao.extract import extract_document

    html = (f'<html><head><meta charset="utf-8"><title>市政府召开常务会议_淮安市人民政府</title></head><body>'
            f'<div class="article"><h1>市政府召开常务会议</h1><p><strong>{_TITLE}</strong></p>{_BODY}</div></body></html>')
    doc = extract_document(html.encode(), _URL)
    assert doc.title == "市政府召开常务会议" and not doc.is_report
    assert doc.text.startswith(_TITLE)


@pytest.mark.parametrize("second", [
    _INFO,
    "<p>索引号：11320800014095627X/2025-00012</p><p>发布机构：淮安市人民政府办公室</p><p>主题分类：政务公开</p>",
])
def test_a_repeated_info_block_is_read_once(second):
    from nianbao.extract import extract_document

    first = "<p>索引号：11320800014095627X/2025-00012</p><p>发布机构：淮安市人民政府办公室</p><p>主题分类：政务公开</p>"
    html = (f'<html><head><meta charset="utf-8"><title>{_TITLE}</title></head><body><div class="article">'
            f'{first}<h1>{_TITLE}</h1>{_BODY}{second}</div></body></html>')
    doc = extract_document(html.encode(), _URL)
    assert doc.index_no == "11320800014095627X/2025-00012"
    assert doc.text.count("索引号") <= 1 and doc.text.count("主题分类") <= 1 and doc.text.count("发布机构") <= 1
    assert doc.is_report
