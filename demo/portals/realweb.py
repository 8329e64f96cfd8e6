"""Small portals for the real web around the pages: each has a home page, a 政府信息公开
hub, one report column with one to three reports, and one behaviour real gov.cn portals
show that the CMS families above do not:

| portal | behaviour |
|---|---|
| redirect301 | `/` answers 301 to `/portal/`, where the home page lives |
| hostalias | lives at `www.hongqiao.gov.test`; the bare name answers 301 to it, its pages link reports under both names, and its 信息公开 hub is on `xxgk.hongqiao.gov.test` |
| metarefresh | `/` is a `<meta http-equiv="refresh">` to the home page |
| jsredirect, jsreplace | `/` sends the browser on with `window.location.href=…` / `location.replace(…)` |
| gzip | every answer gzip-compressed, as nginx with `gzip on` |
| filehost | the report page is a stub; its PDF lies on a file host of another domain (`oss.gov-files.test`, a CDN) |
| postlist | the report column's list comes from a JSON API answered only to POST |
| sitemap | the reports are linked from no page, only from `sitemap.xml` (robots.txt `Sitemap:`) |
| trspager | a TRS list that defines `createPageHTML` itself before calling it; page 2 has a report |
| twzixun | a short Traditional-script report titled 政府資訊公開 (the Taiwan phrasing) |
| jschallenge | a firewall's JavaScript challenge before every page (412, a script that sets a clearance cookie and reloads), as 加速乐 serves: a browser passes it, a plain HTTP client never does |
| badbytes | a UTF-8 site whose article template pulls in a block saved in GBK: a few hundred bytes of every report page are no UTF-8 |
| blocked | answers normally, or, when blocked (`SamplePortals.block`), refuses every visitor: a 403 WAF page, or a 412 JavaScript challenge that never yields content |

Portals with names (`*.gov.test`) are reached through the crawler's test resolver
(`nianbao.crawler.resolver`); the others by address, like the families above.
"""
from __future__ import annotations

import dataclasses
import gzip
import json
import threading
from urllib.parse import urlencode

from nianbao.demo import chrome as C
from nianbao.demo.content import Body, Para, esc
from nianbao.demo.generated import generate_report
from nianbao.demo.messages import Request, Response
from nianbao.demo.model import Article, Column
from nianbao.demo.pdfs import text_pdf
from nianbao.demo.site import Portal
from nianbao.demo.snippets import hub_links_html, list_items_html, opencc_converter

NAV = [("政府信息公开", "/xxgk/"), ("新闻中心", "/xwzx/"), ("办事服务", "/bsfw/")]
WAF_PAGE = ("<html><head><title>访问被拦截</title></head><body><h1>您的访问被拦截</h1>"
            "<p>网站防火墙检测到您的请求存在异常，已被拦截。Access Denied.</p>"
            "<p>事件ID：{id}</p></body></html>")
CHALLENGE_PAGE = ("<html><head><title>安全验证</title><script>"
                  "function chk(){document.cookie='__jsl_clearance='+Math.random();"
                  "setTimeout(function(){location.reload()},300);}chk();</script></head>"
                  "<body><p>请稍候，正在进行安全验证……</p></body></html>")


def _host_of(req: Request) -> str:
    return (req.headers.get("host") or "").rsplit(":", 1)[0].lower()


