"""JSON list APIs, as single-page apps fetch them: the biggest list of titled objects in an
answer, its page count, the URLs of its following pages, and links for its items (their
own URL, or a route learnt from the rendered page's links)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from nianbao.archive.urls import fetch_url

from .html import Link, clean_text
from .paging import fill, page_template

_URL_KEYS = ("url", "href", "link", "linkurl", "link_url", "docurl", "doc_url", "path",
             "pageurl", "page_url", "detailurl", "detail_url", "articleurl", "fileurl")
_TITLE_KEYS = ("title", "name", "doctitle", "doc_title", "subject", "headline", "label")
_ID_KEYS = ("id", "docid", "doc_id", "articleid", "article_id", "contentid", "infoid", "uuid")
_TOTAL_PAGE_KEYS = ("totalpages", "totalpage", "pages", "pagecount", "page_count", "total_pages",
                    "pagetotal", "lastpage", "last_page")
_TOTAL_KEYS = ("total", "totalcount", "total_count", "count", "totalrecords", "totalrecord",
               "recordcount", "totalelements", "totalsize")
_SIZE_KEYS = ("pagesize", "page_size", "size", "perpage", "per_page", "limit", "rows")


@dataclass
class JsonList:
    """Items of a JSON list answer: (title, url-or-None, id-or-None), and its paging."""

    items: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    total_pages: int | None = None
    page_param: str | None = None       # the field the answer numbers its page with…
    page: int | None = None             # …and this page's number (pageNo: 1, page: 0)
    original_param: str | None = None   # that field as the answer spells it (pageNo)


_PAGE_KEYS = ("pageno", "page", "pageindex", "pagenum", "currentpage", "curpage", "current", "pagenumber")


def _lower_keys(d: dict) -> dict:
    return {str(k).lower(): v for k, v in d.items()}


def parse_json_list(text: str | bytes) -> JsonList | None:
    """The biggest list of titled objects in a JSON document, and its page count."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return None
    best: list[dict] = []
    meta: list[dict] = []

    spelled: dict[str, str] = {}

    def walk(node, depth=0):
        nonlocal best
        if depth > 6:
            return
        if isinstance(node, dict):
            meta.append(_lower_keys(node))
            for k in node:
                if str(k).lower() in _PAGE_KEYS:
                    spelled.setdefault(str(k).lower(), str(k))
            for v in node.values():
                walk(v, depth + 1)
        elif isinstance(node, list):
            objs = [o for o in node if isinstance(o, dict)]
            titled = [o for o in objs if any(k in _TITLE_KEYS for k in _lower_keys(o))]
            if len(titled) > len(best):
                best = titled
            for o in objs[:50]:
                walk(o, depth + 1)

    walk(data)
    out = JsonList()
    for o in best:
        lo = _lower_keys(o)
        title = next((str(lo[k]) for k in _TITLE_KEYS if lo.get(k)), "")
        url = next((str(lo[k]) for k in _URL_KEYS if isinstance(lo.get(k), str) and lo.get(k)), None)
        ident = next((str(lo[k]) for k in _ID_KEYS if lo.get(k) not in (None, "")), None)
        out.items.append((clean_text(title), url, ident))
    for d in meta:
        key = next((k for k in d if k in _PAGE_KEYS and isinstance(d[k], int) and not isinstance(d[k], bool)), None)
        if key is not None and out.page_param is None:
            out.page_param, out.page, out.original_param = key, d[key], spelled.get(key, key)
    for d in meta:
        for k in _TOTAL_PAGE_KEYS:
            if isinstance(d.get(k), int) and d[k] > 0:
                out.total_pages = d[k]
                break
        if out.total_pages:
            break
        tot = next((d[k] for k in _TOTAL_KEYS if isinstance(d.get(k), int)), None)
        size = next((d[k] for k in _SIZE_KEYS if isinstance(d.get(k), int) and d[k] > 0), None)
        if tot is not None and size:
            out.total_pages = -(-tot // size)
            break
    return out


def json_next_pages(api_url: str, total_pages: int | None, limit: int = 50,
                    jl: JsonList | None = None) -> list[str]:
    """URLs of the following pages of a JSON list API, by its page parameter.

    Without a known page count only the next page is returned; the caller keeps asking
    while pages hold items. A first call without a page parameter (`/api/list?col=nb`) is
    continued with the page field the answer names (`"pageNo": 1` -> `&pageNo=2`).
    """
    t = page_template(api_url)
    if not t and jl is not None and jl.page_param and jl.page is not None:
        sep = "&" if urlsplit(api_url).query else "?"
        t = (f"{api_url}{sep}{jl.original_param or jl.page_param}={{}}", jl.page)
    if not t:
        return []
    template, cur = t
    if "?" not in template and "/{}" not in template:
        return []
    last = total_pages if total_pages is not None else cur + 1
    first_is_zero = cur == 0
    if first_is_zero and total_pages is not None:
        last = total_pages - 1
    return [fill(template, n) for n in range(cur + 1, min(last, cur + limit) + 1)]


def route_for_id(links: list[Link], ident: str) -> str | None:
    """A page URL for a JSON item id, learnt from the rendered page's own links.

    An SPA list shows `<a href="#/article/12">` for item 12; items of later pages get
    the same route with their id. Returns the template with `{id}` or None.
    """
    pat = re.compile(r"(?<![0-9A-Za-z])" + re.escape(ident) + r"(?![0-9A-Za-z])")
    for ln in links:
        m = pat.search(ln.url)
        if m:
            return ln.url[:m.start()] + "{id}" + ln.url[m.end():]
    return None


def json_links(api_url: str, jl: JsonList, route: str | None) -> list[Link]:
    """Links for the items of a JSON list: their own URL, else the learnt route."""
    out = []
    for title, url, ident in jl.items:
        if url:
            out.append(Link(fetch_url(urljoin(api_url, url)), title, "", "json"))
        elif ident and route:
            out.append(Link(fetch_url(route.replace("{id}", ident)), title, "", "json"))
    return out
