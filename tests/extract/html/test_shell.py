"""`looks_like_shell`: positive evidence (loading marker, empty app root with scripts, JS
challenge) and little content; never a normal short page or a real article."""
from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.extract import extract_document, looks_like_shell

from tests.support import REAL_PAGES as REAL
ARTICLE = "<p>" + "根据《中华人民共和国政府信息公开条例》规定，现公布本机关年度报告，全年主动公开政府信息316条。" * 4 + "</p>"


@pytest.mark.parametrize("html", [
    '<html><head><script src="/app.js"></script></head><body><div id="app">正在加载中... Loading connection</div></body></html>',
    '<html><head><script type="module" src="/index.js"></script></head><body><div id="root"></div></body></html>',
    '<html><body><script>document.cookie="acw_sc__v2=abc";location.reload()</script></body></html>',
    '<html><head><script src="/a.js"></script></head><body><div class="nav"><a href="/">首页</a><a href="/x">政务公开</a></div>'
    '<div class="main"><span class="loading">加载中...</span></div><div class="footer">版权所有 ICP备123号</div></body></html>',
    '<html><body><noscript>请开启JavaScript</noscript><script src="/vendor.js"></script><div id="app"></div></body></html>',
])
def test_shells(html):
    assert looks_like_shell(html) is True
    assert looks_like_shell(html.encode("utf-8")) is True
    doc = extract_document(html.encode("utf-8"), "http://x.gov.cn/detail?id=1")
    assert doc.is_shell and not doc.is_report


@pytest.mark.parametrize("html", [
    '<html><head><script src="/jq.js"></script></head><body><div class="TRS_Editor"><p>端午节放假3天。特此通知。</p></div></body></html>',
    '<html><body><h1>404</h1><p>页面不存在</p></body></html>',
    '<html><body><p>联系电话：0411-12345678</p></body></html>',
    f'<html><head><script src="/app.js"></script></head><body><div id="app"><div class="loading" style="display:none">正在加载中</div>{ARTICLE}</div></body></html>',
    "",
])
def test_not_shells(html):
    assert looks_like_shell(html) is False


@pytest.mark.parametrize("name", ["deqing-gov-article.html", "shanxi-gov-article.html"])
def test_real_articles_are_not_shells(name):
    assert looks_like_shell((REAL / name).read_bytes()) is False


def test_gbk_shell_bytes_with_http_charset():
    html = '<html><head><script src="/a.js"></script></head><body><div id="app">正在加载中...</div></body></html>'
    assert looks_like_shell(html.encode("gbk"), {"Content-Type": "text/html; charset=gbk"}) is True
