"""Main text of a government HTML page: one paragraph or table row a line, no chrome.

Known CMS content containers (see `rules.CONTENT_SELECTORS`) are read directly; other
pages go through trafilatura, whose output is then located back in the page so that
tables keep their cells and spans. Page furniture is removed twice: as elements
(`rules.CHROME_SELECTORS`, info tables) and as short lines (`rules.CHROME_LINE_PATTERNS`).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from lxml import etree

from .. import rules
from .chrome import clean_lines, is_chrome_line, remove_chrome
from .dom import WS, SelectorSet, norm_inline, text_len
from ..published import PublishedTable
from .render import BLOCK_TAGS, DOC_LINK, render_lines

CONTENT = SelectorSet(rules.CONTENT_SELECTORS)
MIN_CONTAINER_TEXT = 20


@dataclass
class MainText:
    """Result of reading a page: clean lines, the tables met on the way, how it was found."""

    lines: list[str] = field(default_factory=list)
    grids: list[list[list[str]]] = field(default_factory=list)
    method: str = ""                     # 'container:<selector>' | 'trafilatura+dom' | 'trafilatura' | 'empty'
    tables: list[PublishedTable] = field(default_factory=list)   # the grids' tables as published

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def find_containers(tree) -> tuple[str, list] | None:
    """Outermost matches of the most specific known container selector that holds the
    article: the first (in `rules.CONTENT_SELECTORS` order) whose text is at least half of
    what any known container holds, so a stray small match (an excerpt in a sidebar) never
    wins over the real body."""
    weak = None
    found = CONTENT.find(tree)
    cands = []
    for i, sel in enumerate(CONTENT.selectors):
        els = found.get(i)
        if not els:
            continue
        ids = set(map(id, els))
        outer = [e for e in els if not any(id(a) in ids for a in e.iterancestors())]
        sizes = [text_len(e) for e in outer]
        if sum(sizes) >= MIN_CONTAINER_TEXT:
            group = _fragments_of(outer, sizes)
            cands.append((sel, group, sum(text_len(e) for e in group)))
        elif weak is None and (any(DOC_LINK.search(e.get("href") or "") for o in outer for e in o.iter("a"))
                               or any(True for o in outer for _ in o.iter("img"))):
            weak = (sel, outer)   # a short pointer page (the report is the linked attachment) or 图片版
    if cands:
        most = max(n for _, _, n in cands)
        for sel, group, n in cands:
            if n >= 0.5 * most:
                return sel, group
    return weak


def _fragments_of(outer: list, sizes: list[int]) -> list:
    """The group of nearby matches holding the most text (a body split into sibling
    fragments); a match in a distant part of the page (a sidebar excerpt) is left out."""
    if len(outer) == 1:
        return outer
    ancestors = [list(e.iterancestors())[:3] for e in outer]   # kept alive: proxies compared by identity

    def cluster(i: int) -> list[int]:
        return [j for j in range(len(outer))
                if j == i or any(a is n for a in ancestors[j] for n in ancestors[i])]

    best = max((cluster(i) for i in range(len(outer))), key=lambda c: sum(sizes[j] for j in c))
    return [outer[j] for j in best]


def _trafilatura_text(tree) -> str:
    """trafilatura's main text, without its fallback algorithms (`fast`): justext judges a
    paragraph by its share of stop words among space-separated words, which Chinese text
    does not have, so the fallback never won on our pages (no output changed on 836 pages:
    the fixtures and the sample portals) and cost half of trafilatura's time."""
    import trafilatura
    try:
        return trafilatura.extract(tree, include_tables=True, include_comments=False,
                                   favor_recall=True, fast=True) or ""
    except Exception:  # trafilatura raises on odd trees; the page then simply has no text
        return ""


def _anchor_pieces(traf_lines: list[str]) -> list[str]:
    """trafilatura's content pieces worth anchoring on: paragraphs, and long table cells
    (a table-layout page comes back as one big table)."""
    pieces = []
    for l in traf_lines:
        if "\t" in l:
            pieces += [c for c in l.split("\t") if len(WS.sub("", c)) >= 30]
        elif not is_chrome_line(l):
            pieces.append(l)
    return [p for p in (WS.sub("", x) for x in pieces) if len(p) >= 8]


