"""The model every sample portal shares: columns of articles, reports with their gold,
traps, robots.txt, state switching and the request -> response dispatch.

A family subclass decides URL patterns and page templates; this base keeps content,
gold and the common trap/news material so families differ only where real sites differ.
"""
from __future__ import annotations

import random
import zlib
from urllib.parse import urlsplit

from nianbao.demo import chrome as C
from nianbao.demo.content import Body, Cell, Para, Table, render_blocks
from nianbao.demo.gold import GoldReport
from nianbao.demo.messages import Request, Response
from nianbao.demo.model import STATES, Article, Column, ReportInfo



NEWS_TOPICS = ["召开常务会议研究部署重点工作", "开展安全生产大检查", "推进营商环境优化提升", "召开防汛工作部署会",
               "举办政务公开日活动", "调研重点项目建设进展", "开展“双随机、一公开”监管抽查", "召开民生实事推进会",
               "部署冬春季森林防火工作", "开展消费者权益保护宣传", "推进基层政务公开标准化建设", "召开乡村振兴工作会议"]


class Portal:
    """One simulated government site. Subclasses set `family` and the templates."""

    family = "generic"
    encoding = "utf-8"
    http_charset = True
    validators: tuple[str, ...] = ("etag", "last_modified")   # HTTP validators it sends (demo/validators.py)
    list_suffix = ".html"                       # list pages: index.html, index_1.html, …

    def __init__(self, name: str, site_name: str, agency: str, *, news_count: int = 50,
                 icp: str = "", site_code: str = "", hub=None):
        self.name = name
        self.site_name = site_name
        self.agency = agency
        self.news_count = news_count
        self.icp = icp or f"辽ICP备{zlib.crc32(name.encode()) % 90000000 + 10000000}号"
        # 网站标识码: its first six digits name the sponsor's division (archive/regions.py reads
        # them), so a portal without its own code gets the "bm" form, which names none
        self.site_code = site_code or f"bm{zlib.crc32(name.encode()) % 10 ** 8:08d}"
        self.hub = hub
        self.base_url = ""
        self.columns: dict[str, Column] = {}
        self.by_path: dict[str, Article] = {}
        self.trap_paths: list[str] = []
        self.robots_prefix = ""                 # the disallowed area
        self._ids = 1000
        self._cache: dict[tuple, Response] = {}

    # -- content building ------------------------------------------------------------
    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_column(self, key: str, name: str, parent: tuple[str, str] | None = None,
                   per_page: int = 15) -> Column:
        col = Column(key, name, parent, per_page)
        col.path = self.column_path(col)
        self.columns[key] = col
        return col

    def add_article(self, col: Column, art: Article, path: str | None = None) -> Article:
        art.column = col.key
        art.path = path or self.article_path(col, art)
        col.articles.append(art)
        col._memo.clear()
        self.by_path[art.path] = art
        return art

    def report_article(self, col: Column, *, title: str, title_gold: str, agency: str, year: int,
                       published: str, body: Body, gold_text: str, fmt: str | None,
                       figures=None, identity_ok=None, script="simplified", conv=lambda s: s,
                       source="generated", path: str | None = None, states=STATES,
                       body_second: Body | None = None, gold_second: str | None = None,
                       robots_disallowed=False, trailer_html="") -> Article:
        html_first = self.render_body(body, conv)
        html_second = self.render_body(body_second, conv) if body_second else html_first
        info = ReportInfo(title_gold=title_gold, agency=agency, year=year, format=fmt, script=script,
                          text={"first": gold_text, "second": gold_second or gold_text},
                          figures=dict(figures or {}), identity_ok=identity_ok,
                          robots_disallowed=robots_disallowed, source=source)
        art = Article(self.next_id(), col.key, title, published,
                      {"first": html_first, "second": html_second}, kind="report", report=info,
                      states=states, source=conv(self.agency_short()), topic=conv("政务公开"),
                      trailer_html=trailer_html)
        return self.add_article(col, art, path)

    def seed_report(self, col: Column, s, **kw) -> Article:
        """A real seed report (demo/seeds.SeedReport) with its own gold facts."""
        return self.report_article(col, title=s.title, title_gold=s.title_gold, agency=s.agency,
                                   year=s.year, published=s.published, body=s.body,
                                   gold_text=s.gold_text, fmt=s.format, figures=s.figures,
                                   identity_ok=s.identity_ok, script=s.script,
                                   source=f"seed:{s.key}", **kw)

    def generated_report(self, col: Column, g, *, title: str | None = None, **kw) -> Article:
        """A generated report (demo/generated.GeneratedReport); `title` when the page shows
        it converted (the gold title stays Simplified)."""
        return self.report_article(col, title=title or g.title, title_gold=g.title, agency=g.agency,
                                   year=g.year, published=g.published, body=g.body,
                                   gold_text=g.body.gold_text(), fmt=g.format, figures=g.figures,
                                   identity_ok=g.identity_ok, **kw)

    def render_body(self, body: Body, conv=lambda s: s) -> str:
        return render_blocks(body.blocks, conv)

    def agency_short(self) -> str:
        return self.agency

    def simple_article(self, col: Column, title: str, published: str, paragraphs: list[str],
                       kind="news", tables: list[Table] | None = None, path=None, conv=lambda s: s,
                       states=STATES) -> Article:
        blocks = [Para(p) for p in paragraphs] + list(tables or [])
        html = render_blocks(blocks, conv)
        art = Article(self.next_id(), col.key, conv(title), published, {"first": html, "second": html},
                      kind=kind, source=conv(self.agency_short()), states=states)
        return self.add_article(col, art, path)

    def add_news(self, col: Column, count: int, conv=lambda s: s, start_year: int = 2023) -> None:
        rnd = random.Random(f"news/{self.name}")
        for i in range(count):
            day = 365 - (i * 3) % 365
            month = (day // 31) % 12 + 1
            dom = day % 28 + 1
            year = start_year - (i * 3) // 365
            topic = NEWS_TOPICS[i % len(NEWS_TOPICS)]
            title = f"{self.agency_short()}{topic}（第{i + 1}期）"
            paras = [
                f"{month}月{dom}日，{self.agency_short()}{topic}。会议听取了有关情况汇报，研究部署下一阶段工作。",
                f"会议强调，要坚持以人民为中心的发展思想，{rnd.choice(['压实责任', '细化措施', '强化协同'])}，"
                f"确保各项任务落到实处。",
                f"会议要求，各部门要{rnd.choice(['加强督促检查', '抓好贯彻落实', '及时总结经验'])}，"
                f"以实际成效推动高质量发展。",
            ]
            self.simple_article(col, title, f"{year}-{month:02d}-{dom:02d}", paras, kind="news", conv=conv)

    def add_traps(self, report_col: Column, notice_col: Column, wzndbb_col: Column,
                  news_col: Column, conv=lambda s: s, year: int = 2021) -> None:
        """The non-report titles of report-format.md, each where real sites put them."""
        a = self.agency
        t = self.simple_article(
            wzndbb_col, f"{a}{year}年政府网站工作年度报表", f"{year + 1}-01-14",
            ["根据《政府网站发展指引》要求，现将本网站年度工作报表公开如下。"], kind="trap",
            tables=[Table([[Cell("网站名称"), Cell(self.site_name)],
                           [Cell("网站标识码"), Cell(self.site_code)],
                           [Cell("独立用户访问总量（单位：个）"), Cell("182034")],
                           [Cell("网站总访问量（单位：次）"), Cell("1620518")],
                           [Cell("信息发布总数（单位：条）"), Cell("3251")]])], conv=conv)
        self.trap_paths.append(t.path)
        t = self.simple_article(
            notice_col, f"关于做好{year}年政府信息公开工作年度报告编制发布工作的通知", f"{year}-12-20",
            ["各有关单位：", f"根据《中华人民共和国政府信息公开条例》规定，现就做好{year}年政府信息公开工作年度报告"
             "编制发布工作通知如下。", "一、各单位应于次年1月31日前向社会公布本单位年度报告。",
             "二、年度报告应严格按照国务院办公厅规定的格式编制。"], kind="trap", conv=conv)
        self.trap_paths.append(t.path)
        t = self.simple_article(
            news_col, f"{a}{year}年法治政府建设年度报告", f"{year + 1}-02-28",
            [f"{year}年，{a}深入学习贯彻习近平法治思想，扎实推进法治政府建设。",
             "一、全面履行政府职能。二、完善依法行政制度体系。三、推进严格规范公正文明执法。"], kind="trap",
            conv=conv)
        self.trap_paths.append(t.path)
        t = self.simple_article(
            report_col, f"图解：{a}{year}年政府信息公开工作年度报告", f"{year + 1}-01-29",
            [f"一图读懂{a}{year}年政府信息公开工作年度报告。", "【图解】主动公开、依申请公开、行政复议诉讼情况一览。"],
            kind="trap", conv=conv)
        self.trap_paths.append(t.path)
        self.interpretation_path = t.path
        # A dead link answered with 200 and a "页面不存在" page.
        self.not_found_path = self.dead_link_path()
        news_col.extra_links.append((conv("关于开展政务公开专项检查的通知"), self.not_found_path, "2023-01-05"))
        self.trap_paths.append(self.not_found_path)

    # -- hooks a family overrides ----------------------------------------------------
    def column_path(self, col: Column) -> str:
        return f"/{col.key}/"

    def article_path(self, col: Column, art: Article) -> str:
        return f"/{col.key}/{art.id}.html"

    def dead_link_path(self) -> str:
        return "/xxgk/deleted_0001.html"

    def render_article(self, art: Article, state: str) -> Response:
        raise NotImplementedError

    def render_list(self, col: Column, page: int, state: str) -> Response | None:
        raise NotImplementedError

    def render_home(self, state: str) -> Response:
        raise NotImplementedError

    def route(self, req: Request, state: str) -> Response | None:
        """Family-specific routes tried before the common ones (None: not handled)."""
        return None

    # -- common behaviour ------------------------------------------------------------
    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def start_url(self) -> str:
        """Where a crawl of this site starts (its home page, or the name a visitor types)."""
        return self.base_url + "/"

    def robots_txt(self) -> str:
        lines = ["User-agent: *"]
        if self.robots_prefix:
            lines.append(f"Disallow: {self.robots_prefix}")
        lines.append("Disallow: /search/")
        return "\n".join(lines) + "\n"

    def not_found_page(self, state: str) -> Response:
        body = ('<div class="error-page"><h2>页面不存在</h2><p>对不起，您访问的页面不存在或已被删除。</p>'
                '<p><a href="/">返回首页</a></p></div>')
        return Response.html(C.page(f"页面不存在 - {self.site_name}", "", body, charset=self._meta_charset()),
                             self.encoding, self.http_charset, status=200)

    def _meta_charset(self) -> str:
        return "gb2312" if self.encoding == "gbk" else "utf-8"

    def http_404(self) -> Response:
        return Response(404, "<html><body><h1>404 Not Found</h1></body></html>".encode(),
                        {"Content-Type": "text/html; charset=utf-8"})

    def handle(self, req: Request) -> Response:
        """The answer to `req`: cached per state, with validators, 304 when they match."""
        from nianbao.demo.validators import add_validators, not_modified
        state = self.hub.state if self.hub else "first"
        cacheable = req.method in ("GET", "HEAD")
        key = (state, req.method, req.path, tuple(sorted((k, tuple(v)) for k, v in req.query.items())))
        resp = self._cache.get(key) if cacheable else None
        if resp is None:
            resp = self._dispatch(req, state)
            add_validators(req, resp, state, self.validators)
            if cacheable and resp.status in (200, 404):
                if len(self._cache) > 50000:      # arbitrary query strings must not grow it forever
                    self._cache.clear()
                self._cache[key] = resp
        return not_modified(req, resp) or resp

    def _dispatch(self, req: Request, state: str) -> Response:
        if req.path == "/robots.txt":
            return Response(200, self.robots_txt().encode(), {"Content-Type": "text/plain"})
        r = self.route(req, state)
        if r is not None:
            return r
        if req.path in ("/", "/index.html", "/index.htm"):
            return self.render_home(state)
        if req.path == getattr(self, "not_found_path", None):
            return self.not_found_page(state)
        art = self.by_path.get(req.path)
        if art is not None:
            return self.render_article(art, state) if art.in_state(state) else self.http_404()
        for col in self.columns.values():
            page = self.list_page_number(col, req.path)
            if page is not None and page < col.pages(state):
                r = self.render_list(col, page, state)
                if r is not None:
                    return r
        return self.http_404()

    def list_page_number(self, col: Column, path: str) -> int | None:
        suffix = self.list_suffix
        if path in (col.path, col.path + "index" + suffix):
            return 0
        if path.startswith(col.path + "index_") and path.endswith(suffix):
            n = path[len(col.path) + 6:-len(suffix)]
            return int(n) if n.isdigit() and int(n) > 0 else None
        return None

    def neighbours(self, art: Article, state: str):
        col = self.columns[art.column]
        arts = col.visible(state)
        i = col.position(art, state)
        if i is None:
            return None, None
        prev = (arts[i - 1].title, arts[i - 1].path) if i > 0 else None
        nxt = (arts[i + 1].title, arts[i + 1].path) if i + 1 < len(arts) else None
        return prev, nxt

    def index_no(self, art: Article) -> str:
        return f"{self.site_code[-6:]}/{art.published[:4]}-{art.id:05d}"

    def gold(self, state: str) -> list[GoldReport]:
        out = []
        for col in self.columns.values():
            for art in col.articles:
                if art.kind != "report" or not art.in_state(state):
                    continue
                info = art.report
                out.append(GoldReport(
                    url=self.url(art.path), portal=self.name, family=self.family,
                    title=info.title_gold, agency=info.agency, year=info.year, published=art.published,
                    text=info.text[state], script=info.script, format=info.format,
                    figures=dict(info.figures), identity_ok=info.identity_ok,
                    robots_disallowed=info.robots_disallowed,
                    attachment_url=self.url(info.attachment_path) if info.attachment_path else None,
                    no_text_layer=info.no_text_layer, encoding=self.encoding,
                    aliases=tuple(self.aliases(art)), source=info.source,
                    title_original=art.title, ocr=info.ocr))
        return out

    def paths(self, state: str) -> list[str]:
        """Every path this portal serves with 200 in `state`: home, list pages, articles."""
        out = ["/"]
        for col in self.columns.values():
            out.append(col.path)
            out += [a.path for a in col.visible(state)]
        return out

    def aliases(self, art: Article) -> list[str]:
        return []

    def traps(self) -> list[str]:
        return [self.url(p) for p in self.trap_paths]

    def chrome(self, path: str, state: str) -> C.Chrome:
        return C.chrome_for(self.name + path, state)
