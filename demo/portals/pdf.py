"""A portal that publishes reports only as PDF attachments: the article page is a short
pointer ("现将…予以公布。附件：….pdf") and the report lives in the PDF. One PDF is a scan
with no text layer (图片版), recorded in gold as such. Static UTF-8 site, TRS-like paths:
articles `/xxgk/nb/YYYYMM/tYYYYMMDD_ID.html`, attachments `…/P0YYYYMMDD_ID.pdf`.
"""
from __future__ import annotations

import threading

from nianbao.demo import chrome as C
from nianbao.demo.content import Body, Para, esc
from nianbao.demo.generated import generate_report
from nianbao.demo.pdfs import hard_body, scanned_pdf, text_pdf
from nianbao.demo.messages import Response
from nianbao.demo.model import Article, Column
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html, list_items_html

NAV = [("信息公开", "/xxgk/"), ("新闻动态", "/xwdt/"), ("便民服务", "/bmfw/")]


class PdfPortal(Portal):
    family = "pdf-attachment"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.pdf_makers: dict[str, callable] = {}
        self._pdfs: dict[str, bytes] = {}
        self._pdf_lock = threading.Lock()

    def column_path(self, col: Column) -> str:
        return self.col_dirs[col.key]

    def article_path(self, col: Column, art: Article) -> str:
        return f"{col.path}{art.published[:7].replace('-', '')}/t{art.published.replace('-', '')}_{art.id}.html"

    def dead_link_path(self) -> str:
        return "/xwdt/202301/t20230105_9999.html"

    def frame(self, title, crumbs, inner, path, state) -> str:
        ch = self.chrome(path, state)
        body = (C.top_bar([("中国政府网", "http://www.gov.cn/")]) + C.header(self.site_name, NAV)
                + C.breadcrumbs(crumbs) + inner
                + C.footer(self.site_name, self.icp, "鄂公网安备42010202000321号", self.site_code, ch))
        return C.page(title, "", body)

    def pdf(self, path: str) -> bytes:
        with self._pdf_lock:                  # made on first request: reportlab is not instant
            if path not in self._pdfs:
                self._pdfs[path] = self.pdf_makers[path]()
            return self._pdfs[path]

    def route(self, req, state):
        if req.path in self.pdf_makers:
            return Response(200, self.pdf(req.path), {"Content-Type": "application/pdf",
                                                      "Content-Disposition": "inline"})
        if req.path in ("/xxgk/", "/xxgk/index.html"):
            links = [(c.name, c.path) for k, c in self.columns.items() if k != "xwdt"]
            return Response.html(self.frame(f"政府信息公开_{self.site_name}", [("政府信息公开", "/xxgk/")],
                                            hub_links_html("政府信息公开", links), req.path, state))
        return None

    def render_home(self, state):
        inner = ('<div class="home"><h3><a href="/xwdt/">新闻动态</a></h3>'
                 + list_items_html(self.columns["xwdt"].entries(state)[:6])
                 + '<h3><a href="/xxgk/">政府信息公开</a></h3><ul>'
                 f'<li><a href="{self.columns["nb"].path}">政府信息公开年度报告</a></li></ul></div>')
        return Response.html(self.frame(self.site_name, [], inner, "/", state))

    def render_list(self, col, page, state):
        n = col.pages(state)
        nav = []
        if page + 1 < n:
            nav.append(f'<a href="index_{page + 1}.html">下一页</a>')
        if page > 0:
            nav.append(f'<a href="{"index.html" if page == 1 else f"index_{page - 1}.html"}">上一页</a>')
        inner = (f'<div class="list"><h2>{esc(col.name)}</h2>' + list_items_html(col.page_entries(state, page))
                 + f'<div class="page">{" ".join(nav)} 共{n}页</div></div>')
        return Response.html(self.frame(f"{col.name}_{self.site_name}", [(col.name, col.path)], inner,
                                        col.path + str(page), state))

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        prev, nxt = self.neighbours(art, state)
        inner = ('<div class="article">' + C.meta_table(self.index_no(art), art.source, art.topic,
                                                         art.published, art.title)
                 + f'<h1>{esc(art.title)}</h1>' + C.info_line(art.published, art.source, ch.views) + C.tools()
                 + f'<div class="TRS_Editor" id="zoom">{art.body[state]}</div>'
                 + C.share() + C.qr_block() + C.prev_next(prev, nxt) + C.related([("政府信息公开", "/xxgk/")])
                 + '</div>')
        return Response.html(self.frame(f"{art.title}_{self.site_name}", [(col.name, col.path)],
                                        inner, art.path, state))

    def pdf_report(self, col: Column, g, *, scanned: bool = False, robots_disallowed=False,
                   hard: bool = False) -> Article:
        """A short pointer page whose report is the attached PDF (`hard`: see `text_pdf`)."""
        gold = "" if scanned else (hard_body(g.body) if hard else g.body).gold_text()
        art = self.report_article(col, title=g.title, title_gold=g.title, agency=g.agency, year=g.year,
                                  published=g.published, body=Body([Para("")]), gold_text=gold,
                                  fmt=g.format, figures={} if scanned else g.figures,
                                  identity_ok=None if scanned else g.identity_ok,
                                  robots_disallowed=robots_disallowed)
        pdf_path = f"{col.path}{g.published[:7].replace('-', '')}/P0{g.published.replace('-', '')}_{art.id}.pdf"
        name = f"{g.title}{'（扫描件）' if scanned else ''}.pdf"
        html = (f'<p style="text-indent:2em;">现将《{esc(g.title)}》予以公布。</p>'
                f'<p style="text-indent:2em;">附件：<a href="{esc(pdf_path)}" target="_blank" '
                f'title="{esc(name)}">{esc(name)}</a></p>')
        art.body = {"first": html, "second": html}
        art.report.attachment_path = pdf_path
        art.report.no_text_layer = scanned
        self.pdf_makers[pdf_path] = ((lambda seed=g.title: scanned_pdf(seed)) if scanned
                                     else (lambda t=g.title, b=g.body: text_pdf(t, b, hard=hard)))
        return art


def build(news_count: int = 50) -> PdfPortal:
    p = PdfPortal("pdf", "东湖区人民政府", "东湖区人民政府", news_count=news_count, icp="鄂ICP备09001234号")
    p.col_dirs = {"nb": "/xxgk/nb/", "tzgg": "/xxgk/tzgg/", "wzndbb": "/xxgk/wzndbb/", "xwdt": "/xwdt/",
                  "hist": "/hist/xxgk/"}
    rep = p.add_column("nb", "政府信息公开年度报告", ("政府信息公开", "xxgk"))
    tzgg = p.add_column("tzgg", "通知公告", ("政府信息公开", "xxgk"))
    wz = p.add_column("wzndbb", "政府网站工作年度报表", ("政府信息公开", "xxgk"))
    news = p.add_column("xwdt", "新闻动态")
    hist = p.add_column("hist", "历史公开信息", ("政府信息公开", "xxgk"))
    p.robots_prefix = "/hist/"

    p.add_traps(rep, tzgg, wz, news)
    p.pdf_report(rep, generate_report("东湖区人民政府", 2021, "2021", seed=18, published="2022-01-28"), hard=True)
    p.pdf_report(rep, generate_report("东湖区人民政府", 2020, "2019", seed=19, published="2021-01-29"),
                 scanned=True)
    art = p.pdf_report(hist, generate_report("东湖区财政局", 2019, "2019", seed=20, published="2020-01-20"),
                       robots_disallowed=True)
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p
