"""Find the links a government list page really has, including the ones no parser sees.

Portal CMSs hide their lists from a plain HTML parser in a few well-known ways:
- TRS writes its pager with `createPageHTML(total, current, "index", "html")` in a script;
- Hanweb puts the first records of a column inside `<script type="text/xml"><datastore>`
  as CDATA HTML and loads the rest from `/module/web/jpage/dataproxy.jsp`;
- other lists page with `index_N.html`, `?page=N` (and its cousins) or a 下一页 link;
- single-page apps fetch JSON lists by XHR (see `json_links` / `json_next_pages`).
These functions are pure (text in, URLs out), so each family is unit-tested on HTML.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from nianbao.archive.urls import fetch_url

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "vbscript:")
_WS = re.compile(r"\s+")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_SCRIPT_URL = re.compile(r"""(?:window\.open|location(?:\.href)?\s*=|window\.location\s*=)\s*\(?\s*['"]([^'"]+)['"]""")


@dataclass
class Link:
    """One link as found on a page: where it goes and what it said."""

    url: str                 # absolute, tracking parameters and plain fragments removed
    text: str = ""           # anchor text, whitespace collapsed
    title: str = ""          # the title attribute (lists often truncate the text, not this)
    source: str = "a"        # 'a' | 'datastore' | 'iframe' | 'script' | 'json' | 'pager'

    @property
    def label(self) -> str:
        """The most complete human label: a truncated text yields to the title attribute."""
        t, ti = self.text, self.title
        if ti and (not t or len(ti) > len(t) or t.endswith(("...", "…", ".."))):
            return ti
        return t


def clean_text(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


_END_TAGS = re.compile(rb"</(?:html|body)\s*>", re.I)


# Page HTML, or the tree parse_html made of it (None: nothing to parse).
HtmlInput = str | bytes | lxml.html.HtmlElement | None


def parse_html(html: HtmlInput):
    """An lxml tree for `html`, tolerant of XML declarations, empty input and stray
    `</html>` (server-side includes leave one after the header; libxml2 would drop
    everything after it). A tree (or None) from an earlier call is passed through, so the
    spider parses a page once for its titles, links and pager."""
    if html is None or isinstance(html, lxml.html.HtmlElement):
        return html
    if isinstance(html, str):
        html = html.encode("utf-8", "surrogatepass")
        parser = lxml.html.HTMLParser(encoding="utf-8")
    else:
        parser = lxml.html.HTMLParser()
    if not html.strip():
        return None
    html = _END_TAGS.sub(b"", html)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _base_url(tree, url: str) -> str:
    base = tree.xpath("//base/@href")
    return urljoin(url, base[0].strip()) if base else url


def _absolute(base: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        absu = urljoin(base, href)
    except ValueError:
        return None
    if not absu.lower().startswith(("http://", "https://")):
        return None
    return fetch_url(absu)


def _anchors(tree, base: str, source: str) -> list[Link]:
    out = []
    for a in tree.iter("a", "area"):
        url = _absolute(base, a.get("href"))
        if url is None:
            # <a onclick="window.open('/x.html')">
            m = _SCRIPT_URL.search(a.get("onclick") or a.get("href") or "")
            url = _absolute(base, m.group(1)) if m else None
        if url is None:
            continue
        text = clean_text(a.text_content()) if a.tag == "a" else clean_text(a.get("alt"))
        out.append(Link(url, text, clean_text(a.get("title")), source))
    return out


def datastore_fragments(tree) -> list[str]:
    """HTML fragments inside Hanweb `<script type="text/xml">` datastores (CDATA records)."""
    frags = []
    for script in tree.iter("script"):
        typ = (script.get("type") or "").lower()
        body = script.text or ""
        if "xml" in typ or "<datastore" in body[:2000].lower() or "<record" in body[:2000].lower():
            frags.extend(m.group(1) for m in _CDATA.finditer(body))
    return frags


def page_links(html: HtmlInput, url: str) -> list[Link]:
    """Every followable link of a page: anchors, datastore records, iframes.

    The same URL may appear several times (menu and list); callers dedupe by URL keeping
    the most informative label.
    """
    tree = parse_html(html)
    if tree is None:
        return []
    base = _base_url(tree, url)
    links = _anchors(tree, base, "a")
    for frag in datastore_fragments(tree):
        sub = parse_html("<html><body>" + frag + "</body></html>")
        if sub is not None:
            links.extend(_anchors(sub, base, "datastore"))
    for fr in tree.iter("iframe", "frame"):
        u = _absolute(base, fr.get("src"))
        if u:
            links.append(Link(u, clean_text(fr.get("title")), "", "iframe"))
    return links


def dedupe_links(links: list[Link]) -> list[Link]:
    """One Link per URL, keeping the longest label seen for it (first position kept)."""
    best: dict[str, Link] = {}
    for ln in links:
        cur = best.get(ln.url)
        if cur is None or len(ln.label) > len(cur.label):
            if cur is not None:
                ln = Link(ln.url, ln.text, ln.title, cur.source if cur.source == "datastore" else ln.source)
            best[ln.url] = ln
    return list(best.values())


def page_titles(html: HtmlInput) -> list[str]:
    """`<title>` and the first h1/h2 text: what a page says it is."""
    tree = parse_html(html)
    if tree is None:
        return []
    out = [clean_text(t.text_content()) for t in tree.iter("title")][:1]
    for tag in ("h1", "h2"):
        hs = [h for h in (clean_text(e.text_content()) for e in tree.iter(tag)) if h]
        if hs:
            out.append(hs[0])
            break
    return [t for t in out if t]


# --- list paging -------------------------------------------------------------------------

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


def _fill(template: str, n: int) -> str:
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


_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)", re.I)
_JS_VAR = re.compile(r"\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*['\"]?(\d+)['\"]?\s*[;,\n]")


def _create_page_args(script: str) -> tuple[int, int, str, str] | None:
    """(total pages, current page, prefix, extension) from a createPageHTML(...) call.

    Both the classic `createPageHTML(10, 0, "index", "html")` and the newer
    `createPageHTML('page_div', 10, 0, 'index', 'html', 180)`; arguments given as
    variables are looked up in the same script (`var countPage = 10`).
    """
    m = _CREATE_PAGE.search(script)
    if not m:
        return None
    vars_ = {k: int(v) for k, v in _JS_VAR.findall(script)}
    args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
    nums, strs = [], []
    for a in args:
        if a.isdigit():
            nums.append(int(a))
        elif a in vars_ and not strs:
            nums.append(vars_[a])
        elif re.fullmatch(r"[\w.\-]+", a) and len(nums) >= 2:
            strs.append(a)
    if len(nums) < 2:
        return None
    prefix = strs[0] if strs else "index"
    ext = strs[1] if len(strs) > 1 else "html"
    return nums[0], nums[1], prefix, ext


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
        args = _create_page_args(script.text or "")
        if args:
            total, cur, prefix, ext = args
            base = urljoin(url, f"{prefix}.{ext}")
            pager.family, pager.total, pager.current = "createPageHTML", total, cur
            pager.template = urljoin(url, f"{prefix}_{{}}.{ext}")
            for n in range(total):
                pager.pages[n] = base if n == 0 else _fill(pager.template, n)
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


# --- Hanweb datastore / dataproxy.jsp ------------------------------------------------------

_DATAPROXY = re.compile(r"""['"(=\s]((?:https?://[^'"\s]+)?/[^'"\s]*?dataproxy\.jsp[^'"\s]*)""", re.I)
_JS_KV = re.compile(r"""['"]?([A-Za-z_]\w*)['"]?\s*:\s*['"]?([^'",}\s]*)['"]?""")
_TOTAL = re.compile(r"""(?:totalRecord|totalrecord|total_record|totalCount)['"]?\s*[:=>]\s*['"]?(\d+)""", re.I)
_PERPAGE = re.compile(r"""perpage['"]?\s*[:=>]\s*['"]?(\d+)""", re.I)
_POST = re.compile(r"""type\s*:\s*['"]post['"]|method\s*[:=]\s*['"]post['"]""", re.I)
_DATAPROXY_KEYS = ("col", "appid", "webid", "path", "columnid", "sourcecontenttype", "unitid",
                   "webname", "permissiontype", "divid", "infotypeid", "jdid", "area")


@dataclass
class DataProxy:
    """How to ask a Hanweb column for more records."""

    endpoint: str                       # absolute dataproxy.jsp URL without paging params
    params: dict[str, str] = field(default_factory=dict)   # columnid, unitid, webid, ...
    perpage: int = 15
    total: int | None = None
    seen: int = 0                       # records already shown by the page
    post: bool = False

    def requests(self, group: int = 3, limit: int | None = None) -> list[tuple[str, dict[str, str] | None]]:
        """(url, form-or-None) for the record ranges after `seen`, `group` pages each."""
        out = []
        step = self.perpage * group
        start = self.seen + 1
        end_all = self.total if self.total is not None else self.seen + step
        while start <= end_all:
            end = start + step - 1
            paging = {"startrecord": str(start), "endrecord": str(end), "perpage": str(self.perpage)}
            if self.post:
                out.append((f"{self.endpoint}?{urlencode(paging)}", dict(self.params)))
            else:
                out.append((f"{self.endpoint}?{urlencode({**paging, **self.params})}", None))
            start = end + 1
            if limit is not None and len(out) >= limit:
                break
        return out


def find_dataproxy(html: str, url: str) -> DataProxy | None:
    """The dataproxy.jsp paging of a Hanweb column page, or None.

    Reads the endpoint and its parameters from the `<nextgroup>` link or the script that
    calls it, the page size and total from the script or the datastore, and counts the
    records the page already shows.
    """
    if "dataproxy" not in html.lower():
        return None
    m = _DATAPROXY.search(html)
    if not m:
        return None
    raw = m.group(1).replace("&amp;", "&")
    absu = urljoin(url, raw)
    parts = urlsplit(absu)
    endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    params: dict[str, str] = {}
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k.lower() not in ("startrecord", "endrecord", "perpage", "page"):
            params[k] = v
    # parameters given in a JS object near the call: {col:1, webid:2, columnid:123, ...}
    for k, v in _JS_KV.findall(html):
        if k.lower() in _DATAPROXY_KEYS and k not in params and v:
            params[k] = v
    per = _PERPAGE.search(html)
    perpage = int(per.group(1)) if per else 15
    if "perpage" in parse_qsl(parts.query) and not per:
        perpage = int(dict(parse_qsl(parts.query))["perpage"])
    tot = _TOTAL.search(html)
    seen = len(re.findall(r"<record\b", html, re.I))
    return DataProxy(endpoint=endpoint, params=params, perpage=max(perpage, 1),
                     total=int(tot.group(1)) if tot else None, seen=seen,
                     post=bool(_POST.search(html)))


def dataproxy_records(xml_text: str, url: str) -> tuple[list[Link], int | None]:
    """Links inside a dataproxy.jsp answer (`<record><![CDATA[...]]>`) and its total."""
    links: list[Link] = []
    for frag in _CDATA.findall(xml_text):
        sub = parse_html("<html><body>" + frag + "</body></html>")
        if sub is not None:
            links.extend(_anchors(sub, url, "datastore"))
    tot = _TOTAL.search(xml_text)
    return links, (int(tot.group(1)) if tot else None)


# --- JSON list APIs (what a single-page app fetches) --------------------------------------

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

    def walk(node, depth=0):
        nonlocal best
        if depth > 6:
            return
        if isinstance(node, dict):
            meta.append(_lower_keys(node))
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


def json_next_pages(api_url: str, total_pages: int | None, limit: int = 50) -> list[str]:
    """URLs of the following pages of a JSON list API, by its page parameter.

    Without a known page count only the next page is returned; the caller keeps asking
    while pages hold items.
    """
    t = page_template(api_url)
    if not t:
        return []
    template, cur = t
    if "?" not in template and "/{}" not in template:
        return []
    last = total_pages if total_pages is not None else cur + 1
    first_is_zero = cur == 0
    if first_is_zero and total_pages is not None:
        last = total_pages - 1
    return [_fill(template, n) for n in range(cur + 1, min(last, cur + limit) + 1)]


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
