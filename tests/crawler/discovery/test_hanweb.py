"""Hanweb columns: datastore records no HTML parser sees, and dataproxy.jsp paging."""
from nianbao.crawler.discovery import dataproxy_records, find_dataproxy, page_links

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