def _locate(tree, traf_lines: list[str], title: str = ""):
    """The smallest element holding trafilatura's first and last content pieces."""
    content = _anchor_pieces(traf_lines)
    if title:
        tkey = WS.sub("", title)
        content = [c for c in content if c != tkey]
    if not content:
        return None
    first, last = content[0][:12], content[-1][-12:]
    starts: list[int] = []
    owners: list = []
    buf: list[str] = []
    pos = 0
    for ev, el in etree.iterwalk(tree, events=("start", "end")):
        if not isinstance(el.tag, str):
            if ev == "end" and el.tail:
                piece = WS.sub("", el.tail)
                if piece:
                    starts.append(pos); owners.append(el.getparent()); buf.append(piece); pos += len(piece)
            continue
        piece = WS.sub("", (el.text if ev == "start" else el.tail) or "")
        if piece:
            starts.append(pos)
            owners.append(el if ev == "start" else el.getparent())
            buf.append(piece)
            pos += len(piece)
    flat = "".join(buf)
    i = flat.find(first)
    j = flat.rfind(last)
    if i < 0 or j < 0 or j + len(last) <= i:
        return None
    a = owners[bisect.bisect_right(starts, i) - 1]
    b = owners[bisect.bisect_right(starts, j + len(last) - 1) - 1]
    if a is None or b is None:
        return None
    anc_a = [a] + list(a.iterancestors())
    anc_b_list = [b] + list(b.iterancestors())   # kept alive while ids are compared
    anc_b = set(map(id, anc_b_list))
    for el in anc_a:
        if id(el) in anc_b:
            return el
    return None


def densest_block(body):
    """The block whose own prose is largest (link text and short snippets not counted),
    with a share of each block's prose credited to its parent: finds the content cell of
    a table-layout page or the content div of an unknown template."""
    own: dict = {}
    elements: dict = {}
    for ev, el in etree.iterwalk(body, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        text = el.text if ev == "start" else el.tail
        owner = el if ev == "start" else el.getparent()
        if not text or owner is None:
            continue
        n = len(WS.sub("", text))
        if n < 10:
            continue
        in_link = owner.tag == "a" or any(a.tag == "a" for a in owner.iterancestors())
        if in_link:
            continue
        blk = owner
        while blk is not None and blk is not body and (not isinstance(blk.tag, str) or blk.tag not in BLOCK_TAGS
                                                        or blk.tag in ("br", "p", "span", "font")):
            blk = blk.getparent()
        if blk is None:
            blk = body
        own[id(blk)] = own.get(id(blk), 0) + n
        elements[id(blk)] = blk
    score: dict = {}
    for key, n in own.items():
        el = elements[key]
        score[key] = score.get(key, 0) + n
        parent = el.getparent()
        if parent is not None and parent is not body.getparent():
            score[id(parent)] = score.get(id(parent), 0) + n / 2
            elements[id(parent)] = parent
    if not score:
        return None
    best = max(score, key=score.get)
    return elements[best] if score[best] >= 60 else None


def _traf_lines(text: str) -> list[str]:
    """trafilatura's text, with its `| a | b |` table rows turned into tab-separated rows."""
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("|") and s.endswith("|"):
            cells = [norm_inline(c) for c in s.strip("|").split("|")]
            row = "\t".join(cells).rstrip("\t")
            if row.strip():
                lines.append(row)
        else:
            s = norm_inline(s)
            if s:
                lines.append(s)
    return lines


def extract_main(tree, title: str = "") -> MainText:
    """Main text of a parsed page. Mutates `tree` (furniture removed)."""
    body = tree.find("body")
    if body is None:
        body = tree
    found = find_containers(tree)
    if found:
        sel, containers = found
        lines: list[str] = []
        grids: list = []
        tables: list = []
        for c in containers:
            remove_chrome(c, local=True)
            l, g, t = render_lines(c)
            lines += l
            grids += g
            tables += t
        return MainText(clean_lines(lines, title), grids, f"container:{sel}", tables)
    remove_chrome(tree, local=False)
    traf = _trafilatura_text(tree)
    tlines = _traf_lines(traf)
    if not tlines:
        lines, grids, tables = render_lines(body)
        lines = clean_lines(lines, title)
        return MainText(lines, grids, "dom" if lines else "empty", tables)
    el = _locate(tree, tlines, title)
    content_len = sum(len(p) for p in _anchor_pieces(tlines))
    if el is not None:
        lines, grids, tables = render_lines(el, drop_link_lines=True)
        lines = clean_lines(lines, title)
        olen = sum(len(WS.sub("", l)) for l in lines)
        tlen = sum(len(WS.sub("", l)) for l in tlines)
        if 0.8 * content_len <= olen <= 2.5 * tlen + 200:
            return MainText(lines, grids, "trafilatura+dom", tables)
    el = densest_block(body)
    if el is not None:
        lines, grids, tables = render_lines(el, drop_link_lines=True)
        lines = clean_lines(lines, title)
        if sum(len(WS.sub("", l)) for l in lines) >= 0.8 * content_len:
            return MainText(lines, grids, "dense-block", tables)
    return MainText(clean_lines(tlines, title), [], "trafilatura")
