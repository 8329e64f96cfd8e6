"""Tables as their source published them: each cell once, with its rowspan and colspan,
and where the table's rows stand in the text, so a reader can be shown the table itself.

The figures read span-expanded grids (`Document.tables`); this is the other view of the
same tables, for people. Every reader (HTML, DOCX, ruled PDF tables) knows which grid
positions one cell covers, so one function turns such a grid of cell identities into
published rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable


@dataclass
class PublishedTable:
    """Rows of cells `[text, rowspan, colspan]`; `line` is the index of the table's first
    row in the document's text lines and `lines` how many text lines its rows took
    (None / 0 when the table could not be placed). `text_lines` are the lines the table
    wrote, used to place it once the text is final."""

    rows: list[list[list]] = field(default_factory=list)
    line: int | None = None
    lines: int = 0
    text_lines: list[str] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {"line": self.line, "lines": self.lines, "rows": self.rows}


def published_rows(cells: list[list[Hashable | None]], text: Callable[[Hashable], str]) -> list[list[list]]:
    """Rows of `[text, rowspan, colspan]` from a grid of cell identities (None: a hole,
    written as an empty cell). A cell spans the rows and columns its identity covers;
    rows without a cell of their own are left out."""
    first: dict[Hashable, tuple[int, int]] = {}
    rowspan: dict[Hashable, int] = {}
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if cell not in first:
                first[cell] = (r, c)
                rowspan[cell] = 1
            elif first[cell][0] < r and (c == 0 or row[c - 1] != cell):
                rowspan[cell] = r - first[cell][0] + 1
    out = []
    for r, row in enumerate(cells):
        published, c = [], 0
        while c < len(row):
            cell = row[c]
            width = 1
            while c + width < len(row) and cell is not None and row[c + width] == cell:
                width += 1
            if cell is None:
                published.append(["", 1, 1])
            elif first[cell] == (r, c):
                published.append([text(cell), rowspan[cell], width])
            c += width
        if any(cell is not None and first[cell][0] == r for cell in row):
            out.append(published)
    return out


def place(tables: list[PublishedTable], lines: list[str]) -> None:
    """Find each table's rows among the final text lines, in order (a line the cleaner
    dropped ends the table's run early; a table not found stays unplaced)."""
    cursor = 0
    for table in tables:
        table.line, table.lines = None, 0
        if not table.text_lines:
            continue
        try:
            i = lines.index(table.text_lines[0], cursor)
        except ValueError:
            continue
        n = 1
        while n < len(table.text_lines) and i + n < len(lines) and lines[i + n] == table.text_lines[n]:
            n += 1
        table.line, table.lines = i, n
        cursor = i + n
