"""The statistics of a report as data: tables 2-4 of the 2019/2021 formats, checked.

`extract_figures` reads the span-expanded HTML grids first (exact structure), then the
text for any table the grids did not have (flattened tables, PDF text). Every figure is
kept as published: a blank cell is None, never 0, and a table that breaks its own
arithmetic is recorded by failing checks, never corrected. Reports without tables
(up to 2018) get at most the one figure their prose states: applications received.
"""
from __future__ import annotations

import re

from .. import report_schema as rs
from ..document import Figure, FigureSet
from .checks import table3_checks, table4_checks
from .collect import Collector
from .grid import read_grids
from .prose import prose_requests_received
from .text import read_text


def extract_figures(grids: list[list[list[str]]], text: str, is_report: bool = True, *,
                    html: str | None = None, scores: list | None = None) -> FigureSet:
    """Figures, format and checks of one report (Simplified grids and text).

    `is_report=False` (a trap page, a notice with a blank template) gives an empty set.
    `html`, when the caller has it, lets an <img> in a table section mark the tables
    as published as images. `scores`: per grid cell, the OCR score of grids read from images.
    """
    fs = FigureSet()
    if not is_report:
        return fs
    col = Collector(scores)
    read_grids(grids or [], col)
    missing = {2, 3, 4} - col.tables
    if missing and text:
        read_text(text, col, missing)
    fs.format = _decide_format(col, text or "")
    fs.figures = _ordered(_keep_format(col.figures, fs.format))
    fs.checks = table3_checks(fs.figures, fs.format or "2019") + table4_checks(fs.figures)
    if not any(f.table == 3 and f.value is not None for f in fs.figures):
        prose = prose_requests_received(text or "")
        if prose:
            fs.figures.append(prose)
    fs.image_tables = _image_tables(text or "", html, col)
    return fs


# ---------------------------------------------------------------- format
def _decide_format(col: Collector, text: str) -> str | None:
    """2021 if table 3 has the split （六） rows, 2019 if the single row; else table 2's columns."""
    if not col.tables:
        return None
    for t in (3, 2):
        ev = col.evidence[t]
        if "2021" in ev:
            return "2021"
        if "2019" in ev:
            return "2019"
    if "2021〕30号" in text or "2021]30号" in text:
        return "2021"
    if "2019〕60号" in text or "2019]60号" in text:
        return "2019"
    return None


def _keep_format(figs: dict, fmt: str | None) -> list[Figure]:
    """Drop table 3 rows the decided format does not have (2021's （六） heading row).

    Table 2 is kept whole: a 2021 report that still uses the old table 2 has real figures.
    """
    if fmt is None:
        return list(figs.values())
    t3_keys = {k for k, _, _ in rs.t3_rows(fmt)}
    return [f for (table, row, _c), f in figs.items() if table != 3 or row in t3_keys]


_ORDER: dict[tuple[int, str, str], int] = {}
_T3_ALL_ROWS = rs.T3_ROWS_2019[:-2] + rs.T3_ROWS_2021[len(rs.T3_ROWS_2019) - 3:]
for _t, _rows, _cols in ([(3, _T3_ALL_ROWS, rs.T3_COLUMNS), (4, rs.T4_BLOCKS, rs.T4_COLUMNS)]
                         + [(2, r, c) for _b, r, c in rs.T2_2019 + rs.T2_2021]):
    for _r in _rows:
        for _c in _cols:
            _ORDER.setdefault((_t, _r[0], _c[0]), len(_ORDER))


def _ordered(figs: list[Figure]) -> list[Figure]:
    tord = {2: 0, 3: 1, 4: 2, 0: 3}
    return sorted(figs, key=lambda f: (tord.get(f.table, 9), _ORDER.get((f.table, f.row_key, f.col_key), 10**6)))


# ---------------------------------------------------------------- image tables
_IMG_TEXT = re.compile(r"<img\b|\[图片\]|【图片】|\[图\]|!\[[^\]]*\]\(", re.I)
_TABLE_SECTION = {2: re.compile("主动公开政府信息情况"), 3: re.compile("收到和处理政府信息公开申请情况"),
                  4: re.compile("行政复议、?行政诉讼情况")}
_ANY_SECTION = re.compile("主动公开政府信息情况|收到和处理政府信息公开申请情况|行政复议、?行政诉讼情况"
                          "|存在的主要问题|其他需要报告")
_IMG_REACH = 4000   # characters after a heading where its table's image would sit


def _image_tables(text: str, html: str | None, col: Collector) -> bool:
    """An image right under the heading of a table 2-4 section whose table was not read."""
    for table, heading in _TABLE_SECTION.items():
        if col.has_table(table):
            continue
        for src in (html, text):
            m = heading.search(src or "")
            if not m:
                continue
            nxt = _ANY_SECTION.search(src, m.end())
            end = min(nxt.start() if nxt else len(src), m.end() + _IMG_REACH)
            if _IMG_TEXT.search(src, m.end(), end):
                return True
    return False
