"""Link scoring: report titles first, disclosure sections next, traps and news never."""
import pytest

from nianbao.crawler import linkscore as ls
from nianbao.crawler.discovery import Link

BASE = "http://x.gov.cn"


def kind(label, url="/a/b.html", page_is_report=False, title=""):
    return ls.classify(Link(BASE + url, label, title), page_is_report).kind


@pytest.mark.parametrize("label", [
    "某市2021年政府信息公开工作年度报告",
    "沈阳市发展和改革委员会2017年度政府信息公开工作报告",
    "2019年度政府信息公开工作年度报告",
    "臨海市人民政府2021年政府資訊公開工作年度報告",          # Traditional, Taiwan phrasing
    "南屏縣2020年政府信息公開工作年度報告",
])
def test_report_titles_are_candidates(label):
    assert kind(label, "/xxgk/202201/t20220120_5.html") == ls.REPORT


@pytest.mark.parametrize("label", [
    "某市2021年政府网站工作年度报表",
    "某市2021年法治政府建设年度报告",
    "某市2021年政务服务年度报告",
    "关于做好2021年政府信息公开工作年度报告编制发布工作的通知",
    "图解：某市2021年政府信息公开工作年度报告",
    "《某市2021年政府信息公开工作年度报告》解读",
])
def test_trap_titles_are_skipped(label):
    assert kind(label, "/xxgk/202201/t20220120_6.html") == ls.SKIP


@pytest.mark.parametrize("label, url", [
    ("政府信息公开年报", "/zwgk/zfxxgknb/"),
    ("政府信息公开年度报告", "/col/col101/index.html"),     # report title words, no year: a column
    ("年度报告", "/xxgk/ndbg/"),
    ("政府資訊公開年度報告", "/News.aspx?n=11"),
])
def test_report_columns_are_strong_sections(label, url):
    s = ls.classify(Link(BASE + url, label))
    assert s.kind == ls.SECTION and s.priority >= ls.PRIORITY[ls.SECTION] + 30


@pytest.mark.parametrize("label, url", [
    ("政府信息公开", "/zwgk/"), ("政务公开", "/col/col100/index.html"), ("信息公开", "/xxgk.aspx"),
    ("法定主动公开内容", "/fdzdgknr/"),
])
def test_disclosure_sections_are_followed(label, url):
    assert kind(label, url) == ls.SECTION


def test_unlabelled_report_column_url_is_a_section():
    assert kind("", "/xxgk/gknb/index.html") == ls.SECTION


@pytest.mark.parametrize("label, url", [
    ("要闻动态", "/xwzx/ywdt/"),
    ("新闻中心", "/news/"),
    ("某市召开常务会议研究部署重点工作（第3期）", "/xwzx/202312/t20231218_1013.html"),
    ("某市举办政务公开日活动（第5期）", "/zhengce/content/2023-12/18/content_5401013.htm"),
    ("关于开展政务公开专项检查的通知", "/xwzx/202301/t20230105_9999.html"),
    ("年报", "/search/?q=年报"),
    ("政府网站工作年度报表", "/zwgk/wzndbb/"),
    ("通知公告", "/zwgk/tzgg/"),
    ("繁體", "/gate/big5/x.gov.cn/index.html"),
])
def test_news_notices_search_and_mirrors_are_skipped(label, url):
    assert kind(label, url) == ls.SKIP


def test_unknown_links_are_only_explored():
    assert kind("政策", "/zhengce/") == ls.EXPLORE
    assert kind("公开指南", "/xxgk/zn/") in (ls.EXPLORE, ls.SKIP)


def test_files_on_a_report_page_are_attachments_elsewhere_only_if_report_titled():
    pdf = "/xxgk/nb/202201/P020220128_1005.pdf"
    assert kind("附件：报告全文.pdf", pdf, page_is_report=True) == ls.ATTACHMENT
    assert kind("某市2021年政府信息公开工作年度报告.pdf", pdf, page_is_report=True) == ls.ATTACHMENT
    assert kind("某市2021年政府信息公开工作年度报告", pdf) == ls.REPORT
    assert kind("下载", pdf) == ls.SKIP
    # Hanweb download URLs carry the file name in the query
    assert kind("附件", "/module/download/downfile.jsp?filename=a.docx&classid=0",
                page_is_report=True) == ls.ATTACHMENT
    for ext in ("doc", "docx", "wps", "xls", "xlsx"):
        assert ls.is_attachment_url(f"{BASE}/f/a.{ext}")
    assert not ls.is_attachment_url(f"{BASE}/f/a.html")


def test_truncated_anchor_text_uses_the_title_attribute():
    ln = Link(BASE + "/a/t20220101_1.html", "某市2021年政府信息公开工作年...",
              "某市2021年政府信息公开工作年度报告")
    assert ls.classify(ln).kind == ls.REPORT


def test_dated_report_label():
    assert ls.is_dated_report_label("某市2021年政府信息公开工作年度报告")
    assert not ls.is_dated_report_label("政府信息公开年度报告")
