"""Where the grid and text readers put what they find, before the format is decided.

Both readers may see the same table (an HTML table and its flattened copy in the
text); the first reading of a cell wins, so grids (exact structure) go first.
"""
from __future__ import annotations

from ..document import Figure
from .labels import clean_label, header_unit, parse_value


class Collector:
    def __init__(self) -> None:
        self.figures: dict[tuple[int, str, str], Figure] = {}
        self.evidence: dict[int, set[str]] = {2: set(), 3: set()}  # table -> formats it proves
        self.tables: set[int] = set()                               # tables recognized

    def add(self, table: int, row_key: str, col_key: str, raw: str, row_label: str, col_label: str) -> None:
        key = (table, row_key, col_key)
        if key in self.figures:
            return
        _kind, value, unit = parse_value(raw)
        self.tables.add(table)
        self.figures[key] = Figure(table=table, row_key=row_key, col_key=col_key, value=value,
                                   raw=raw, row_label=clean_label(row_label), col_label=clean_label(col_label),
                                   unit=unit or (header_unit(col_label) if value is not None else ""))

    def has_table(self, table: int) -> bool:
        return table in self.tables
