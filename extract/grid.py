"""Expand an HTML table with rowspan/colspan into a rectangular grid of cell texts.

Report tables nest their headers with spans; reading them needs every cell at its
row/column position, so a spanned cell's text is repeated in each position it covers.
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


def table_to_grid(table) -> list[list[str]]:
    """Grid of an lxml `<table>` element; nested tables are read as their own grids."""
    rows = [tr for tr in table.iter("tr") if _owning_table(tr) is table]
    grid: list[list[str | None]] = []
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            text = cell_text(cell)
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rs):
                rr = r + dr
                if rr >= len(rows):
                    break
                while len(grid) <= rr:
                    grid.append([])
                row = grid[rr]
                while len(row) < c + cs:
                    row.append(None)
                for dc in range(cs):
                    row[c + dc] = text
            c += cs
    width = max((len(r) for r in grid), default=0)
    return [[(x if x is not None else "") for x in row] + [""] * (width - len(row)) for row in grid]


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
