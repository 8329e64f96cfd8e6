"""Home pages that send the visitor on by script or `<meta http-equiv="refresh">`.

Many portals answer `/` with a near-empty page whose only job is to move the browser to
the real home page (`/portal/`, `index.shtml`, a new domain): `window.location.href = …`,
`location.replace(…)`, `top.location = …`, or a meta refresh. A crawler that reads only
links sees nothing there. Only a page that is little else than that (few links, little
text) counts: a real page's scripts assign `location` in click handlers all the time.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from .html import HtmlInput, clean_text, parse_html

_ASSIGN = re.compile(
    r"""(?:\b(?:window|top|self|document|parent)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*(['"])(.+?)\1""")
_CALL = re.compile(r"""\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(['"])(.+?)\1\s*\)""")
_REFRESH = re.compile(r"""^\s*\d+(?:\.\d+)?\s*[;,]\s*(?:url\s*=\s*)?['"]?([^'"]+)""", re.I)
STUB_TEXT_MAX = 200          # visible characters of a page that only redirects
STUB_LINKS_MAX = 3


def script_redirect(html: HtmlInput, url: str) -> str | None:
    """Where a redirecting stub page sends the visitor (absolute URL), or None."""
    tree = parse_html(html)
    if tree is None:
        return None
    body = tree.find("body")
    text = clean_text(body.text_content()) if body is not None else ""
    scripts = [s.text or "" for s in tree.iter("script")]
    for s in scripts:
        text = text.replace(clean_text(s), "")
    if len(text) > STUB_TEXT_MAX or len(tree.xpath("//a[@href]")) > STUB_LINKS_MAX:
        return None
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh":
            m = _REFRESH.match(meta.get("content") or "")
            if m:
                return urljoin(url, m.group(1).strip())
    for s in scripts:
        for pat in (_CALL, _ASSIGN):
            m = pat.search(s)
            if m and not m.group(2).lower().startswith(("javascript:", "#")):
                return urljoin(url, m.group(2).strip())
    return None
