"""Link discovery on hand-written pages of each portal family: what a plain parser misses."""
import json

from nianbao.crawler.discovery import (
    Link, dataproxy_records, dedupe_links, find_dataproxy, find_pager, json_links,
    json_next_pages, page_links, page_template, page_titles, parse_json_list, route_for_id,
)

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

HANWEB_COLUMN = """<html><body>
<div id="4567"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=2&path=/&columnid=1229&unitid=4567&webname=%E6%9F%90%E5%B8%82&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2022/3/1/art_1229_11.html" title="2021年某区政府信息公开工作年度报告">2021年某区政府信息公开...</a><span>2022-03-01</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/3/2/art_1229_10.html">2020年某区政府信息公开工作年度报告</a></li>]]></record>
</recordset></datastore></script></div>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>
$(document).ready(function(){ var jpage = new Jpage({ totalRecord: 40, perpage: 15,
  url: '/module/web/jpage/dataproxy.jsp', type: 'post',
  data: { col: 1, appid: 1, webid: 2, path: '/', columnid: 1229, sourceContentType: 1, unitid: 4567 } }); });
</script></body></html>"""


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


def test_trs_script_pager_gives_every_page():
    pager = find_pager(TRS_LIST, "http://x.gov.cn/xxgk/gknb/index.html")
    assert pager.family == "createPageHTML"
    assert pager.total == 4 and pager.current == 0
    assert pager.following() == [
        "http://x.gov.cn/xxgk/gknb/index_1.html",
        "http://x.gov.cn/xxgk/gknb/index_2.html",
        "http://x.gov.cn/xxgk/gknb/index_3.html",
    ]


def test_trs_pager_on_a_later_page_and_the_six_argument_variant():
    html = "<script>createPageHTML('page_div', 3, 1, 'index', 'shtml', 40);</script>"
    pager = find_pager(html, "http://x.gov.cn/col/index_1.shtml")
    assert pager.total == 3 and pager.current == 1
    assert pager.following() == ["http://x.gov.cn/col/index_2.shtml"]


def test_hanweb_datastore_records_are_links_no_html_parser_sees():
    url = "http://h.gov.cn/col/col1229/index.html"
    links = page_links(HANWEB_COLUMN, url)
    ds = [ln for ln in links if ln.source == "datastore"]
    assert {ln.url for ln in ds} >= {"http://h.gov.cn/art/2022/3/1/art_1229_11.html",
                                     "http://h.gov.cn/art/2021/3/2/art_1229_10.html"}
    assert any(ln.label == "2021年某区政府信息公开工作年度报告" for ln in ds)


def test_hanweb_dataproxy_paging_requests():
    dp = find_dataproxy(HANWEB_COLUMN, "http://h.gov.cn/col/col1229/index.html")
    assert dp is not None
    assert dp.endpoint == "http://h.gov.cn/module/web/jpage/dataproxy.jsp"
    assert dp.params["columnid"] == "1229" and dp.params["unitid"] == "4567"
    assert dp.total == 40 and dp.perpage == 15 and dp.seen == 2 and dp.post
    reqs = dp.requests(group=1)
    assert reqs[0][0].endswith("startrecord=3&endrecord=17&perpage=15")
    assert reqs[0][1]["columnid"] == "1229"
    assert reqs[-1][0].endswith("startrecord=33&endrecord=47&perpage=15")
    assert len(reqs) == 3


def test_hanweb_get_dataproxy_carries_params_in_the_query():
    html = """<script type="text/xml"><datastore><totalrecord>20</totalrecord><recordset>
    <record><![CDATA[<li><a href="/art/1.html">a</a></li>]]></record></recordset></datastore></script>
    <script>var url = "/module/web/jpage/dataproxy.jsp?columnid=7&unitid=9&perpage=10";</script>"""
    dp = find_dataproxy(html, "http://h.gov.cn/col/col7/index.html")
    assert not dp.post and dp.total == 20 and dp.perpage == 10 and dp.seen == 1
    url, form = dp.requests(group=1)[0]
    assert form is None
    assert "startrecord=2" in url and "columnid=7" in url and "unitid=9" in url


def test_dataproxy_answer_records_and_total():
    xml = """<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>40</totalrecord>
    <recordset><record><![CDATA[<li><a href="/art/2019/3/1/art_1229_5.html">2018年报告</a></li>]]></record>
    </recordset></datastore>"""
    links, total = dataproxy_records(xml, "http://h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3")
    assert [ln.url for ln in links] == ["http://h.gov.cn/art/2019/3/1/art_1229_5.html"]
    assert total == 40


