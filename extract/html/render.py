"""An element as text lines: blocks break lines, data tables become rows (cells separated
by tabs, spans placed as `rules.TEXT_TABLE_CELLS` says), and the grids of those tables."""
from __future__ import annotations

import re

from lxml import etree

from .. import rules
from ..published import PublishedTable, published_rows
from .dom import WS, norm_inline
from .grid import table_cells, table_rows, table_to_grid

BLOCK_TAGS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table tbody thead tfoot section article "
    "header footer blockquote pre center form hr figure figcaption caption address main nav "
    "aside fieldset legend details summary td th".split()
)
# An image of the content, written as a line of its own: "\x00img " + its src. The page
# reader replaces it with the image's OCR text or drops it (`extract.pipeline`).
IMAGE_MARK = "\x00img "
DOC_LINK = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd)\b|附件", re.I)


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
        n = len(WS.sub("", c.text_content()))
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
        self.tables: list[PublishedTable] = []
        self._cur: list[str] = []
        self._link_chars = 0
        self._in_link = 0

    def _add(self, text: str):
        self._cur.append(text)
        if self._in_link:
            self._link_chars += len(WS.sub("", text))

    def _emit(self, line: str, link_share: float = 0.0):
        self.lines.append(line)
        self.link_share.append(link_share)

    def _flush(self):
        if self._cur:
            raw = "".join(self._cur)
            line = norm_inline(raw)
            n = len(WS.sub("", raw))
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
        start = len(self.lines)
        self._table_lines(table, grid)
        rows = published_rows(table_cells(table), lambda cell: norm_inline(cell.text_content()))
        self.tables.append(PublishedTable(rows=rows, text_lines=self.lines[start:]))

    def _table_lines(self, table, grid):
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
                if tag == "img" and (el.get("src") or "").strip():
                    self._flush()
                    self._emit(IMAGE_MARK + el.get("src").strip())
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


def render_lines(el, drop_link_lines: bool = False) -> tuple[list[str], list[list[list[str]]],
                                                              list[PublishedTable]]:
    """Lines, grids and published tables of an element; `drop_link_lines` leaves out
    navigation-like lines (mostly link text, no sentence punctuation, not a document link)."""
    r = _Renderer().render(el)
    if not drop_link_lines:
        return r.lines, r.grids, r.tables
    lines = [l for l, share in zip(r.lines, r.link_share)
             if share < 0.6 or DOC_LINK.search(l) or any(p in l for p in "。；")]
    return lines, r.grids, r.tables


