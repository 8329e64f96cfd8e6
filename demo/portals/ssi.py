"""gov.cn-like portal assembled with server-side includes.

The header include is a complete little document, so every page carries a stray
`</html>` right after the header: parsers that stop at `</html>` (or main-text extractors
that trust it) see no article at all. Lists are plain `index.htm`, `index_1.htm` pages;
articles `/zhengce/content/YYYY-MM/DD/content_ID.htm`, body in `#UCAP-CONTENT`.
"""
from __future__ import annotations

from nianbao.demo import chrome as C
from nianbao.demo.content import esc
from nianbao.demo.generated import generate_report
from nianbao.demo.messages import Response
from nianbao.demo.model import Article, Column
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html, list_items_html

NAV = [("政务公开", "/xxgk/"), ("要闻", "/yaowen/"), ("政策", "/zhengce/"), ("服务", "/fuwu/"), ("互动", "/hudong/")]


class SsiPortal(Portal):
    family = "ssi"
    validators = ("last_modified",)     # its server sends Last-Modified only, no ETag
    list_suffix = ".htm"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.bare_template: set[int] = set()        # article ids in the old template
        self.meta_title_markup: set[int] = set()    # article ids titled by a marked-up meta

    def column_path(self, col: Column) -> str:
        return self.col_dirs[col.key]

    def article_path(self, col: Column, art: Article) -> str:
        y, m, d = art.published.split("-")
        return f"/zhengce/content/{y}-{m}/{d}/content_{5400000 + art.id}.htm"

    def dead_link_path(self) -> str:
        return "/zhengce/content/2023-01/05/content_5409999.htm"

    def header_include(self) -> str:
        # /include/header.shtml as the CMS writes it: a full document of its own.
        return (C.top_bar([("国务院", "http://www.gov.cn/guowuyuan/"), ("English", "/english/")])
                + C.header(self.site_name, NAV) + "\n</html>\n")

    def frame(self, title: str, crumbs, inner: str, path: str, state: str, head: str | None = None) -> str:
        """`head`: the page's own <title>/<meta> when its template writes them oddly."""
        ch = self.chrome(path, state)
        head = f'<title>{esc(title)}</title>' if head is None else head
        return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                f'{head}<meta name="keywords" content="">'
                '<link rel="stylesheet" href="/css/common.css"></head>\n<body>\n'
                '<!--#include virtual="/include/header.shtml"-->\n' + self.header_include()
                + '<div class="main">' + C.breadcrumbs(crumbs) + inner + '</div>\n'
                + C.footer(self.site_name, self.icp, "京公网安备11010202000001号", self.site_code, ch)
                + '\n</body></html>\n')

    def route(self, req, state):
        if req.path in ("/xxgk/", "/xxgk/index.htm"):
            links = [(c.name, c.path + "index.htm") for k, c in self.columns.items() if k != "yaowen"]
            inner = hub_links_html("政府信息公开", links, "xxgk-box")
            return Response.html(self.frame(f"政府信息公开_{self.site_name}", [("政府信息公开", "/xxgk/")],
                                            inner, req.path, state))
        return None

    def render_home(self, state):
        news = self.columns["yaowen"].entries(state)[:8]
        inner = ('<div class="index-news"><h3><a href="/yaowen/index.htm">要闻</a></h3>'
                 + list_items_html(news)
                 + '</div><div class="index-xxgk"><h3><a href="/xxgk/">政府信息公开</a></h3><ul>'
                 f'<li><a href="{self.columns["nb"].path}index.htm">政府信息公开年报</a></li>'
                 f'<li><a href="{self.columns["tzgg"].path}index.htm">通知公告</a></li></ul></div>')
        return Response.html(self.frame(self.site_name, [], inner, "/", state))

    def render_list(self, col, page, state):
        n = col.pages(state)
        links = []
        if page > 0:
            links.append(f'<a href="{"index.htm" if page == 1 else f"index_{page - 1}.htm"}">上一页</a>')
        if page + 1 < n:
            links.append(f'<a href="index_{page + 1}.htm">下一页</a>')
        inner = (f'<div class="list"><h2>{esc(col.name)}</h2>' + list_items_html(col.page_entries(state, page))
                 + f'<div class="pagination">{" ".join(links)} <span>共{n}页</span></div></div>')
        crumbs = ([("政府信息公开", "/xxgk/")] if col.key != "yaowen" else []) + [(col.name, col.path + "index.htm")]
        return Response.html(self.frame(f"{col.name}_{self.site_name}", crumbs, inner, col.path + str(page), state))

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        prev, nxt = self.neighbours(art, state)
        crumbs = ([("政府信息公开", "/xxgk/")] if col.key != "yaowen" else []) + [(col.name, col.path + "index.htm")]
        meta = (C.meta_table(self.index_no(art), art.source, art.topic, art.published, art.title, art.doc_no)
                if col.key != "yaowen" else "")
        head, h1, body, tail = None, f'<h1>{esc(art.title)}</h1>', art.body[state], ""
        if art.id in self.bare_template:
            # An old template: no <title>, the title only as the body's first line, print /
            # recommend controls and an article pager, the 信息公开目录 box again at the end.
            head, h1 = "<title></title>", ""
            body = f'<p align="center"><strong>{esc(art.title)}</strong></p>' + body
            tail = ('<div class="pager">[1] [2] [3]</div><table class="tools"><tr><td>【<a href="javascript:'
                    'doPrint();">打印本稿</a>】</td><td><div align="right">【<span>推荐</span></div></td><td>'
                    '<input type="text" name="FriendEmail"> 】</td></tr></table>' + meta)
        elif art.id in self.meta_title_markup:
            # The title in an ArticleTitle meta holding markup, <title> a placeholder.
            head = (f'<title>无标题文档</title><meta name="ArticleTitle" content="{esc("<div>" + art.title + "</div>")}">')
        inner = ('<div class="article oneColumn pub_border">' + meta + h1
                 + f'<div class="pages-date">{art.published} 10:00 <span class="font">来源：{esc(art.source)}</span>'
                 f'<span class="views">浏览：{ch.views}</span>' + C.tools() + '</div>'
                 + '<div class="pages_content" id="UCAP-CONTENT">' + body + '</div>' + tail
                 + art.trailer_html
                 + '<div class="editor">【我要纠错】 责任编辑：王明</div>'
                 + C.share() + C.qr_block() + C.prev_next(prev, nxt)
                 + C.related([("中国政府网", "http://www.gov.cn/"), ("政府信息公开指南", "/xxgk/")]) + '</div>')
        return Response.html(self.frame(f"{art.title}_{self.site_name}", crumbs, inner, art.path, state, head))


