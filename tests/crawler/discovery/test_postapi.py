"""List APIs that answer only to POST, read from the page's script and replayed."""
import json

from nianbao.crawler.discovery.postapi import find_post_lists


def _page(script: str) -> str:
    return f'<html><body><ul id="list"></ul><script type="text/javascript">{script}</script></body></html>'


def test_jquery_ajax_post_with_a_form_body():
    (pl,) = find_post_lists(_page(
        'function load(p){$.ajax({url:"/api/content/list",type:"POST",dataType:"json",'
        'data:{columnId:"1207",pageNo:p,pageSize:2},success:function(d){render(d)}});}load(1);'),
        "http://a.gov.cn/xxgk/nb/")
    assert pl.url == "http://a.gov.cn/api/content/list" and pl.page_key == "pageNo" and pl.first_page == 1
    assert pl.page(2) == {"columnId": "1207", "pageSize": "2", "pageNo": "2"}
    assert pl.body(3) == b"columnId=1207&pageSize=2&pageNo=3"
    assert pl.content_type == "application/x-www-form-urlencoded"


def test_fetch_with_a_json_body_and_jquery_post():
    (pl,) = find_post_lists(_page(
        'fetch("api/list", {method: "POST", headers: {"Content-Type": "application/json"},'
        ' body: JSON.stringify({channelId: 88, pageIndex: 0, size: 10})}).then(r => r.json())'),
        "http://a.gov.cn/nb/")
    assert pl.url == "http://a.gov.cn/nb/api/list" and pl.json_body and pl.first_page == 0
    assert json.loads(pl.body(1)) == {"channelId": 88, "size": 10, "pageIndex": 1}
    (pl,) = find_post_lists(_page('$.post("/list.do", {catId: "12", page: 1}, show);'), "http://a.gov.cn/")
    assert pl.form == {"catId": "12"} and pl.page_key == "page"


def test_get_calls_and_pages_without_scripts_give_nothing():
    assert find_post_lists(_page('$.ajax({url:"/api/list",type:"GET",data:{page:1}})'), "http://a/") == []
    assert find_post_lists("<html><body><p>年报</p></body></html>", "http://a/") == []
