"""Does a page need a browser? Loading shells, empty app roots and JavaScript challenges.

The crawler renders a page only when this says so, so it must not fire on a normal short
page (a 404 text, a one-line notice): it needs positive evidence — a loading marker, an
empty single-page-app mount point with scripts, or an anti-bot challenge script — and
little visible text besides the page furniture.
"""
from __future__ import annotations

import re

from .. import rules
from ..decode import decode_body
from .chrome import is_chrome_line
from ..memo import Recent
from .dom import WS, parse_html
from .main import find_containers
from .render import render_lines

CONTENT_ENOUGH = 200   # visible characters of real content that rule out a shell
PROSE_ENOUGH = 80      # characters of sentences (with punctuation) that rule out a shell
_SCRIPT = re.compile(r"<script\b", re.I)


_PROSE_MARK = re.compile(r"[。，；,;]")


def _visible_content(tree) -> tuple[int, int, str]:
    """Characters of non-chrome visible text, of prose among them, and all visible text."""
    body = tree.find("body")
    if body is None:
        return 0, 0, ""
    for el in list(body.iter("script", "style", "noscript", "template")):
        if el.getparent() is not None:
            el.getparent().remove(el)
    lines, _, _ = render_lines(body)
    kept = [l for l in lines if not is_chrome_line(l)]
    n = sum(len(WS.sub("", l)) for l in kept)
    prose = sum(len(WS.sub("", l)) for l in kept if len(l) >= 15 and _PROSE_MARK.search(l))
    return n, prose, "\n".join(lines)


# The crawler asks before it stores a page, the extraction of a short page asks again:
# the verdicts of the last pages are kept (pages up to MEMO_CHARS).
_RECENT: Recent[bool] = Recent(32)
MEMO_CHARS = 1 << 20


def looks_like_shell(body: bytes | str, headers: dict | None = None) -> bool:
    """True for a page whose content only a browser will see."""
    html = decode_body(body, headers)[0] if isinstance(body, (bytes, bytearray)) else body
    if not html or not html.strip():
        return False
    if len(html) > MEMO_CHARS:
        return _looks_like_shell(html)
    return _RECENT.get(html, lambda: _looks_like_shell(html))


def _looks_like_shell(html: str) -> bool:
    tree = parse_html(html)
    found = find_containers(tree)
    if found and found[0] != "article":
        held = sum(len(WS.sub("", e.text_content())) for e in found[1])
        if held >= CONTENT_ENOUGH or held and not any(m in e.text_content() for e in found[1]
                                                      for m in rules.LOADING_MARKERS):
            return False   # the article container already holds its (possibly short) text
    n, prose, all_text = _visible_content(tree)
    scripts = len(_SCRIPT.findall(html))
    if any(m in all_text for m in rules.LOADING_MARKERS):
        return prose < PROSE_ENOUGH
    if n >= CONTENT_ENOUGH or prose >= PROSE_ENOUGH:
        return False
    if scripts and any(p.search(html) for p in rules.COMPILED_CHALLENGE):
        return True
    if scripts:
        for root_id in rules.APP_ROOT_IDS:
            el = tree.find(f".//*[@id='{root_id}']")
            if el is not None and len(WS.sub("", el.text_content())) < 50:
                return True
        if n < 5 and re.search(r"<script[^>]+src=", html, re.I):
            return True
    return False
