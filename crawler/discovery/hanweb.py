"""Hanweb columns: the first records of a column sit in `<script type="text/xml"><datastore>`
as CDATA HTML (an HTML parser sees zero links), the rest come from
`/module/web/jpage/dataproxy.jsp` (`startrecord`, `endrecord`, `perpage`, `columnid`…)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .html import Link, anchors, parse_html

CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)


def datastore_fragments(tree) -> list[str]:
    """HTML fragments inside Hanweb `<script type="text/xml">` datastores (CDATA records)."""
    frags = []
    for script in tree.iter("script"):
        typ = (script.get("type") or "").lower()
        body = script.text or ""
        if "xml" in typ or "<datastore" in body[:2000].lower() or "<record" in body[:2000].lower():
            frags.extend(m.group(1) for m in CDATA.finditer(body))
    return frags


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
    for frag in CDATA.findall(xml_text):
        sub = parse_html("<html><body>" + frag + "</body></html>")
        if sub is not None:
            links.extend(anchors(sub, url, "datastore"))
    tot = _TOTAL.search(xml_text)
    return links, (int(tot.group(1)) if tot else None)