def test_index_n_links_form_a_path_pager():
    html = """<div class="pages"><a href="index_1.html">2</a><a href="index_2.html">3</a>
    <a href="index_1.html">下一页</a></div>"""
    pager = find_pager(html, "http://x.gov.cn/news/index.html")
    assert pager.family == "path"
    assert pager.following() == ["http://x.gov.cn/news/index_1.html", "http://x.gov.cn/news/index_2.html"]
    pager2 = find_pager(html, "http://x.gov.cn/news/index_1.html")
    assert pager2.current == 1 and pager2.following() == ["http://x.gov.cn/news/index_2.html"]


def test_query_pager_whose_first_page_has_no_parameter():
    html = '<a href="/list.jsp?cat=5&page=2">2</a><a href="/list.jsp?cat=5&page=3">3</a>'
    pager = find_pager(html, "http://x.gov.cn/list.jsp?cat=5")
    assert pager.family == "query" and pager.current == 1
    assert pager.following() == ["http://x.gov.cn/list.jsp?cat=5&page=2", "http://x.gov.cn/list.jsp?cat=5&page=3"]


def test_next_link_only_pager():
    html = '<a href="/nb/more.html?x=abc">下一页</a><a href="/about.html">关于</a>'
    pager = find_pager(html, "http://x.gov.cn/nb/")
    assert pager.family == "next-link" and pager.following() == ["http://x.gov.cn/nb/more.html?x=abc"]


def test_page_template_recognises_families():
    assert page_template("http://x/a/index_3.html") == ("http://x/a/index_{}.html", 3)
    assert page_template("http://x/l?col=2&pageNo=4") == ("http://x/l?col=2&pageNo={}", 4)
    assert page_template("http://x/news/page/5") == ("http://x/news/page/{}", 5)
    assert page_template("http://x/art/t20220101_123.html") is None   # an article, not a page


def test_dedupe_keeps_the_best_label():
    links = dedupe_links([Link("http://x/a", "更多"), Link("http://x/a", "2021年政府信息公开工作年度报告")])
    assert len(links) == 1 and links[0].text == "2021年政府信息公开工作年度报告"


def test_page_title_reads_title_and_heading():
    html = "<html><head><title>报告 - 某市政府</title></head><body><h1>某市2021年报告</h1></body></html>"
    assert page_titles(html) == ["报告 - 某市政府", "某市2021年报告"]


def test_json_list_api_items_paging_and_routes():
    api = "http://spa.gov.cn/api/articles?column=nb&page=1&size=2"
    body = json.dumps({"code": 0, "data": {"total": 5, "pageSize": 2, "list": [
        {"id": 31, "title": "2021年政府信息公开工作年度报告", "date": "2022-01-20"},
        {"id": 30, "title": "2020年政府信息公开工作年度报告", "date": "2021-01-20"}]}})
    jl = parse_json_list(body)
    assert [t for t, _, _ in jl.items][0] == "2021年政府信息公开工作年度报告"
    assert jl.total_pages == 3
    assert json_next_pages(api, jl.total_pages) == [
        "http://spa.gov.cn/api/articles?column=nb&page=2&size=2",
        "http://spa.gov.cn/api/articles?column=nb&page=3&size=2"]
    rendered = [Link("http://spa.gov.cn/#/article/31", "2021年…"), Link("http://spa.gov.cn/#/list/nb", "年报")]
    route = route_for_id(rendered, "31")
    assert route == "http://spa.gov.cn/#/article/{id}"
    urls = [ln.url for ln in json_links(api, jl, route)]
    assert urls == ["http://spa.gov.cn/#/article/31", "http://spa.gov.cn/#/article/30"]


def test_json_items_with_their_own_urls_and_unknown_page_count():
    body = json.dumps([{"title": "a", "url": "/article/7"}, {"title": "b", "url": "/article/8"}])
    jl = parse_json_list(body)
    assert jl.total_pages is None
    assert [ln.url for ln in json_links("http://s/api/list?page=0", jl, None)] == [
        "http://s/article/7", "http://s/article/8"]
    assert json_next_pages("http://s/api/list?page=0", None) == ["http://s/api/list?page=1"]
    assert parse_json_list(b"not json") is None


def test_links_after_a_stray_closing_html_tag_are_found():
    html = """<html><body><div class="nav"><a href="/xxgk/">政务公开</a></div>
    </html>
    <div class="main"><a href="/xxgk/zfxxgknb/index.htm">政府信息公开年报</a></div></body></html>"""
    urls = [ln.url for ln in page_links(html, "http://s.gov.cn/")]
    assert "http://s.gov.cn/xxgk/zfxxgknb/index.htm" in urls
