"""A page as the crawler reads it for links: a tolerant lxml parse (stray `</html>` and
XML declarations survive), and every anchor as a `Link` with its best label."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from nianbao.archive.urls import fetch_url

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "vbscript:")
_WS = re.compile(r"\s+")
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


def base_url(tree, url: str) -> str:
    base = tree.xpath("//base/@href")
    return urljoin(url, base[0].strip()) if base else url


def absolute(base: str, href: str | None) -> str | None:
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


def anchors(tree, base: str, source: str) -> list[Link]:
    out = []
    for a in tree.iter("a", "area"):
        url = absolute(base, a.get("href"))
        if url is None:
            # <a onclick="window.open('/x.html')">
            m = _SCRIPT_URL.search(a.get("onclick") or a.get("href") or "")
            url = absolute(base, m.group(1)) if m else None
        if url is None:
            continue
        text = clean_text(a.text_content()) if a.tag == "a" else clean_text(a.get("alt"))
        out.append(Link(url, text, clean_text(a.get("title")), source))
    return out


