"""A Traditional-script portal: pages written in 繁體 with Taiwan phrasing (網際網路,
最佳化, 入口網站, 資訊, 檔案…), one report with pinyin annotations left by a converter
("發(fā)展") and flattened tables, one with an empty table. URLs in the Taiwan
government style: `/News.aspx?n=COL&page=N` lists, `/News_Content.aspx?n=COL&s=ID` articles.
"""
from __future__ import annotations


from nianbao.demo import chrome as C
from nianbao.demo.content import esc
from nianbao.demo.generated import generate_report
from nianbao.demo.seeds import load_seeds
from nianbao.demo.messages import Response
from nianbao.demo.model import Article, Column
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html, list_items_html, opencc_converter

s2twp = opencc_converter("s2twp.json")


BODY_MARK = "@@ARTICLE_BODY@@"
TITLE_MARK = "@@ARTICLE_TITLE@@"


class TwPortal(Portal):
    family = "traditional"

    def column_path(self, col: Column) -> str:
        return f"/News.aspx?n={col.key}"

    def article_path(self, col: Column, art: Article) -> str:
        return f"/News_Content.aspx?n={col.key}&s={art.id}"

    def dead_link_path(self) -> str:
        return "/News_Content.aspx?n=14&s=9999"

    def frame(self, title, crumbs, inner, path, state, body_html: str = "",
              title_raw: str | None = None) -> Response:
        """Chrome goes through the converter; the body (and a raw title) as published."""
        ch = self.chrome(path, state)
        page = C.page(TITLE_MARK if title_raw is not None else title, "",
                      C.top_bar([("行政院", "https://www.ey.gov.tw/")])
                      + C.header(self.site_name, self.nav()) + C.breadcrumbs(crumbs) + inner
                      + C.footer(self.site_name, self.icp, "", self.site_code, ch), lang="zh-Hant-TW")
        page = s2twp(page).replace(BODY_MARK, body_html)
        if title_raw is not None:
            page = page.replace(TITLE_MARK, esc(title_raw))
        return Response.html(page)

    def not_found_page(self, state):
        inner = '<div class="error-page"><h2>页面不存在</h2><p>对不起，您访问的页面不存在或已被删除。</p></div>'
        return self.frame(f"页面不存在-{self.site_name}", [], inner, "/404", state)

    def nav(self):
        return [("政府資訊公開", "/xxgk.aspx"), ("最新消息", self.columns["13"].path)]

    def route(self, req, state):
        if req.path == "/News.aspx":
            col = self.columns.get(req.arg("n"))
            try:
                page = int(req.arg("page", "0"))
            except ValueError:
                return self.http_404()
            if col is None or not 0 <= page < col.pages(state):
                return self.http_404()
            return self.render_list(col, page, state)
        if req.path == "/News_Content.aspx" or req.path == "/hist/News_Content.aspx":
            art = self.by_path.get(f"{req.path}?n={req.arg('n')}&s={req.arg('s')}")
            if req.arg("s") == "9999" and req.path == "/News_Content.aspx":
                return self.not_found_page(state)
            if art is None or not art.in_state(state):
                return self.http_404()
            return self.render_article(art, state)
        if req.path == "/xxgk.aspx":
            links = [(c.name, c.path) for k, c in self.columns.items() if k != "13"]
            return self.frame(f"政府信息公开-{self.site_name}", [("政府信息公开", "/xxgk.aspx")],
                              hub_links_html("政府信息公开", links), req.path, state)
        return None

    def render_home(self, state):
        inner = ('<div class="home"><h3>最新消息</h3>' + list_items_html(self.columns["13"].entries(state)[:6])
                 + '<h3><a href="/xxgk.aspx">政府信息公开</a></h3><ul>'
                 f'<li><a href="{esc(self.columns["11"].path)}">政府信息公开年度报告</a></li></ul>'
                 '<p>推进“互联网+政务服务”，优化门户网站服务。</p></div>')
        return self.frame(self.site_name, [], inner, "/", state)

    def render_list(self, col, page, state):
        n = col.pages(state)
        pager = " ".join(f'<a href="{esc(col.path)}&amp;page={i}">{i + 1}</a>' for i in range(n))
        entries = [(t, p, d) for t, p, d in col.page_entries(state, page)]
        # Titles are already in the page's script: keep them out of the converter.
        items = list_items_html(entries)
        inner = (f'<div class="list"><h2>{esc(col.name)}</h2>{BODY_MARK}'
                 f'<div class="page">{pager}</div></div>')
        return self.frame(f"{col.name}-{self.site_name}", [(col.name, col.path)], inner,
                          col.path + str(page), state, body_html=items)

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        prev, nxt = self.neighbours(art, state)
        inner = ('<div class="article">'
                 + C.meta_table(self.index_no(art), self.agency, "政务公开", art.published, "—")
                 + '<h2 class="title">' + TITLE_MARK + '</h2>'
                 + C.info_line(art.published, self.agency, ch.views) + C.tools()
                 + f'<div class="area-essay page-caption-p" id="CCMS_Content">{BODY_MARK}</div>'
                 + C.share() + C.qr_block() + C.prev_next(prev, nxt)
                 + C.related([("行政院", "https://www.ey.gov.tw/")]) + '</div>')
        return self.frame("", [(col.name, col.path)], inner, art.path, state,
                          body_html=art.body[state], title_raw=art.title)


def build(news_count: int = 50) -> TwPortal:
    p = TwPortal("tw", "臨海市政府", "臨海市政府", news_count=news_count, icp="")
    rep = p.add_column("11", "政府資訊公開年度報告", ("政府資訊公開", "11"))
    tzgg = p.add_column("12", "公告資訊", ("政府資訊公開", "11"))
    news = p.add_column("13", "最新消息")
    wz = p.add_column("14", "政府網站工作年度報表", ("政府資訊公開", "11"))
    hist = p.add_column("19", "歷史資料", ("政府資訊公開", "11"))
    p.robots_prefix = "/hist/"

    p.add_traps(rep, tzgg, wz, news, conv=s2twp)
    seeds = load_seeds()
    for key in ("002", "003"):
        p.seed_report(rep, seeds[key])
    g = generate_report("临海市人民政府", 2021, "2021", seed=16, published="2022-03-25")
    p.generated_report(rep, g, title=s2twp(g.title), script="traditional", conv=s2twp)
    g = generate_report("临海市卫生局", 2020, "2019", seed=17, published="2021-01-25")
    art = p.generated_report(hist, g, title=s2twp(g.title), script="traditional", conv=s2twp,
                             robots_disallowed=True, path="/hist/News_Content.aspx?n=19&s=1999")
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count, conv=s2twp)
    return p
