"""Where the grid and text readers put what they find, before the format is decided.

Both readers may see the same table (an HTML table and its flattened copy in the
text); the first reading of a cell wins, so grids (exact structure) go first.
"""
from __future__ import annotations

from ..document import Figure
from .labels import cell_kind, clean_label, header_unit, parse_value


class Collector:
    """`scores`, when the grids were read by OCR, gives each grid cell's recognition score
    (same shape as the grids); figures read from those cells carry it."""

    def __init__(self, scores: list[list[list[float | None]]] | None = None) -> None:
        self.scores = scores
        self.figures: dict[tuple[int, str, str], Figure] = {}
        self.evidence: dict[int, set[str]] = {2: set(), 3: set()}  # table -> formats it proves
        self.tables: set[int] = set()                               # tables recognized

    def add(self, table: int, row_key: str, col_key: str, raw: str, row_label: str, col_label: str,
            at: tuple[int, int, int] | None = None) -> None:
        """One figure; `at` = (grid, row, column) of the cell when read from a grid."""
        key = (table, row_key, col_key)
        if key in self.figures:
            return
        _kind, value, unit = parse_value(raw)
        self.tables.add(table)
        ocr = conf = None
        if self.scores is not None and at is not None:
            g, r, c = at
            try:
                conf = self.scores[g][r][c]
                ocr = True
            except IndexError:
                conf = None
        self.figures[key] = Figure(table=table, row_key=row_key, col_key=col_key, value=value,
                                   raw=raw, row_label=clean_label(row_label), col_label=clean_label(col_label),
                                   unit=unit or (header_unit(col_label) if value is not None else ""),
                                   kind=cell_kind(raw), ocr=bool(ocr), confidence=conf)

    def has_table(self, table: int) -> bool:
        return table in self.tables