class RealWebPortal(Portal):
    family = "real-web"
    case = ""                              # the behaviour, as the crawl bench names it
    home_path = "/"                        # where the home page lives
    names: tuple[str, ...] = ()            # host names it answers to (the first: its own)

    def __init__(self, name: str, site_name: str, agency: str, **kw):
        super().__init__(name, site_name, agency, **kw)
        self.col_dirs = {"nb": "/xxgk/nb/"}
        self.blocked: str | None = None    # None | "403" | "412"
        self._refusals = 0

    # -- where it lives ---------------------------------------------------------------------
    def bind(self, address: str, port: int) -> None:
        """Its URLs, once its server listens on `address:port`."""
        self.base_url = f"http://{self.names[0] if self.names else address}:{port}"

    # -- templates --------------------------------------------------------------------------
    def column_path(self, col: Column) -> str:
        return self.col_dirs[col.key]

    def article_path(self, col: Column, art: Article) -> str:
        ym = art.published[:7].replace("-", "")
        return f"{col.path}{ym}/t{art.published.replace('-', '')}_{art.id}.html"

    def dead_link_path(self) -> str:
        return "/xxgk/nb/202001/t20200101_9999.html"

    def frame(self, title: str, crumbs, inner: str, path: str, state: str) -> str:
        ch = self.chrome(path, state)
        body = (C.header(self.site_name, NAV) + C.breadcrumbs(crumbs) + inner
                + C.footer(self.site_name, self.icp, "", self.site_code, ch))
        return C.page(title, "", body)

    def home_links(self, state: str) -> str:
        return ('<h3><a href="/xxgk/">政府信息公开</a></h3><ul>'
                f'<li><a href="{self.columns["nb"].path}">政府信息公开年度报告</a></li></ul>')

    def render_home(self, state):
        inner = f'<div class="home"><h2>{esc(self.site_name)}</h2>{self.home_links(state)}</div>'
        return Response.html(self.frame(self.site_name, [], inner, self.home_path, state))

    def list_html(self, col: Column, page: int, state: str) -> str:
        return list_items_html(col.page_entries(state, page))

    def render_list(self, col, page, state):
        inner = f'<div class="list"><h2>{esc(col.name)}</h2>{self.list_html(col, page, state)}</div>'
        return Response.html(self.frame(f"{col.name}_{self.site_name}", [(col.name, col.path)], inner,
                                        col.path + str(page), state))

    def render_article(self, art, state):
        col = self.columns[art.column]
        ch = self.chrome(art.path, state)
        inner = ('<div class="article">' + f'<h1>{esc(art.title)}</h1>'
                 + C.info_line(art.published, art.source, ch.views) + C.tools()
                 + f'<div class="TRS_Editor">{art.body[state]}</div>' + C.share() + '</div>')
        return Response.html(self.frame(f"{art.title}_{self.site_name}", [(col.name, col.path)],
                                        inner, art.path, state))

    def route(self, req: Request, state: str):
        if req.path in ("/xxgk/", "/xxgk/index.html"):
            links = [(c.name, c.path) for c in self.columns.values()]
            return Response.html(self.frame(f"政府信息公开_{self.site_name}", [("政府信息公开", "/xxgk/")],
                                            hub_links_html("政府信息公开", links), req.path, state))
        if self.home_path != "/" and req.path in (self.home_path, self.home_path + "index.html"):
            return self.render_home(state)
        if self.home_path != "/" and req.path in ("/", "/index.html"):
            return self.entry(req, state)
        return None

    def entry(self, req: Request, state: str) -> Response:
        """What `/` answers when the home page lives elsewhere (a redirect of some kind)."""
        raise NotImplementedError

    def paths(self, state: str) -> list[str]:
        return [self.home_path] + [p for p in super().paths(state) if p != "/"]

    # -- refusing visitors ------------------------------------------------------------------
    def refusal(self) -> Response | None:
        if self.blocked is None:
            return None
        self._refusals += 1
        if self.blocked == "412":
            return Response(412, CHALLENGE_PAGE.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})
        return Response(403, WAF_PAGE.format(id=self._refusals).encode("utf-8"),
                        {"Content-Type": "text/html; charset=utf-8", "Server": "WAF"})

    def handle(self, req: Request) -> Response:
        return self.refusal() or super().handle(req)


def _report_column(p: RealWebPortal, specs, per_page: int = 15) -> Column:
    col = p.add_column("nb", "政府信息公开年度报告", ("政府信息公开", "xxgk"), per_page=per_page)
    for agency, year, fmt, seed, pub in specs:
        p.generated_report(col, generate_report(agency, year, fmt, seed=seed, published=pub))
    return col


# -- redirects ----------------------------------------------------------------------------------
class Redirect301Portal(RealWebPortal):
    case = "301 to /portal/"
    home_path = "/portal/"

    def entry(self, req, state):
        return Response(301, b"", {"Location": self.home_path})


class MetaRefreshPortal(RealWebPortal):
    case = "meta refresh"
    home_path = "/portal/"

    def entry(self, req, state):
        return Response.html(f'<html><head><meta http-equiv="refresh" content="0; url={self.home_path}">'
                             f'<title>{esc(self.site_name)}</title></head><body></body></html>')


class ScriptRedirectPortal(RealWebPortal):
    case = "script redirect"
    home_path = "/portal/"
    script = "window.location.href = '{path}';"

    def entry(self, req, state):
        js = self.script.format(path=self.home_path)
        return Response.html(f'<html><head><title>{esc(self.site_name)}</title>'
                             f'<script type="text/javascript">{js}</script></head><body></body></html>')


