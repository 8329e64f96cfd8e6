"""List APIs answered only to POST, as some provincial platforms' report columns load
their items: the page's script posts a form (or a JSON body) with the column id and a
page number to a JSON endpoint (`$.ajax({url: …, type: "POST", data: {columnId: 12,
pageNo: 1}})`, `$.post(…)`, `fetch(…, {method: "POST", body: JSON.stringify({…})})`).
No HTML parser sees those items; here the call is read from the script and replayed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .html import HtmlInput, parse_html

PAGE_KEYS = ("pageno", "pagenum", "pageindex", "page", "currentpage", "curpage", "current", "pagenumber")
_AJAX = re.compile(r"""\$\s*\.\s*ajax\s*\(\s*\{(?P<opts>.*?)\}\s*\)""", re.S)
_POST = re.compile(r"""\$\s*\.\s*post\s*\(\s*(['"])(?P<url>[^'"]+)\1\s*,\s*\{(?P<data>[^{}]*)\}""", re.S)
_FETCH = re.compile(r"""\bfetch\s*\(\s*(['"])(?P<url>[^'"]+)\1\s*,\s*\{(?P<opts>.{0,600})""", re.S)
_URL = re.compile(r"""\burl\s*:\s*(['"])(?P<url>[^'"]+)\1""")
_METHOD = re.compile(r"""\b(?:type|method)\s*:\s*(['"])post\1""", re.I)
_DATA = re.compile(r"""\b(?:data|body)\s*:\s*(?:JSON\s*\.\s*stringify\s*\(\s*)?\{(?P<data>[^{}]*)\}""", re.S)
_JSON_BODY = re.compile(r"""\b(?:contentType\s*:\s*['"]application/json|JSON\s*\.\s*stringify)""", re.I)
_PAIR = re.compile(r"""['"]?([A-Za-z_$][\w$]*)['"]?\s*:\s*(?:(['"])(.*?)\2|(-?\d+(?:\.\d+)?)|([A-Za-z_$][\w$.]*))""")


@dataclass
class PostList:
    """How to ask a POST list API for one page of its items."""

    url: str                                  # absolute endpoint
    form: dict[str, str] = field(default_factory=dict)
    page_key: str | None = None               # the field that numbers the pages
    first_page: int = 1
    json_body: bool = False

    def page(self, n: int) -> dict[str, str]:
        """The body fields of page `n` (the first page is `first_page`)."""
        form = dict(self.form)
        if self.page_key:
            form[self.page_key] = str(n)
        return form

    def body(self, n: int) -> bytes:
        form = self.page(n)
        if self.json_body:
            return json.dumps({k: (int(v) if v.lstrip("-").isdigit() else v) for k, v in form.items()},
                              ensure_ascii=False).encode("utf-8")
        from urllib.parse import urlencode
        return urlencode(form).encode("ascii")

    @property
    def content_type(self) -> str:
        return "application/json;charset=UTF-8" if self.json_body else "application/x-www-form-urlencoded"


def _fields(data: str) -> tuple[dict[str, str], str | None, int]:
    form: dict[str, str] = {}
    page_key, first = None, 1
    for key, _, sval, num, ident in _PAIR.findall(data):
        if key.lower() in PAGE_KEYS:
            page_key = key
            if num and num.isdigit():
                first = int(num)
            elif sval.isdigit():
                first = int(sval)
            continue
        if sval or num:
            form[key] = sval if sval else num
        # a variable (other than the page number) cannot be replayed: leave it out
    return form, page_key, first


def find_post_lists(html: HtmlInput, url: str) -> list[PostList]:
    """The POST list calls the page's inline scripts make."""
    tree = parse_html(html)
    if tree is None:
        return []
    out: list[PostList] = []
    for script in tree.iter("script"):
        text = script.text or ""
        if "post" not in text.lower():
            continue
        for m in _AJAX.finditer(text):
            opts = m.group("opts")
            um, dm = _URL.search(opts), _DATA.search(opts)
            if um and dm and _METHOD.search(opts):
                form, key, first = _fields(dm.group("data"))
                out.append(PostList(urljoin(url, um.group("url")), form, key, first,
                                    bool(_JSON_BODY.search(opts))))
        for m in _POST.finditer(text):
            form, key, first = _fields(m.group("data"))
            out.append(PostList(urljoin(url, m.group("url")), form, key, first))
        for m in _FETCH.finditer(text):
            opts = m.group("opts")
            dm = _DATA.search(opts)
            if dm and _METHOD.search(opts):
                form, key, first = _fields(dm.group("data"))
                out.append(PostList(urljoin(url, m.group("url")), form, key, first, bool(_JSON_BODY.search(opts))))
    unique: dict[tuple, PostList] = {}
    for pl in out:
        unique.setdefault((pl.url, tuple(sorted(pl.form.items())), pl.page_key), pl)
    return list(unique.values())
