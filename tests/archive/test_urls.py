"""Canonical URLs: tracking parameters, fragments and the big5 gateway collapse to one."""
import pytest

from nianbao.archive.urls import canonical_url, fetch_url, is_gateway, site_of, ungateway


@pytest.mark.parametrize("raw, expected", [
    ("http://www.example.gov.cn/art/2022/1/5/art_1_2.html?utm_source=wx&utm_medium=share",
     "http://www.example.gov.cn/art/2022/1/5/art_1_2.html"),
    ("http://www.example.gov.cn/a.html?id=7&spm=a.b.c&from=timeline&isappinstalled=0",
     "http://www.example.gov.cn/a.html?id=7"),
    ("http://www.example.gov.cn/a.html#content", "http://www.example.gov.cn/a.html"),
    ("HTTP://WWW.Example.GOV.cn:80/a.html", "http://www.example.gov.cn/a.html"),
    ("https://www.example.gov.cn:443", "https://www.example.gov.cn/"),
    ("http://127.0.0.1:8123/index.html", "http://127.0.0.1:8123/index.html"),
    # order of meaningful parameters is kept byte for byte
    ("http://x.gov.cn/list?page=2&columnid=5&utm_campaign=z", "http://x.gov.cn/list?page=2&columnid=5"),
    ("http://x.gov.cn/s?q=%E5%B9%B4%E6%8A%A5&from=menu", "http://x.gov.cn/s?q=%E5%B9%B4%E6%8A%A5"),
    # non-ASCII paths are percent-encoded the way requests send them
    ("http://x.gov.cn/年报/index.html", "http://x.gov.cn/%E5%B9%B4%E6%8A%A5/index.html"),
])
def test_canonical_url_drops_noise(raw, expected):
    assert canonical_url(raw) == expected


def test_big5_gateway_maps_to_the_original_page():
    gw = "http://big5.example.gov.cn/gate/big5/www.example.gov.cn/xxgk/2022/t20220105_1.html"
    assert is_gateway(gw)
    assert ungateway(gw) == "http://www.example.gov.cn/xxgk/2022/t20220105_1.html"
    assert canonical_url(gw) == "http://www.example.gov.cn/xxgk/2022/t20220105_1.html"
    # same document whether linked natively or through the mirror, with a port too
    native = "http://127.0.0.1:9001/art/2021/3/1/art_5_9.html"
    mirror = "http://127.0.0.1:9002/gate/big5/127.0.0.1:9001/art/2021/3/1/art_5_9.html?spm=1"
    assert canonical_url(mirror) == canonical_url(native)


def test_gateway_keeps_query_and_unwraps_nested():
    nested = "http://a/gate/big5/b.gov.cn/gate/big5/c.gov.cn/p.jsp?id=3"
    assert canonical_url(nested) == "http://c.gov.cn/p.jsp?id=3"
    assert not is_gateway("http://c.gov.cn/gateway/big5.html")


def test_route_fragments_of_single_page_apps_are_kept():
    assert canonical_url("http://spa.gov.cn/#/article/12") == "http://spa.gov.cn/#/article/12"
    assert canonical_url("http://spa.gov.cn/#!/list?page=2") == "http://spa.gov.cn/#!/list?page=2"


def test_fetch_url_keeps_the_gateway_but_drops_tracking():
    gw = "http://m.gov.cn/gate/big5/www.gov.cn/a.html?utm_source=x#top"
    assert fetch_url(gw) == "http://m.gov.cn/gate/big5/www.gov.cn/a.html"


def test_site_is_host_and_port():
    assert site_of("http://127.0.0.1:8123/a") == "127.0.0.1:8123"
    assert site_of("http://WWW.gov.cn:80/a") == "www.gov.cn"
    assert site_of("https://www.gov.cn/a") == "www.gov.cn"
    assert site_of("http://127.0.0.1:8123/a") != site_of("http://127.0.0.1:8124/a")
