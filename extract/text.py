"""Main text of a government HTML page: one paragraph or table row a line, no chrome.

Known CMS content containers (see `rules.CONTENT_SELECTORS`) are read directly; other
pages go through trafilatura, whose output is then located back in the page so that
tables keep their cells and spans. Page furniture is removed twice: as elements
(`rules.CHROME_SELECTORS`, info tables) and as short lines (`rules.CHROME_LINE_PATTERNS`).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html

from . import rules
from .grid import table_rows, table_to_grid
from .script import converter

BLOCK_TAGS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table tbody thead tfoot section article "
    "header footer blockquote pre center form hr figure figcaption caption address main nav "
    "aside fieldset legend details summary td th".split()
)
_STRAY_END = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_WS = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
MIN_CONTAINER_TEXT = 20


class SelectorSet:
    """Simple selectors matched in one pass over a tree (much faster than one XPath each)."""

    def __init__(self, selectors: list[str]):
        self.selectors = list(selectors)
        self.by_tag: dict[str, list[int]] = {}
        self.by_id: dict[str, list[int]] = {}
        self.by_class: dict[str, list[int]] = {}
        self.constraint: list[str | None] = []
        for i, sel in enumerate(self.selectors):
            m = re.fullmatch(r"([a-zA-Z][\w-]*)?(?:([.#])([\w:-]+))?", sel.strip())
            if not m:
                raise ValueError(f"unsupported selector {sel!r}")
            tag, kind, name = m.group(1), m.group(2), m.group(3)
            self.constraint.append(tag.lower() if tag and kind else None)
            if kind == "#":
                self.by_id.setdefault(name, []).append(i)
            elif kind == ".":
                self.by_class.setdefault(name, []).append(i)
            else:
                self.by_tag.setdefault(tag.lower(), []).append(i)

    def match(self, el) -> list[int]:
        tag = el.tag
        if not isinstance(tag, str):
            return []
        hits = list(self.by_tag.get(tag.lower(), ()))
        i = el.get("id")
        if i and i in self.by_id:
            hits += self.by_id[i]
        c = el.get("class")
        if c:
            for tok in c.split():
                if tok in self.by_class:
                    hits += self.by_class[tok]
        if hits and any(self.constraint[h] for h in hits):
            hits = [h for h in hits if not self.constraint[h] or self.constraint[h] == tag.lower()]
        return hits

    def find(self, root, include_root: bool = True) -> dict[int, list]:
        """Matches by selector index, in document order."""
        out: dict[int, list] = {}
        for el in root.iter():
            if el is root and not include_root:
                continue
            for h in self.match(el):
                out.setdefault(h, []).append(el)
        return out

    def matches_any(self, root, include_root: bool = False) -> list:
        return [el for el in root.iter() if (include_root or el is not root) and self.match(el)]


CONTENT = SelectorSet(rules.CONTENT_SELECTORS)
CHROME = SelectorSet(rules.CHROME_SELECTORS)
_INFO_LABEL_RES = [re.compile(p) for p in rules.INFO_LABELS.values()]
_INFO_PRIMARY = re.compile("|".join(rules.INFO_LABELS[k] for k in ("index_no", "publisher", "topic")))


@dataclass
class MainText:
    """Result of reading a page: clean lines, the tables met on the way, how it was found."""

    lines: list[str] = field(default_factory=list)
    grids: list[list[list[str]]] = field(default_factory=list)
    method: str = ""                     # 'container:<selector>' | 'trafilatura+dom' | 'trafilatura' | 'empty'

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def repair_markup(html: str) -> str:
    """Drop `</body>`/`</html>` tags: a header include that closes the document mid-page
    makes parsers discard everything after it; parsers do not need the real ones either."""
    html = _XML_DECL.sub("", html, count=1)
    return _STRAY_END.sub("", html)


_INLINE_TAGS = re.compile(r"</?(?:font|span|b|i|u|em|strong|small|big|sup|sub|o:p|st1:[\w]+)(?:\s[^>]*)?/?>", re.I)


def parse_html(html: str):
    """lxml document for (repaired) HTML; an empty `<html>` for input with no markup.

    Word-pasted bodies can nest thousands of unclosed <font>/<span> tags; past libxml2's
    depth limit the rest of the page is dropped, so such a page is parsed again without
    its inline formatting tags (they carry no text structure)."""
    html = repair_markup(html)
    if not html.strip():
        return lxml_html.document_fromstring("<html><body></body></html>")
    parser = lxml_html.HTMLParser()
    try:
        tree = lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml_html.document_fromstring("<html><body></body></html>")
    if any("Excessive depth" in e.message for e in parser.error_log):
        try:
            tree = lxml_html.document_fromstring(_INLINE_TAGS.sub("", html), parser=lxml_html.HTMLParser(huge_tree=True))
        except (etree.ParserError, ValueError):
            pass
    return tree


def norm_inline(s: str) -> str:
    """Collapse whitespace; drop spaces between CJK characters (source line wraps)."""
    s = _WS.sub(" ", s).strip()
    return _CJK_GAP.sub("", s) if " " in s else s


def _cell_line_text(cell) -> str:
    """A table cell as written in a text line: inline-normalised, no tab inside."""
    return norm_inline(cell.text_content()).replace("\t", " ")


def _own_table_rows(table) -> list:
    rows = []
    for tr in table.iter("tr"):
        el = tr.getparent()
        while el is not None and el.tag != "table":
            el = el.getparent()
        if el is table:
            rows.append(tr)
    return rows


def is_data_table(table) -> bool:
    """A table of figures (read as a grid) rather than a layout table (read as blocks)."""
    if table.find(".//table") is not None:
        return False
    rows = _own_table_rows(table)
    if not rows:
        return False
    cells = [c for tr in rows for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
    if len(cells) <= 1:
        return False
    for c in cells:
        n = len(_WS.sub("", c.text_content()))
        if n > 200:
            return False   # prose, not a figure or a label
        if n > 60 and len(c.findall(".//p")) + len(c.findall(".//div")) + len(c.findall(".//br")) > 2:
            return False
    return True


class _Renderer:
    """Walks an element tree and writes lines: blocks break lines, tables become rows.

    Also notes, per line, the share of its characters that are link text (navigation
    rows are nearly all links; prose almost none)."""

    def __init__(self):
        self.lines: list[str] = []
        self.link_share: list[float] = []
        self.grids: list[list[list[str]]] = []
        self._cur: list[str] = []
        self._link_chars = 0
        self._in_link = 0

    def _add(self, text: str):
        self._cur.append(text)
        if self._in_link:
            self._link_chars += len(_WS.sub("", text))

    def _emit(self, line: str, link_share: float = 0.0):
        self.lines.append(line)
        self.link_share.append(link_share)

    def _flush(self):
        if self._cur:
            raw = "".join(self._cur)
            line = norm_inline(raw)
            n = len(_WS.sub("", raw))
            links, self._link_chars, self._cur = self._link_chars, 0, []
            if line:
                self._emit(line, links / n if n else 0.0)

    def _table(self, table):
        grid = table_to_grid(table)
        grid = [[norm_inline(c).replace("\t", " ") for c in row] for row in grid]
        grid = [row for row in grid if any(row)]
        if not grid:
            return
        self.grids.append(grid)
        mode = rules.TEXT_TABLE_CELLS
        if mode == "expanded":
            for row in grid:
                self._emit("\t".join(row))
            return
        if mode == "rows":
            for cells in table_rows(table, _cell_line_text):
                self._emit("\t".join(cells))
            return
        for tr in _own_table_rows(table):
            cells = [_cell_line_text(c) for c in tr
                     if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            if any(cells):
                self._emit("\t".join(cells))

    def render(self, root):
        walker = etree.iterwalk(root, events=("start", "end"))
        for ev, el in walker:
            tag = el.tag if isinstance(el.tag, str) else None
            if ev == "start":
                if tag is None:
                    continue
                tag = tag.lower()
                if tag in BLOCK_TAGS:
                    self._flush()
                if tag == "table" and is_data_table(el):
                    self._table(el)
                    walker.skip_subtree()
                    continue
                if tag == "a":
                    self._in_link += 1
                if el.text and tag not in ("script", "style"):
                    self._add(el.text)
            else:
                if tag is not None:
                    tag = tag.lower()
                    if tag in BLOCK_TAGS:
                        self._flush()
                    elif tag == "a" and self._in_link:
                        self._in_link -= 1
                if el is not root and el.tail:
                    self._add(el.tail)
        self._flush()
        return self


def render_lines(el, drop_link_lines: bool = False) -> tuple[list[str], list[list[list[str]]]]:
    """Lines and grids of an element; `drop_link_lines` leaves out navigation-like lines
    (mostly link text, no sentence punctuation, not a document link)."""
    r = _Renderer().render(el)
    if not drop_link_lines:
        return r.lines, r.grids
    lines = [l for l, share in zip(r.lines, r.link_share)
             if share < 0.6 or _DOC_LINK.search(l) or any(p in l for p in "。；")]
    return lines, r.grids


_DOC_LINK = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd)\b|附件", re.I)


def _text_len(el) -> int:
    return len(_WS.sub("", el.text_content()))


def is_info_block(el) -> bool:
    """The 信息公开目录 box (索引号 / 发布机构 / 主题分类 …) around an article."""
    text = el.text_content()
    if len(text) > 600:
        return False
    if not _INFO_PRIMARY.search(text):
        return False
    return sum(1 for r in _INFO_LABEL_RES if r.search(text)) >= rules.INFO_MIN_LABELS


def remove_chrome(root, local: bool) -> None:
    """Remove furniture elements under `root` (`local`: only descendants of root)."""
    for el in CHROME.matches_any(root):
        if el is root or el.getparent() is None:
            continue
        # Never drop a large block of prose because of a generic class name.
        if el.tag not in ("script", "style", "noscript", "template") and _text_len(el) > 1500:
            continue
        _drop(el)
    for el in _info_blocks(root):
        if el is not root and el.getparent() is not None:
            _drop(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el is root or el.getparent() is None:
            continue
        style = el.get("style")
        if style and _HIDDEN.search(style):
            _drop(el)
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        if el.getparent() is not None:
            _drop(el)


_INFO_HINT_XP = etree.XPath(
    ".//text()[contains(., '索引号') or contains(., '发布机构') or contains(., '主题分类')"
    " or contains(., '发文机关') or contains(., '成文日期') or contains(., '文号')]")


def _info_blocks(root) -> list:
    """Outermost table/ul/dl/div around info labels that is still a small info box."""
    blocks = []
    seen = set()
    for t in _INFO_HINT_XP(root):
        el = t.getparent()
        best = None
        for _ in range(6):
            if el is None or el is root:
                break
            if el.tag in ("table", "ul", "dl", "div", "tbody") and is_info_block(el) and not _holds_prose(el):
                best = el
            el = el.getparent()
        if best is not None and id(best) not in seen:
            seen.add(id(best))
            blocks.append(best)
    return blocks


def _holds_prose(el) -> bool:
    return any(len(_WS.sub("", p.text_content())) > 120 for p in el.iter("p"))


def _drop(el) -> None:
    """Remove an element but keep its tail text (it belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


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
        sizes = [_text_len(e) for e in outer]
        if sum(sizes) >= MIN_CONTAINER_TEXT:
            group = _fragments_of(outer, sizes)
            cands.append((sel, group, sum(_text_len(e) for e in group)))
        elif weak is None and any(_DOC_LINK.search(e.get("href") or "") for o in outer for e in o.iter("a")):
            weak = (sel, outer)   # a short pointer page: the report is the linked attachment
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


def is_chrome_line(line: str) -> bool:
    """A short line of page furniture (patterns in `rules`; a Traditional line is checked
    in its Simplified form too, so one pattern set serves both scripts)."""
    if len(line) > rules.CHROME_LINE_MAX:
        return False
    return _chrome_short_line(line)


@lru_cache(maxsize=16384)
def _chrome_short_line(line: str) -> bool:
    pats = rules.COMPILED_CHROME_LINES
    if any(p.search(line) for p in pats):
        return True
    if line.isascii():
        return False
    simp = converter("t2s").convert(line)
    return simp != line and any(p.search(simp) for p in pats)


def clean_lines(lines: list[str], title: str = "") -> list[str]:
    """Drop chrome lines, a leading repeat of the title, and repeated paragraphs."""
    out: list[str] = []
    seen: set[str] = set()
    tkey = _WS.sub("", title)
    for line in lines:
        if "\t" not in line and is_chrome_line(line):
            continue
        key = _WS.sub("", line)
        if not key:
            continue
        if tkey and not out and key == tkey:
            continue
        if "\t" not in line and len(key) >= 10:
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return out


def _trafilatura_text(tree) -> str:
    import trafilatura
    try:
        return trafilatura.extract(tree, include_tables=True, include_comments=False,
                                   favor_recall=True) or ""
    except Exception:  # trafilatura raises on odd trees; the page then simply has no text
        return ""


def _anchor_pieces(traf_lines: list[str]) -> list[str]:
    """trafilatura's content pieces worth anchoring on: paragraphs, and long table cells
    (a table-layout page comes back as one big table)."""
    pieces = []
    for l in traf_lines:
        if "\t" in l:
            pieces += [c for c in l.split("\t") if len(_WS.sub("", c)) >= 30]
        elif not is_chrome_line(l):
            pieces.append(l)
    return [p for p in (_WS.sub("", x) for x in pieces) if len(p) >= 8]


def _locate(tree, traf_lines: list[str], title: str = ""):
    """The smallest element holding trafilatura's first and last content pieces."""
    content = _anchor_pieces(traf_lines)
    if title:
        tkey = _WS.sub("", title)
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
                piece = _WS.sub("", el.tail)
                if piece:
                    starts.append(pos); owners.append(el.getparent()); buf.append(piece); pos += len(piece)
            continue
        piece = _WS.sub("", (el.text if ev == "start" else el.tail) or "")
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
        n = len(_WS.sub("", text))
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
        for c in containers:
            remove_chrome(c, local=True)
            l, g = render_lines(c)
            lines += l
            grids += g
        return MainText(clean_lines(lines, title), grids, f"container:{sel}")
    remove_chrome(tree, local=False)
    traf = _trafilatura_text(tree)
    tlines = _traf_lines(traf)
    if not tlines:
        lines, grids = render_lines(body)
        lines = clean_lines(lines, title)
        return MainText(lines, grids, "dom" if lines else "empty")
    el = _locate(tree, tlines, title)
    content_len = sum(len(p) for p in _anchor_pieces(tlines))
    if el is not None:
        lines, grids = render_lines(el, drop_link_lines=True)
        lines = clean_lines(lines, title)
        olen = sum(len(_WS.sub("", l)) for l in lines)
        tlen = sum(len(_WS.sub("", l)) for l in tlines)
        if 0.8 * content_len <= olen <= 2.5 * tlen + 200:
            return MainText(lines, grids, "trafilatura+dom")
    el = densest_block(body)
    if el is not None:
        lines, grids = render_lines(el, drop_link_lines=True)
        lines = clean_lines(lines, title)
        if sum(len(_WS.sub("", l)) for l in lines) >= 0.8 * content_len:
            return MainText(lines, grids, "dense-block")
    return MainText(clean_lines(tlines, title), [], "trafilatura")