class HostAliasPortal(RealWebPortal):
    """One site, two names: the bare name redirects to `www.`, and pages link to both."""

    case = "alias host (301 to www.)"

    @property
    def bare_base(self) -> str:
        return self.base_url.replace("//www.", "//", 1)

    @property
    def start_url(self) -> str:
        return self.bare_base + "/"

    @property
    def xxgk_base(self) -> str:
        return self.base_url.replace("//www.", "//xxgk.", 1)

    def home_links(self, state: str) -> str:
        # the 信息公开 platform lives on a subdomain of the same registrable domain
        return super().home_links(state).replace('href="/xxgk/"', f'href="{self.xxgk_base}/xxgk/"')

    def handle(self, req: Request) -> Response:
        if _host_of(req) not in ("", self.names[0], self.names[2]):
            query = urlencode([(k, v) for k, vs in req.query.items() for v in vs])
            return Response(301, b"", {"Location": self.base_url + req.path + ("?" + query if query else "")})
        return super().handle(req)

    def list_html(self, col, page, state):
        # the CMS writes absolute links; the first still says the old bare name
        items = [(t, (self.bare_base if i == 0 else self.base_url) + p, d)
                 for i, (t, p, d) in enumerate(col.page_entries(state, page))]
        return list_items_html(items)

    def aliases(self, art: Article) -> list[str]:
        return [self.bare_base + art.path]