def build(news_count: int = 50) -> SsiPortal:
    p = SsiPortal("ssi", "临江省人民政府", "临江省人民政府", news_count=news_count, icp="京ICP备05070218号",
                  site_code="1101000004")
    p.col_dirs = {"nb": "/xxgk/zfxxgknb/", "tzgg": "/xxgk/tzgg/", "wzndbb": "/xxgk/zfwzndbb/",
                  "yaowen": "/yaowen/", "bak": "/bak/xxgk/"}
    rep = p.add_column("nb", "政府信息公开年报", ("政府信息公开", "xxgk"))
    tzgg = p.add_column("tzgg", "通知公告", ("政府信息公开", "xxgk"))
    wz = p.add_column("wzndbb", "政府网站工作年度报表", ("政府信息公开", "xxgk"))
    news = p.add_column("yaowen", "要闻")
    bak = p.add_column("bak", "备份栏目", ("政府信息公开", "xxgk"))
    p.robots_prefix = "/bak/"

    p.add_traps(rep, tzgg, wz, news)
    art = p.generated_report(rep, generate_report("临江省人民政府办公厅", 2019, "2019", seed=7,
                                                  published="2020-01-31", break_identity=True))
    p.meta_title_markup.add(art.id)
    art = p.generated_report(rep, generate_report("临江省人民政府", 2021, "2021", seed=8, published="2022-03-30"))
    p.bare_template.add(art.id)
    # Added in the second state.
    p.generated_report(rep, generate_report("临江省人民政府", 2023, "2021", seed=9, published="2024-03-28"),
                       states=("second",))
    g = generate_report("临江省自然资源厅", 2020, "2019", seed=10, published="2021-01-29")
    art = p.generated_report(bak, g, robots_disallowed=True, path="/bak/xxgk/2021-01/29/content_5401999.htm")
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p
