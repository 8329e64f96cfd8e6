"""List paging in the path, the query, or by a next link."""
from nianbao.crawler.discovery import find_pager, page_template


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