# -- transport ----------------------------------------------------------------------------------
class GzipPortal(RealWebPortal):
    case = "gzip-compressed pages"

    def handle(self, req: Request) -> Response:
        resp = super().handle(req)
        if "gzip" not in (req.headers.get("accept-encoding") or "") or not resp.body:
            return resp
        return Response(resp.status, gzip.compress(resp.body),
                        {**resp.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


# -- files on another host ----------------------------------------------------------------------
class FileHostPortal(RealWebPortal):
    """Report pages are stubs; the PDFs are served by a file host of another domain (a CDN),
    whose robots.txt keeps `/private/` closed."""

    case = "PDF on a file host"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.pdf_makers: dict = {}
        self._pdfs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def file_base(self) -> str:
        return f"http://{self.names[1]}:{self.base_url.rsplit(':', 1)[1]}"

    def handle(self, req: Request) -> Response:
        if _host_of(req) == self.names[1]:
            if req.path == "/robots.txt":
                return Response(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
            make = self.pdf_makers.get(req.path)
            if make is None:
                return self.http_404()
            with self._lock:
                if req.path not in self._pdfs:
                    self._pdfs[req.path] = make()
            return Response(200, self._pdfs[req.path], {"Content-Type": "application/pdf"})
        return super().handle(req)

    def pdf_report(self, col: Column, g) -> Article:
        art = self.report_article(col, title=g.title, title_gold=g.title, agency=g.agency, year=g.year,
                                  published=g.published, body=Body([Para("")]),
                                  gold_text=g.body.gold_text(), fmt=g.format, figures=g.figures,
                                  identity_ok=g.identity_ok)
        path = f"/upload/{g.published[:4]}/{art.id}.pdf"
        html = (f'<p>现将《{esc(g.title)}》予以公布。</p><p>附件：<a href="{{files}}{path}">'
                f'{esc(g.title)}.pdf</a></p>')
        art.body = {"first": html, "second": html}
        art.report.attachment_path = path
        self.pdf_makers[path] = lambda t=g.title, b=g.body: text_pdf(t, b)
        return art

    def render_article(self, art, state):
        resp = super().render_article(art, state)
        return Response(resp.status, resp.body.replace(b"{files}", self.file_base.encode()), resp.headers)

    def gold(self, state):
        # the attachment lives on the file host, not under the portal's own base URL
        return [dataclasses.replace(g, attachment_url=g.attachment_url.replace(self.base_url, self.file_base, 1))
                if g.attachment_url else g for g in super().gold(state)]


# -- lists that no HTML parser sees -------------------------------------------------------------
class PostListPortal(RealWebPortal):
    """The report column's page is an empty list filled by script from a JSON API that only
    answers POST (a form body with the column id and the page number), two items a page."""

    case = "list API by POST"
    api = "/api/content/list"
    column_id = "1207"
    per_page = 2

    def list_html(self, col, page, state):
        return ('<ul id="list"></ul><div id="pager"></div>'
                '<script type="text/javascript">function load(p){$.ajax({url:"' + self.api + '",'
                'type:"POST",dataType:"json",data:{columnId:"' + self.column_id + '",pageNo:p,'
                f'pageSize:{self.per_page}}},success:function(d){{render(d)}}}});}}load(1);</script>')

    def route(self, req, state):
        if req.path != self.api:
            return super().route(req, state)
        if req.method != "POST":
            return Response(405, b'{"code":405,"msg":"Method Not Allowed"}',
                            {"Content-Type": "application/json", "Allow": "POST"})
        entries = self.columns["nb"].entries(state) if req.arg("columnId") == self.column_id else []
        try:
            page = max(1, int(req.arg("pageNo", "1")))
            size = max(1, min(50, int(req.arg("pageSize", str(self.per_page)))))
        except ValueError:
            return Response(400, b'{"code":400}', {"Content-Type": "application/json"})
        chunk = entries[(page - 1) * size: page * size]
        data = {"code": 0, "data": {"total": len(entries), "pageNo": page, "pageSize": size,
                                    "list": [{"title": t, "url": p, "publishDate": d} for t, p, d in chunk]}}
        return Response(200, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                        {"Content-Type": "application/json;charset=UTF-8"})


class SitemapPortal(RealWebPortal):
    """The report column shows no list at all; its reports are in sitemap.xml only."""

    case = "sitemap only"

    def robots_txt(self) -> str:
        return super().robots_txt() + f"Sitemap: {self.base_url}/sitemap.xml\n"

    def list_html(self, col, page, state):
        return '<p class="empty">本栏目内容请通过站点地图浏览。</p>'

    def route(self, req, state):
        if req.path == "/sitemap.xml":
            urls = [self.url(p) for p in self.paths(state)]
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    + "".join(f"<url><loc>{esc(u)}</loc></url>\n" for u in urls) + "</urlset>\n")
            return Response(200, body.encode("utf-8"), {"Content-Type": "application/xml"})
        return super().route(req, state)


class TrsPagerPortal(RealWebPortal):
    """A TRS list whose page defines `createPageHTML` itself, then calls it."""

    case = "createPageHTML defined in the page"

    def list_html(self, col, page, state):
        n = col.pages(state)
        return (list_items_html(col.page_entries(state, page)) + '<div class="page"><script>\n'
                'function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n'
                '  if(_nPageCount == null || _nPageCount <= 1){ return; }\n'
                '  var nCurrIndex = _nCurrIndex || 0;\n'
                '  if(nCurrIndex < _nPageCount - 1){ document.write("<a href=\\"" + _sPageName + "_"'
                ' + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>"); }\n'
                '}\n'
                f'var countPage = {n};\nvar currentPage = {page};\n'
                'createPageHTML(countPage, currentPage, "index", "html");\n</script></div>')


class TaiwanPhrasePortal(RealWebPortal):
    """A short free-form report in Traditional script whose title says 政府資訊公開: too
    little text for the page's Taiwan phrasing to show, so only the title tells."""

    case = "Taiwan phrasing 資訊公開"
    paragraphs = ("{year}年，本府依照《政府信息公开条例》规定，主动公开政府信息{n}条，"
                  "办理依申请公开{m}件，均依法答复。",
                  "本府将继续完善信息公开制度，提升公开质量。")

    def short_report(self, col: Column, agency: str, year: int, published: str, seed: int) -> Article:
        to_tw = opencc_converter("s2twp.json")
        paras = [t.format(year=year, n=100 + seed, m=seed) for t in self.paragraphs]
        title = f"{agency}{year}年政府信息公开工作年度报告"
        return self.report_article(col, title=to_tw(title), title_gold=title, agency=agency, year=year,
                                   published=published, body=Body([Para(p) for p in paras]),
                                   gold_text="\n".join(paras), fmt=None, script="traditional", conv=to_tw)


# -- broken bytes -------------------------------------------------------------------------------
class BadBytesPortal(RealWebPortal):
    """A UTF-8 site whose article template includes a source-and-contact block saved in GBK
    (an include file edited on a GBK workstation): a few hundred bytes above the report's text
    that are no UTF-8, in a page that says `charset=utf-8`. The report is still a report."""

    case = "invalid UTF-8 runs in a report page"
    include = ("信息来源：{site}办公室　发布机构：{site}　责任编辑：综合信息科　联系电话：0571-87654321　"
               "通讯地址：{site}行政中心三号楼　邮政编码：311100　本栏目内容由{site}负责维护，转载请注明出处。")

    def render_article(self, art, state):
        resp = super().render_article(art, state)
        block = f'<div class="source">{self.include.format(site=self.site_name)}</div>'.encode("gbk")
        body = resp.body.replace(b'<div class="TRS_Editor">', block + b'<div class="TRS_Editor">', 1)
        return Response(resp.status, body, resp.headers)


# -- refusing visitors --------------------------------------------------------------------------
class BlockablePortal(RealWebPortal):
    case = "blocked, then open again"


PASSABLE_CHALLENGE = ("<html><head><title>安全验证</title><script>"
                      "var v={a}*{b};document.cookie='__jsl_clearance='+v+'; path=/';"
                      "setTimeout(function(){{location.reload()}},200);</script></head>"
                      "<body><p>请稍候，正在进行安全验证……</p></body></html>")


class ChallengePortal(RealWebPortal):
    """Every page behind a cookie challenge a browser passes: the clearance is a number the
    script computes, so only a client that runs it gets in. robots.txt is served plainly."""

    case = "JavaScript challenge (412)"
    factors = (1237, 4391)

    @property
    def clearance(self) -> str:
        return str(self.factors[0] * self.factors[1])

    def handle(self, req: Request) -> Response:
        cookies = dict(c.strip().split("=", 1) for c in (req.headers.get("cookie") or "").split(";")
                       if "=" in c)
        if req.path == "/robots.txt" or cookies.get("__jsl_clearance") == self.clearance:
            return super().handle(req)
        self._challenges += 1
        page = PASSABLE_CHALLENGE.format(a=self.factors[0], b=self.factors[1])
        return Response(412, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})

    _challenges = 0


def build_all() -> list[RealWebPortal]:
    """Every real-web portal with its reports (agencies, years and seeds of its own). Where
    an agency's name alone names several places (青山区, 西湖区) or none today (北塘区,
    merged in 2015), its site's 网站标识码 says which, as on the real gov.cn sites."""
    made = []

    def make(cls, name, site, specs, *, names=(), per_page=15, **attrs):
        p = cls(name, site, site, news_count=0)
        p.names = tuple(names)
        for k, v in attrs.items():
            setattr(p, k, v)
        _report_column(p, [(site, *s) for s in specs], per_page=per_page)
        made.append(p)
        return p

    make(Redirect301Portal, "redirect301", "青山区人民政府", [(2022, "2021", 31, "2023-03-20")],
         site_code="4201070001")
    make(HostAliasPortal, "hostalias", "虹桥镇人民政府",
         [(2022, "2021", 32, "2023-03-25"), (2021, "2021", 33, "2022-03-18")],
         names=("www.hongqiao.gov.test", "hongqiao.gov.test", "xxgk.hongqiao.gov.test"), site_code="3303820002")
    make(MetaRefreshPortal, "metarefresh", "白沙县人民政府", [(2022, "2021", 34, "2023-03-10")],
         site_code="4690250001")
    make(ScriptRedirectPortal, "jsredirect", "石门县人民政府", [(2022, "2021", 35, "2023-03-15")])
    make(ScriptRedirectPortal, "jsreplace", "清河区人民政府", [(2021, "2021", 36, "2022-03-12")],
         script='location.replace("{path}");')
    make(GzipPortal, "gzip", "南湖区人民政府", [(2022, "2021", 37, "2023-03-22")])
    fh = make(FileHostPortal, "filehost", "东港区人民政府", [],
              names=("www.donggang.gov.test", "oss.gov-files.test"))
    fh.pdf_report(fh.columns["nb"], generate_report("东港区人民政府", 2022, "2021", seed=38, published="2023-03-28"))
    make(PostListPortal, "postlist", "西湖区人民政府",
         [(2022, "2021", 39, "2023-03-21"), (2021, "2021", 40, "2022-03-21"), (2020, "2019", 41, "2021-03-20")],
         site_code="3301060001")
    make(SitemapPortal, "sitemap", "北塘区人民政府", [(2022, "2021", 42, "2023-03-17")], site_code="3202000003")
    make(TrsPagerPortal, "trspager", "东城区统计局",
         [(2022, "2021", 43, "2023-01-20"), (2021, "2021", 44, "2022-01-21"), (2020, "2019", 45, "2021-01-22")],
         per_page=2)
    tw = make(TaiwanPhrasePortal, "twzixun", "新竹县人民政府", [])
    tw.short_report(tw.columns["nb"], "新竹县人民政府", 2022, "2023-03-16", 46)
    make(ChallengePortal, "jschallenge", "松江区人民政府", [(2022, "2021", 49, "2023-03-26")])
    make(BadBytesPortal, "badbytes", "余杭区人民政府", [(2022, "2021", 53, "2023-03-24")])
    make(BlockablePortal, "blocked", "长林区人民政府", [(2022, "2021", 47, "2023-03-19"), (2021, "2021", 48, "2022-03-19")],
         site_code="2201000005")
    return made
