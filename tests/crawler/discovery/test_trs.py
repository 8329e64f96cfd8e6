"""TRS script pagers: createPageHTML(...) gives every page of a list."""
from nianbao.crawler.discovery import find_pager

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
