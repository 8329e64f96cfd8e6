"""TRS-style static CMS (TRS WCM): the most common government publishing system.

- lists `index.html`, `index_1.html`, …; the pager exists only as a script call
  `createPageHTML(n, cur, "index", "html")`, so an HTML parser sees no next-page link;
- list links are relative (`./202001/t20200120_1001.html`);
- articles `/col/path/YYYYMM/tYYYYMMDD_ID.html`, body in `.TRS_Editor`;
- the whole site is GBK, declared `charset=gb2312` in a meta tag only (no charset in HTTP).
"""
from __future__ import annotations

from nianbao.demo import chrome as C
from nianbao.demo.content import edit_body, esc
from nianbao.demo.generated import generate_report
from nianbao.demo.seeds import load_seeds
from nianbao.demo.messages import Response
from nianbao.demo.model import Article, Column
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html, list_items_html

PAGER_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0){ document.write("<span>首页</span>&nbsp;"); }
  else { document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;"); }
  if(nCurrIndex > 0){
    var prev = (nCurrIndex == 1) ? _sPageName + "." + _sPageExt : _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt;
    document.write("<a href=\\"" + prev + "\\">上一页</a>&nbsp;");
  }
  if(nCurrIndex + 1 < _nPageCount){
    document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>&nbsp;");
    document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
  }
  document.write("&nbsp;共" + _nPageCount + "页");
}
"""

NAV = [("政务公开", "/zwgk/"), ("新闻中心", "/xwzx/ywdt/"), ("政务服务", "/zwfw/"), ("互动交流", "/hdjl/")]


class TrsPortal(Portal):
    family = "trs-static"
    encoding = "gbk"
    http_charset = False

    def column_path(self, col: Column) -> str:
        return self.col_dirs[col.key]

    def article_path(self, col: Column, art: Article) -> str:
        ym = art.published[:7].replace("-", "")
        return f"{col.path}{ym}/t{art.published.replace('-', '')}_{art.id}.html"

    def dead_link_path(self) -> str:
        return "/xwzx/ywdt/202301/t20230105_9999.html"

    def resp(self, html: str, status: int = 200) -> Response:
        return Response.html(html, "gbk", http_charset=False, status=status)

    def frame(self, title: str, crumbs, inner: str, path: str, state: str) -> str:
        ch = self.chrome(path, state)
        body = (C.top_bar([("中国政府网", "http://www.gov.cn/"), ("省政府", "http://www.ln.gov.cn/")])
                + C.header(self.site_name, NAV) + C.breadcrumbs(crumbs) + inner
                + C.footer(self.site_name, self.icp, "辽公网安备 21010202000123号", self.site_code, ch))
        return C.page(title, '<script src="/js/createPageHTML.js"></script>', body, charset="gb2312")

    def route(self, req, state):
        if req.path == "/js/createPageHTML.js":
            return Response(200, PAGER_JS.encode("gbk"), {"Content-Type": "application/javascript"})
        if req.path in ("/zwgk/", "/zwgk/index.html"):
            links = [(c.name, c.path) for k, c in self.columns.items() if k != "ywdt"]
            inner = hub_links_html("政府信息公开", links, "xxgk-nav",
                                   tail='<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>')
            return self.resp(self.frame(f"政务公开_{self.site_name}", [("政务公开", "/zwgk/")],
                                        inner, req.path, state))
        return None

    def render_home(self, state):
        rep = self.columns["zfxxgknb"]
        news = self.columns["ywdt"].page_entries(state, 0)[:8]
        inner = ('<div class="home"><div class="focus"><h3><a href="/xwzx/ywdt/">要闻动态</a></h3>'
                 + list_items_html([(t, p, d) for t, p, d in news])
                 + '</div><div class="xxgk"><h3><a href="/zwgk/">政府信息公开</a></h3><ul>'
                 f'<li><a href="{rep.path}">政府信息公开年报</a></li>'
                 f'<li><a href="{self.columns["tzgg"].path}">通知公告</a></li>'
                 f'<li><a href="{self.columns["wzndbb"].path}">政府网站工作年度报表</a></li>'
                 '</ul></div></div>')
        return self.resp(self.frame(self.site_name, [], inner, "/", state))

    def render_list(self, col, page, state):
        entries = col.page_entries(state, page)
        rel = [(t, "./" + p[len(col.path):] if p.startswith(col.path) else p, d) for t, p, d in entries]
        crumbs = [(col.parent[0], self.columns[col.parent[1]].path if col.parent[1] in self.columns
                   else "/zwgk/")] if col.parent else []
        inner = (f'<div class="list-box"><h2 class="col-title">{esc(col.name)}</h2>'
                 + list_items_html(rel, "list-ul")
                 + '<div class="page"><script type="text/javascript">\n'
                 f'var currentPage = {page};//所在页从0开始\nvar countPage = {col.pages(state)}//共多少页\n'
                 'createPageHTML(countPage, currentPage, "index", "html");\n</script></div></div>')
        return self.resp(self.frame(f"{col.name}_{self.site_name}", crumbs + [(col.name, col.path)],
                                    inner, col.path + f"#{page}", state))

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        prev, nxt = self.neighbours(art, state)
        crumbs = []
        if col.parent:
            crumbs.append((col.parent[0], "/zwgk/"))
        crumbs.append((col.name, col.path))
        if art.kind == "report":
            crumbs.append((f"{art.report.year}年", col.path))
        meta = (C.meta_table(self.index_no(art), art.source, art.topic, art.published, art.title, art.doc_no)
                if col.key != "ywdt" else "")
        inner = ('<div class="article-box">' + meta
                 + f'<h1 class="article-title">{esc(art.title)}</h1>'
                 + C.info_line(art.published, art.source, ch.views) + C.tools()
                 + '<div class="article-con" id="zoom"><div class="TRS_Editor">'
                 + art.body[state] + '</div></div>' + art.trailer_html
                 + C.share() + C.qr_block() + C.prev_next(prev, nxt)
                 + C.related([("中国政府网", "http://www.gov.cn/"), ("政府信息公开指南", "/zwgk/zfxxgkzn/")])
                 + '</div>')
        return self.resp(self.frame(f"{art.title}_{self.site_name}", crumbs, inner, art.path, state))


def build(news_count: int = 50) -> TrsPortal:
    p = TrsPortal("trs", "云溪市人民政府", "云溪市人民政府", news_count=news_count, icp="辽ICP备05001234号",
                  site_code="2101000001")
    p.col_dirs = {"zfxxgknb": "/zwgk/zfxxgknb/", "tzgg": "/zwgk/tzgg/", "wzndbb": "/zwgk/wzndbb/",
                  "ywdt": "/xwzx/ywdt/", "lsda": "/zwgk/lsda/"}
    zwgk = ("政务公开", "zwgk")
    rep = p.add_column("zfxxgknb", "政府信息公开年报", zwgk)
    tzgg = p.add_column("tzgg", "通知公告", zwgk)
    wz = p.add_column("wzndbb", "政府网站工作年度报表", zwgk)
    news = p.add_column("ywdt", "要闻动态", ("新闻中心", "ywdt"))
    lsda = p.add_column("lsda", "历史档案", zwgk)
    p.robots_prefix = "/zwgk/lsda/"

    p.add_traps(rep, tzgg, wz, news)
    p.seed_report(rep, load_seeds()["004"],
                  trailer_html=f'<p class="tujie"><a href="{p.interpretation_path}">&gt;&gt;图解版</a></p>')
    g = generate_report("云溪市人民政府", 2019, "2019", seed=1, published="2020-01-20")
    old = "（五）监督保障。将政务公开纳入年度绩效考核，开展业务培训，强化监督检查。"
    new = "（五）监督保障。将政务公开纳入年度绩效考核，全年开展业务培训6次，强化监督检查。"
    edited = edit_body(g.body, old, new)
    p.generated_report(rep, g, body_second=edited, gold_second=edited.gold_text())
    p.generated_report(rep, generate_report("云溪市财政局", 2021, "2021", seed=2, published="2022-01-25"))
    # Behind robots.txt: kept in 历史档案, still linked from the report column.
    g = generate_report("云溪市教育局", 2020, "2019", seed=3, published="2021-01-26")
    art = p.generated_report(lsda, g, robots_disallowed=True)
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p
