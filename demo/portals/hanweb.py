"""Hanweb-style CMS (大汉网络 JCMS), common on provincial and county sites.

- columns `/col/colN/index.html`; the first page of links sits only inside
  `<script type="text/xml"><datastore>…<record><![CDATA[<li><a …>]]></record>`, so an HTML
  parser sees zero article links;
- further pages come from `/module/web/jpage/dataproxy.jsp` (GET or POST, `startrecord`,
  `endrecord`, `perpage`, `columnid`…) as the same XML records;
- articles `/art/Y/M/D/art_COL_ID.html` (no zero padding).
"""
from __future__ import annotations

from nianbao.demo import chrome as C
from nianbao.demo.content import esc
from nianbao.demo.generated import generate_report
from nianbao.demo.seeds import load_seeds
from nianbao.demo.messages import Response
from nianbao.demo.model import Article, Column, STATES
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html

JPAGE_JS = """// Minimal jpage: render the datastore records and page through dataproxy.jsp.
(function(){
  function render(div, xml){
    var recs = xml.match(/<record><!\\[CDATA\\[([\\s\\S]*?)\\]\\]><\\/record>/g) || [];
    var html = recs.map(function(r){ return r.replace(/^<record><!\\[CDATA\\[/, '').replace(/\\]\\]><\\/record>$/, ''); }).join('');
    div.querySelector('.default_pgContainer').innerHTML = html;
  }
  window.jpageInit = function(divId, colId, total, perpage){
    var div = document.getElementById(divId);
    var store = div.querySelector('script[type="text/xml"]');
    render(div, store.textContent);
    var cur = 1, pages = Math.ceil(total / perpage);
    var bar = div.querySelector('.default_pgBar');
    function draw(){ bar.innerHTML = '共' + total + '条 第' + cur + '/' + pages + '页 '
      + (cur < pages ? '<a href="javascript:void(0)" class="next">下一页</a>' : ''); 
      var n = bar.querySelector('.next'); if(n){ n.onclick = function(){ go(cur + 1); }; } }
    function go(p){
      var x = new XMLHttpRequest();
      x.open('POST', '/module/web/jpage/dataproxy.jsp?startrecord=' + ((p - 1) * perpage + 1)
        + '&endrecord=' + (p * perpage) + '&perpage=' + perpage);
      x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
      x.onload = function(){ render(div, x.responseText); cur = p; draw(); };
      x.send('col=1&appid=1&webid=1&path=%2F&columnid=' + colId + '&sourceContentType=1&unitid=' + divId.slice(3) + '&permissiontype=0');
    }
    draw();
  };
})();
"""

NAV = [("政务公开", "/col/col100/index.html"), ("新闻动态", "/col/col102/index.html"),
       ("政务服务", "/col/col105/index.html"), ("互动交流", "/col/col106/index.html")]


