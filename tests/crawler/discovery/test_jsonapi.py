"""JSON list APIs of single-page apps: items, paging and routes."""
import json

from nianbao.crawler.discovery import Link, json_links, json_next_pages, parse_json_list, route_for_id


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
