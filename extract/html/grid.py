"""Expand an HTML table with rowspan/colspan into a rectangular grid of cell texts.

Report tables nest their headers with spans; reading them needs every cell at its
row/column position, so a spanned cell's text is repeated in each position it covers.
The text of a table wants something between the published cells and the full grid:
`table_rows` gives each row with the labels that cover it, so every line reads alone.
"""
from __future__ import annotations

import re

from lxml import html as lxml_html

_WS = re.compile(r"[\s\u3000\xa0]+")
_MAX_SPAN = 200  # published tables never span more; bigger values are markup errors


def cell_text(cell) -> str:
    """Text of a cell with inner whitespace collapsed (cells often wrap mid-label)."""
    return _WS.sub(" ", cell.text_content()).strip()


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1").strip() or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _placement(table) -> tuple[list, dict[int, int]]:
    """Per `<tr>` of the table, the originating cell element at each grid column (None
    for a hole), and each cell's starting row (keyed by id)."""
    rows = [tr for tr in table.iter("tr") if _owning_table(tr) is table]
    grid: list[list] = [[] for _ in rows]
    start: dict[int, int] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            start[id(cell)] = r
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            for rr in range(r, min(r + rs, len(rows))):
                row = grid[rr]
                while len(row) < c + cs:
                    row.append(None)
                for dc in range(cs):
                    row[c + dc] = cell
            c += cs
    return grid, start


def table_cells(table) -> list[list]:
    """Per `<tr>`, the cell element at each grid column (None for a hole)."""
    return _placement(table)[0]


def table_to_grid(table) -> list[list[str]]:
    """Grid of an lxml `<table>` element; nested tables are read as their own grids."""
    grid, _ = _placement(table)
    texts: dict[int, str] = {}

    def text(cell) -> str:
        if cell is None:
            return ""
        if id(cell) not in texts:
            texts[id(cell)] = cell_text(cell)
        return texts[id(cell)]

    width = max((len(r) for r in grid), default=0)
    return [[text(x) for x in row] + [""] * (width - len(row)) for row in grid]


def table_rows(table, text=cell_text) -> list[list[str]]:
    """Rows of a table as text lines read them: each `<tr>` with, in column order, the
    cells of its own and of the rowspans covering it; a cell spanning several columns
    once. A row whose own cells are all empty is left out (labels alone say nothing).
    `text(cell)` gives a cell's text (default `cell_text`)."""
    grid, start = _placement(table)
    texts: dict[int, str] = {}
    out: list[list[str]] = []
    for r, row in enumerate(grid):
        cells, own, prev = [], False, None
        for cell in row:
            if cell is None or cell is prev:
                prev = cell
                continue
            prev = cell
            if id(cell) not in texts:
                texts[id(cell)] = text(cell)
            t = texts[id(cell)]
            cells.append(t)
            own = own or (start[id(cell)] == r and t != "")
        if own:
            out.append(cells)
    return out


def _owning_table(tr):
    el = tr.getparent()
    while el is not None and el.tag != "table":
        el = el.getparent()
    return el


_STRAY_END = re.compile(r"</(?:html|body)\s*>", re.I)


def html_tables_to_grids(html: str) -> list[list[list[str]]]:
    """All tables of an HTML fragment or page, innermost content tables included.

    A stray </html> or </body> (server-side includes leave one after the header) would
    make the parser drop everything after it, so end tags of the page are ignored.
    """
    doc = lxml_html.fromstring(_STRAY_END.sub("", html))
    return [table_to_grid(t) for t in doc.iter("table")]
