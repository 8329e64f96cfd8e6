"""A Simplified portal with a big5 gateway mirror, as many government sites had:
`/gate/big5/HOST/PATH` serves a Traditional, Big5-encoded copy of the portal's own page
`PATH` (HOST is the portal's own host:port), links rewritten into the gateway. Every
page links to its gateway copy (繁體), and the report list links one report in gateway
form, so a crawler meets both URLs of the same document.
"""
from __future__ import annotations

import re

from nianbao.demo import chrome as C
from nianbao.demo.content import esc
from nianbao.demo.generated import generate_report
from nianbao.demo.messages import Request, Response
from nianbao.demo.model import Article, Column
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html, list_items_html, opencc_converter

NAV = [("信息公开", "/xxgk/"), ("新闻中心", "/xwzx/"), ("办事服务", "/bsfw/")]
# Character conversion as the old gateways did it (Taiwan glyphs, no regional phrases).
to_traditional = opencc_converter("s2tw.json")


class Big5Portal(Portal):
    family = "big5-gateway"
    list_suffix = ".shtml"

    def column_path(self, col: Column) -> str:
        return self.col_dirs[col.key]

    def article_path(self, col: Column, art: Article) -> str:
        return f"{col.path}{art.published[:7].replace('-', '')}/{art.id}.shtml"

    def dead_link_path(self) -> str:
        return "/xwzx/202301/9999.shtml"

    def gate_prefix(self) -> str:
        return f"/gate/big5/{self.host}"

    def robots_txt(self) -> str:
        # The mirror of the disallowed area is disallowed too, or it would leak through the gateway.
        return super().robots_txt() + f"Disallow: {self.gate_prefix()}{self.robots_prefix}\n"

    def aliases(self, art: Article) -> list[str]:
        return [self.url(self.gate_prefix() + art.path)]

    def frame(self, title, crumbs, inner, path, state) -> str:
        ch = self.chrome(path, state)
        body = (C.top_bar([("中国政府网", "http://www.gov.cn/")], traditional_link=self.gate_prefix() + path)
                + C.header(self.site_name, NAV) + C.breadcrumbs(crumbs) + inner
                + C.footer(self.site_name, self.icp, "湘公网安备43010202000789号", self.site_code, ch))
        return C.page(title, "", body)

    def route(self, req: Request, state: str):
        prefix = "/gate/big5/"
        if req.path.startswith(prefix):
            rest = req.path[len(prefix):]
            host, _, path = rest.partition("/")
            if host != self.host:
                return self.http_404()
            inner = Request(req.method, "/" + path, req.query, req.body, req.headers)
            resp = self._dispatch(inner, state)
            if resp.status != 200 or not resp.headers.get("Content-Type", "").startswith("text/html"):
                return resp
            return self.big5_copy(resp.body.decode("utf-8"))
        if req.path in ("/xxgk/", "/xxgk/index.shtml"):
            links = [(c.name, c.path) for k, c in self.columns.items() if k != "xwzx"]
            return Response.html(self.frame(f"信息公开-{self.site_name}", [("信息公开", "/xxgk/")],
                                            hub_links_html("信息公开", links), req.path, state))
        return None

    def big5_copy(self, html: str) -> Response:
        html = to_traditional(html)
        html = html.replace("charset=utf-8", "charset=big5")
        gate = self.gate_prefix()
        html = re.sub(r'(href|src)="/(?!gate/big5/)', lambda m: f'{m.group(1)}="{gate}/', html)
        return Response(200, html.encode("big5", errors="xmlcharrefreplace"),
                        {"Content-Type": "text/html; charset=big5"})

    def render_home(self, state):
        rep = self.columns["nb"]
        inner = ('<div class="home"><h3><a href="/xwzx/">新闻中心</a></h3>'
                 + list_items_html(self.columns["xwzx"].entries(state)[:6])
                 + f'<h3><a href="/xxgk/">信息公开</a></h3><ul><li><a href="{rep.path}">政府信息公开年度报告</a></li>'
                 f'<li><a href="{self.gate_prefix()}{rep.path}">政府信息公开年度报告（繁體）</a></li></ul></div>')
        return Response.html(self.frame(self.site_name, [], inner, "/", state))

    def render_list(self, col, page, state):
        n = col.pages(state)
        entries = col.page_entries(state, page)
        if col.key == "nb":
            # One report linked through the gateway, as mirrored pages leak into lists.
            entries = [(t, self.gate_prefix() + p if i == 1 else p, d) for i, (t, p, d) in enumerate(entries)]
        pager = " ".join(f'<a href="{col.path}{"index.shtml" if i == 0 else f"index_{i}.shtml"}">{i + 1}</a>'
                         for i in range(n))
        inner = (f'<div class="list"><h2>{esc(col.name)}</h2>' + list_items_html(entries)
                 + f'<div class="pages">{pager}</div></div>')
        return Response.html(self.frame(f"{col.name}-{self.site_name}", [(col.name, col.path)], inner,
                                        col.path + str(page), state))

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        prev, nxt = self.neighbours(art, state)
        meta = (C.meta_table(self.index_no(art), art.source, art.topic, art.published, art.title)
                if col.key != "xwzx" else "")
        inner = ('<div class="content">' + meta + f'<h2 class="title">{esc(art.title)}</h2>'
                 + C.info_line(art.published, art.source, ch.views) + C.tools()
                 + f'<div class="Custom_UnionStyle" id="zoom">{art.body[state]}</div>'
                 + C.share() + C.qr_block() + C.prev_next(prev, nxt)
                 + C.related([("政府信息公开指南", "/xxgk/")]) + '</div>')
        return Response.html(self.frame(f"{art.title}-{self.site_name}", [(col.name, col.path)],
                                        inner, art.path, state))


def build(news_count: int = 50) -> Big5Portal:
    p = Big5Portal("big5", "白沙县人民政府", "白沙县人民政府", news_count=news_count, icp="湘ICP备10002345号",
                   site_code="4301000003")
    p.col_dirs = {"nb": "/xxgk/nb/", "tzgg": "/xxgk/tzgg/", "wzndbb": "/xxgk/wzndbb/",
                  "xwzx": "/xwzx/", "hist": "/hist/xxgk/"}
    rep = p.add_column("nb", "政府信息公开年度报告", ("信息公开", "xxgk"))
    tzgg = p.add_column("tzgg", "通知公告", ("信息公开", "xxgk"))
    wz = p.add_column("wzndbb", "政府网站工作年度报表", ("信息公开", "xxgk"))
    news = p.add_column("xwzx", "新闻中心")
    hist = p.add_column("hist", "历史信息", ("信息公开", "xxgk"))
    p.robots_prefix = "/hist/"

    p.add_traps(rep, tzgg, wz, news)
    for agency, year, fmt, seed, pub in [("白沙县人民政府", 2020, "2019", 13, "2021-03-26"),
                                         ("白沙县教育体育局", 2021, "2021", 14, "2022-01-20")]:
        p.generated_report(rep, generate_report(agency, year, fmt, seed=seed, published=pub))
    g = generate_report("白沙县农业农村局", 2019, "2019", seed=15, published="2020-01-16")
    art = p.generated_report(hist, g, robots_disallowed=True)
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p
