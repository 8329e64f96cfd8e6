"""Links of a page: anchors, window.open, <base>, one Link per URL, titles, stray </html>."""
from nianbao.crawler.discovery import Link, dedupe_links, page_links, page_titles

TRS_LIST = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>政府信息公开年报</title></head><body>
<div class="nav"><a href="../../">首页</a> <a href="/xxgk/">信息公开</a></div>
<ul class="list">
 <li><a href="./202203/t20220315_101.html" title="某市2021年政府信息公开工作年度报告">某市2021年政府信息公开工作年度...</a></li>
 <li><a href="./202103/t20210310_88.html?utm_source=wx">某市2020年政府信息公开工作年度报告</a></li>
</ul>
<div class="page"><script type="text/javascript">
  var currentPage = 0; var countPage = 4;
  createPageHTML(countPage, currentPage, "index", "html");
</script></div></body></html>"""


def test_anchor_links_are_absolute_and_tracking_free():
    links = page_links(TRS_LIST, "http://x.gov.cn/xxgk/gknb/index.html")
    urls = [ln.url for ln in links]
    assert "http://x.gov.cn/xxgk/gknb/202203/t20220315_101.html" in urls
    assert "http://x.gov.cn/xxgk/gknb/202103/t20210310_88.html" in urls   # utm_ dropped
    assert "http://x.gov.cn/" in urls
    first = next(ln for ln in links if ln.url.endswith("t20220315_101.html"))
    # a truncated anchor yields to its title attribute
    assert first.label == "某市2021年政府信息公开工作年度报告"


def test_javascript_and_mailto_links_are_skipped_but_window_open_is_followed():
    html = """<a href="javascript:void(0)">x</a><a href="mailto:a@b.cn">m</a>
    <a href="#">top</a><a href="javascript:;" onclick="window.open('/art/1.html')">报告</a>"""
    urls = [ln.url for ln in page_links(html, "http://x.gov.cn/a/")]
    assert urls == ["http://x.gov.cn/art/1.html"]


def test_base_href_is_honoured():
    html = '<html><head><base href="http://x.gov.cn/zwgk/"></head><body><a href="nb/">年报</a></body></html>'
    assert page_links(html, "http://x.gov.cn/other/page.html")[0].url == "http://x.gov.cn/zwgk/nb/"


def test_dedupe_keeps_the_best_label():
    links = dedupe_links([Link("http://x/a", "更多"), Link("http://x/a", "2021年政府信息公开工作年度报告")])
    assert len(links) == 1 and links[0].text == "2021年政府信息公开工作年度报告"


def test_page_title_reads_title_and_heading():
    html = "<html><head><title>报告 - 某市政府</title></head><body><h1>某市2021年报告</h1></body></html>"
    assert page_titles(html) == ["报告 - 某市政府", "某市2021年报告"]


def test_links_after_a_stray_closing_html_tag_are_found():
    html = """<html><body><div class="nav"><a href="/xxgk/">政务公开</a></div>
    </html>
    <div class="main"><a href="/xxgk/zfxxgknb/index.htm">政府信息公开年报</a></div></body></html>"""
    urls = [ln.url for ln in page_links(html, "http://s.gov.cn/")]
    assert "http://s.gov.cn/xxgk/zfxxgknb/index.htm" in urls
