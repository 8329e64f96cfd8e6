"""Where the other pages of a list are, whatever family wrote its pager: a TRS script
pager (`trs`), pages numbered in the path (`index_N.html`, `/page/N`) or the query
(`?page=N` and its cousins), or an explicit 下一页 link."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from nianbao.archive.urls import fetch_url

from .html import HtmlInput, Link, parse_html
from .links import page_links
from .trs import create_page_args

# Query parameters that number the pages of a list, lower-cased.
PAGE_PARAMS = ("page", "pageno", "pagenum", "pageindex", "pn", "p", "curpage", "currentpage",
               "cpage", "pagenumber", "page_no", "page_num", "pageidx", "start", "offset")
_NEXT_TEXT = re.compile(r"^(下一页|下页|后一页|下一頁|下頁|next|next page|›|»|>|>>|＞)$", re.I)
# list pages are named by a word (index, list, more, default…) then _N; articles carry ids
_PATH_PAGE = re.compile(r"^(?P<stem>.*/[A-Za-z]+)_(?P<n>\d{1,4})(?P<ext>\.[a-z]{2,5})$", re.I)
_PATH_PLAIN = re.compile(r"^(?P<stem>.*/[A-Za-z]+)(?P<ext>\.[a-z]{2,5})$", re.I)
_PATH_SEGMENT = re.compile(r"^(?P<stem>.*/(?:page|p))/(?P<n>\d{1,5})/?$", re.I)


def page_template(url: str) -> tuple[str, int] | None:
    """(template, page number) of a list URL: `index_3.html` -> ('…/index_{}.html', 3).

    `index.html` is page 0 of the `index_{}.html` template (TRS numbering). For query
    pagers the template replaces the page parameter's value. None for URLs that carry no
    page number.
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(pairs):
        if k.lower() in PAGE_PARAMS and v.isdigit():
            tmpl_pairs = pairs[:i] + [(k, "{}")] + pairs[i + 1:]
            q = "&".join(f"{a}={b}" for a, b in tmpl_pairs)
            return urlunsplit((parts.scheme, parts.netloc, parts.path, q, "")), int(v)
    m = _PATH_SEGMENT.match(parts.path)
    if m:
        return urlunsplit((parts.scheme, parts.netloc, m["stem"] + "/{}", parts.query, "")), int(m["n"])
    m = _PATH_PAGE.match(parts.path)
    if m:
        return urlunsplit((parts.scheme, parts.netloc, m["stem"] + "_{}" + m["ext"], parts.query, "")), int(m["n"])
    return None


def _plain_template(url: str) -> str | None:
    """`…/index.html` -> `…/index_{}.html` (page 0), for matching TRS pagers."""
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/"):
        path += "index.html"
    m = _PATH_PLAIN.match(path)
    if not m:
        return None
    return urlunsplit((parts.scheme, parts.netloc, m["stem"] + "_{}" + m["ext"], parts.query, ""))


def _without_page_param(template: str) -> str:
    """The URL of a query template's first page when that page has no page parameter."""
    parts = urlsplit(template)
    kept = [p for p in parts.query.split("&") if p and not p.endswith("={}")]
    return fetch_url(urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), "")))


def fill(template: str, n: int) -> str:
    return template.replace("{}", str(n), 1)


@dataclass
class Pager:
    """Where the other pages of a list are. `pages` maps page number -> URL."""

    template: str | None = None
    current: int = 0
    total: int | None = None          # number of pages, when the pager says
    pages: dict[int, str] = field(default_factory=dict)
    next_url: str | None = None
    family: str = ""                  # 'createPageHTML' | 'path' | 'query' | 'next-link'

    def following(self) -> list[str]:
        """URLs of the pages after the current one, in order."""
        urls = [u for n, u in sorted(self.pages.items()) if n > self.current]
        if self.next_url and self.next_url not in urls:
            urls.insert(0, self.next_url)
        return urls


def find_pager(html: HtmlInput, url: str, links: list[Link] | None = None) -> Pager:
    """The pager of a list page, whatever family wrote it."""
    tree = parse_html(html)
    if links is None:
        links = page_links(html, url) if tree is not None else []
    pager = Pager()
    if tree is None:
        return pager
    # 1. TRS script pager: total pages known, URLs computed.
    for script in tree.iter("script"):
        args = create_page_args(script.text or "")
        if args:
            total, cur, prefix, ext = args
            base = urljoin(url, f"{prefix}.{ext}")
            pager.family, pager.total, pager.current = "createPageHTML", total, cur
            pager.template = urljoin(url, f"{prefix}_{{}}.{ext}")
            for n in range(total):
                pager.pages[n] = base if n == 0 else fill(pager.template, n)
            return pager
    # 2. Links that share this URL's page template (index_N.html, ?page=N, /page/N).
    here = page_template(url)
    candidates: dict[str, list[tuple[int, str]]] = {}
    for ln in links:
        t = page_template(ln.url)
        if t:
            candidates.setdefault(t[0], []).append((t[1], ln.url))
    template, current = (here if here else (None, 0))
    if template is None:
        plain = _plain_template(url)
        if plain and plain in candidates:
            template, current = plain, 0
        else:
            # a query pager whose first page carries no parameter: list -> list?page=2
            here_url = fetch_url(url)
            for t in candidates:
                if "?" in t and _without_page_param(t) == here_url:
                    template, current = t, 1
                    break
    if template and template in candidates:
        pager.template, pager.current = template, current
        pager.family = "query" if "?" in template else "path"
        for n, u in candidates[template]:
            pager.pages[n] = u
    # 3. An explicit 下一页 link.
    for ln in links:
        if _NEXT_TEXT.match(ln.text) or _NEXT_TEXT.match(ln.title):
            if fetch_url(ln.url) != fetch_url(url):
                pager.next_url = ln.url
                pager.family = pager.family or "next-link"
                break
    return pager


