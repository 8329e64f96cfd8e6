"""A single-page app portal: every URL answers the same loading shell ("正在加载中...
Loading connection") with an app root and a script; lists and articles arrive by XHR from
a JSON API (`/api/home`, `/api/list?col=&page=`, `/api/article?id=`). Only a browser sees
the content. Routes: `/`, `/list/<col>?page=N`, `/article/<id>`, `/archive/article/<id>`.
"""
from __future__ import annotations

import json
from pathlib import Path

from nianbao.demo.content import esc
from nianbao.demo.generated import generate_report
from nianbao.demo.seeds import load_seeds
from nianbao.demo.messages import Response
from nianbao.demo.model import Article, Column
from nianbao.demo.site import Portal

APP_JS = (Path(__file__).with_name("spa.js")).read_bytes()


class SpaPortal(Portal):
    family = "spa"

    def column_path(self, col: Column) -> str:
        return f"/list/{col.key}"

    def article_path(self, col: Column, art: Article) -> str:
        return f"/article/{art.id}"

    def dead_link_path(self) -> str:
        return "/article/9999"

    def shell(self) -> Response:
        html = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width,initial-scale=1">'
                f'<title>{esc(self.site_name)}</title><link rel="stylesheet" href="/static/app.css">'
                '<script src="/static/app.js" defer></script></head>\n<body>\n'
                '<div id="app"><div class="loading"><span class="spinner"></span>'
                '<p>正在加载中... Loading connection</p></div></div>\n'
                '<noscript>本网站需要启用JavaScript才能正常浏览。</noscript>\n</body></html>\n')
        return Response.html(html)

    def site_json(self, path: str, state: str) -> dict:
        ch = self.chrome(path, state)
        return {"name": self.site_name, "icp": self.icp, "footer_date": ch.footer_date, "views": ch.views,
                "nav": [{"title": c.name, "url": c.path} for k, c in self.columns.items() if k != "archive"]}

    @staticmethod
    def json(obj, status: int = 200) -> Response:
        return Response(status, json.dumps(obj, ensure_ascii=False).encode(),
                        {"Content-Type": "application/json; charset=utf-8"})

    def items(self, entries) -> list[dict]:
        return [{"title": t, "url": p, "date": d} for t, p, d in entries]

    def route(self, req, state):
        path = req.path
        if path == "/static/app.js":
            return Response(200, APP_JS, {"Content-Type": "application/javascript; charset=utf-8"})
        if path == "/static/app.css":
            return Response(200, b".loading{text-align:center;padding:80px}", {"Content-Type": "text/css"})
        if path == "/api/home":
            sections = [{"title": c.name, "url": c.path, "items": self.items(c.entries(state)[:6])}
                        for k, c in self.columns.items() if k != "archive"]
            return self.json({"site": self.site_json(path, state), "sections": sections})
        if path == "/api/list":
            col = self.columns.get(req.arg("col"))
            try:
                page = int(req.arg("page", "0"))
            except ValueError:
                page = -1
            if col is None or not 0 <= page < col.pages(state):
                return self.json({"error": "not found"}, 404)
            return self.json({"site": self.site_json(path, state), "name": col.name, "page": page,
                              "pages": col.pages(state), "crumbs": [{"title": col.name, "url": col.path}],
                              "items": self.items(col.page_entries(state, page))})
        if path == "/api/article":
            art = next((a for a in self.by_path.values() if str(a.id) == req.arg("id")), None)
            if art is None or not art.in_state(state):
                return self.json({"error": "页面不存在"}, 404)
            col = self.columns[art.column]
            prev, nxt = self.neighbours(art, state)
            return self.json({
                "site": self.site_json(art.path, state), "id": art.id, "title": art.title,
                "published": art.published, "source": art.source,
                "views": self.chrome(art.path, state).views, "html": art.body[state],
                "crumbs": [{"title": col.name, "url": col.path}],
                "prev": {"title": prev[0], "url": prev[1]} if prev else None,
                "next": {"title": nxt[0], "url": nxt[1]} if nxt else None})
        if path.startswith("/api/"):
            return self.json({"error": "not found"}, 404)
        if path == "/robots.txt":
            return None
        return self.shell()   # every other URL: the shell, status 200, as SPAs do

    def render_home(self, state):
        return self.shell()


def build(news_count: int = 50) -> SpaPortal:
    p = SpaPortal("spa", "北湖区人民政府", "北湖区人民政府", news_count=news_count, icp="鄂ICP备13004567号")
    rep = p.add_column("nb", "政府信息公开年报", ("政府信息公开", "nb"))
    tzgg = p.add_column("tzgg", "通知公告", ("政府信息公开", "nb"))
    wz = p.add_column("wzndbb", "政府网站工作年度报表", ("政府信息公开", "nb"))
    news = p.add_column("news", "新闻动态")
    archive = p.add_column("archive", "历史归档")
    p.robots_prefix = "/archive/"

    p.add_traps(rep, tzgg, wz, news)
    p.seed_report(rep, load_seeds()["001"])
    p.by_path[rep.articles[-1].path].source = "咸宁政府网"
    p.generated_report(rep, generate_report("北湖区人民政府", 2021, "2021", seed=11, published="2022-01-27"))
    g = generate_report("北湖区发展和改革局", 2020, "2019", seed=12, published="2021-01-22")
    art = p.generated_report(archive, g, robots_disallowed=True)
    p.by_path.pop(art.path)
    art.path = f"/archive/article/{art.id}"
    p.by_path[art.path] = art
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p