class HanwebPortal(Portal):
    family = "hanweb"

    def column_path(self, col: Column) -> str:
        return f"/col/col{col.key}/"

    def article_path(self, col: Column, art: Article) -> str:
        y, m, d = (int(x) for x in art.published.split("-"))
        return f"/art/{y}/{m}/{d}/art_{col.key}_{art.id}.html"

    def dead_link_path(self) -> str:
        return "/art/2023/1/5/art_102_9999.html"

    def list_page_number(self, col, path):
        return 0 if path in (col.path, col.path + "index.html") else None

    def frame(self, title: str, crumbs, inner: str, path: str, state: str, head: str = "") -> str:
        ch = self.chrome(path, state)
        body = ('<div id="barrierfree_container">'
                + C.top_bar([("中国政府网", "http://www.gov.cn/"), ("浙江政务服务网", "http://www.zjzwfw.gov.cn/")])
                + C.header(self.site_name, NAV) + C.breadcrumbs(crumbs) + inner
                + C.footer(self.site_name, self.icp, "浙公网安备 33052102000456号", self.site_code, ch)
                + '</div><a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>')
        return C.page(title, head, body)

    def record(self, title: str, path: str, date: str) -> str:
        return (f'<record><![CDATA[<li><a href="{esc(path)}" target="_blank" title="{esc(title)}">'
                f'{esc(title)}</a><span class="bt_time">{esc(date)}</span></li>]]></record>')

    def datastore(self, col: Column, state: str, start: int, end: int) -> str:
        entries = col.entries(state)
        recs = "\n".join(self.record(*e) for e in entries[start - 1:end])
        return (f'<datastore>\n<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1'
                f'&path=/&columnid={col.key}&unitid=5{col.key}&webname={esc(self.site_name)}&permissiontype=0">'
                f'</a>]]></nextgroup>\n<recordset>\n{recs}\n</recordset>\n</datastore>')

    def route(self, req, state):
        if req.path == "/module/web/jpage/jpage.js":
            return Response(200, JPAGE_JS.encode(), {"Content-Type": "application/javascript"})
        if req.path == "/module/web/jpage/dataproxy.jsp":
            col = self.columns.get(req.arg("columnid"))
            if col is None:
                return Response(200, b'<?xml version="1.0" encoding="UTF-8"?><datastore></datastore>',
                                {"Content-Type": "text/xml; charset=UTF-8"})
            try:
                start = max(1, int(req.arg("startrecord", "1")))
                per = max(1, int(req.arg("perpage", str(col.per_page))))
                end = int(req.arg("endrecord", str(start + per - 1)))
            except ValueError:
                return Response(400, b"bad paging parameters", {"Content-Type": "text/plain"})
            total = len(col.entries(state))
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<totalrecord>{total}</totalrecord>\n'
                   + self.datastore(col, state, start, min(end, start + 200)))
            return Response(200, xml.encode(), {"Content-Type": "text/xml; charset=UTF-8"})
        if req.path in ("/col/col100/index.html", "/col/col100/"):
            links = [(c.name, c.path + "index.html") for k, c in self.columns.items() if k != "102"]
            return Response.html(self.frame(f"信息公开 {self.site_name}", [("信息公开", "/col/col100/index.html")],
                                            hub_links_html("信息公开", links), req.path, state))
        return None

    def render_home(self, state):
        news = self.columns["102"].entries(state)[:8]
        lis = "".join(f'<li><a href="{esc(p)}">{esc(t)}</a><span>{d}</span></li>' for t, p, d in news)
        inner = (f'<div class="home"><div class="news"><h3><a href="/col/col102/index.html">新闻动态</a></h3>'
                 f'<ul>{lis}</ul></div><div class="xxgk"><h3><a href="/col/col100/index.html">信息公开</a></h3>'
                 '<ul><li><a href="/col/col101/index.html">政府信息公开年度报告</a></li>'
                 '<li><a href="/col/col103/index.html">通知公告</a></li></ul></div></div>')
        return Response.html(self.frame(self.site_name, [], inner, "/", state))

    def render_list(self, col, page, state):
        total = len(col.entries(state))
        store = self.datastore(col, state, 1, col.per_page)
        inner = (f'<div class="bt-box"><h2>{esc(col.name)}</h2><div id="div5{col.key}">'
                 f'<script type="text/xml">\n{store}\n</script>'
                 '<div class="default_pgContainer"></div><div class="default_pgBar"></div></div>'
                 f'<script>var totalRecord = {total}; var perPage = {col.per_page};'
                 f'jpageInit("div5{col.key}", "{col.key}", {total}, {col.per_page});</script></div>')
        crumbs = [("信息公开", "/col/col100/index.html")] if col.key != "102" else []
        return Response.html(self.frame(f"{col.name} {self.site_name}", crumbs + [(col.name, col.path + "index.html")],
                                        inner, col.path, state,
                                        head='<script src="/module/web/jpage/jpage.js"></script>'))

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        prev, nxt = self.neighbours(art, state)
        head = (f'<meta name="SiteName" content="{esc(self.site_name)}"><meta name="ColumnName" content="{esc(col.name)}">'
                f'<meta name="ArticleTitle" content="{esc(art.title)}"><meta name="PubDate" content="{art.published} 09:30">'
                f'<meta name="ContentSource" content="{esc(art.source)}">')
        crumbs = ([("信息公开", "/col/col100/index.html")] if col.key != "102" else []) + [(col.name, col.path + "index.html")]
        meta = (C.meta_table(self.index_no(art), art.source, art.topic, art.published, art.title)
                if col.key != "102" else "")
        inner = ('<div class="wz-con"><div class="con">' + meta
                 + f'<p class="con-title">{esc(art.title)}</p>'
                 + f'<div class="small-title"><span>发布日期：{art.published}</span>'
                 f'<span>浏览次数：{ch.views}</span><span>信息来源：{esc(art.source)}</span></div>'
                 + C.tools()
                 + '<div class="main-txt" id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">'
                 + art.body[state] + '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>'
                 + art.trailer_html
                 + '<div class="main-word">' + C.share()
                 + '<span class="printer" onclick="window.print()">打印</span>'
                 '<span class="close" onclick="window.close()">关闭</span></div>'
                 + C.qr_block() + C.prev_next(prev, nxt)
                 + C.related([("浙江政务服务网", "http://www.zjzwfw.gov.cn/"), ("信息公开", "/col/col100/index.html")])
                 + '</div></div>'
                 f'<div id="hiddenLocation" style="display:none;"><span id="col1_name">{esc(col.name)}</span>'
                 f'<span id="col1_url">{col.path}index.html</span></div>')
        return Response.html(self.frame(f"{art.title}", crumbs, inner, art.path, state, head))


def build(news_count: int = 50) -> HanwebPortal:
    p = HanwebPortal("hanweb", "南屏县人民政府", "南屏县人民政府", news_count=news_count,
                     icp="浙ICP备12034567号", site_code="3305000002")
    rep = p.add_column("101", "政府信息公开年度报告", ("信息公开", "100"))
    news = p.add_column("102", "新闻动态")
    tzgg = p.add_column("103", "通知公告", ("信息公开", "100"))
    wz = p.add_column("104", "政府网站工作年度报表", ("信息公开", "100"))
    old = p.add_column("199", "旧版网站年报", ("信息公开", "100"))
    p.robots_prefix = "/old/"

    p.add_traps(rep, tzgg, wz, news)
    p.seed_report(rep, load_seeds()["000"])
    p.generated_report(rep, generate_report("南屏县人民政府", 2020, "2019", seed=4, published="2021-03-15"))
    # Removed in the second state: its URL answers 404 and no list shows it.
    p.generated_report(rep, generate_report("南屏县卫生健康局", 2022, "2021", seed=5, published="2023-01-18"),
                       states=("first",))
    g = generate_report("南屏县应急管理局", 2019, "2019", seed=6, published="2020-01-21")
    art = p.generated_report(old, g, robots_disallowed=True, path="/old/art/2020/1/21/art_199_1999.html")
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p


__all__ = ["build", "HanwebPortal", "STATES"]
