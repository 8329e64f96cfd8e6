"""The statistics of a report as data: tables 2-4 of the 2019/2021 formats, checked.

`extract_figures` reads the span-expanded HTML grids first (exact structure), then the
text for any table the grids did not have (flattened tables, PDF text). Every figure is
kept as published: a blank cell is None, never 0, and a table that breaks its own
arithmetic is recorded by failing checks, never corrected. Reports without tables
(up to 2018) get at most the one figure their prose states: applications received.
"""
from __future__ import annotations

import re

from . import report_schema as rs
from .document import Check, Figure, FigureSet
from .tables_collect import Collector
from .tables_grid import read_grids
from .tables_text import read_text

__all__ = ["extract_figures", "table3_checks", "table4_checks"]


def extract_figures(grids: list[list[list[str]]], text: str, is_report: bool = True, *,
                    html: str | None = None) -> FigureSet:
    """Figures, format and checks of one report (Simplified grids and text).

    `is_report=False` (a trap page, a notice with a blank template) gives an empty set.
    `html`, when the caller has it, lets an <img> in a table section mark the tables
    as published as images.
    """
    fs = FigureSet()
    if not is_report:
        return fs
    col = Collector()
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


# ---------------------------------------------------------------- checks
def _sum(values: list) -> float | int | None:
    if not values or any(v is None for v in values):
        return None
    return sum(values)


def _check(name: str, key: str, expected, actual) -> Check:
    ok = None if expected is None or actual is None else abs(expected - actual) < 1e-6
    return Check(name=name, key=key, expected=expected, actual=actual, ok=ok)


def table3_checks(figures: list[Figure], fmt: str) -> list[Check]:
    """一+二 = 三（七）+四 and （七） = its rows, per column; 总计 = the six applicant columns, per row."""
    cell = {(f.row_key, f.col_key): f.value for f in figures if f.table == 3}
    if not cell:
        return []
    rows = rs.t3_rows(fmt)
    result_rows = [k for k, _, g in rows if g in rs.T3_RESULT_GROUPS]
    checks = []
    for ck, _ in rs.T3_COLUMNS:
        checks.append(_check("t3_identity", ck,
                             _sum([cell.get(("requests_new", ck)), cell.get(("requests_carried_over", ck))]),
                             _sum([cell.get(("handled_total", ck)), cell.get(("carried_forward", ck))])))
    for ck, _ in rs.T3_COLUMNS:
        checks.append(_check("t3_handled_total", ck, _sum([cell.get((rk, ck)) for rk in result_rows]),
                             cell.get(("handled_total", ck))))
    applicants = [ck for ck, _ in rs.T3_COLUMNS if ck != "total"]
    for rk, _, _ in rows:
        if not any((rk, ck) in cell for ck, _ in rs.T3_COLUMNS):
            continue
        checks.append(_check("t3_row_total", rk, _sum([cell.get((rk, ck)) for ck in applicants]),
                             cell.get((rk, "total"))))
    return checks


def table4_checks(figures: list[Figure]) -> list[Check]:
    """Each block's 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    cell = {(f.row_key, f.col_key): f.value for f in figures if f.table == 4}
    if not cell:
        return []
    parts = [ck for ck, _ in rs.T4_COLUMNS if ck != "total"]
    return [_check("t4_total", bk, _sum([cell.get((bk, ck)) for ck in parts]), cell.get((bk, "total")))
            for bk, _ in rs.T4_BLOCKS]


# ---------------------------------------------------------------- prose (up to 2018)
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(\d[\d,，]*|[零〇一二两三四五六七八九十百千]+)"
_KIND = r"(?:政府信息公开|信息公开|依申请公开)"
_PROSE = [
    re.compile(r"(?:收到|受理|接收|接到)[^。；;，,\d]{0,12}?" + _KIND + r"[^。；;\d]{0,4}?申请[^。；;\d]{0,6}?"
               + _NUM + r"\s*(?:件|个|份|宗|条|次)"),
    re.compile(r"(?:收到|受理|接收|接到)[^。；;，,\d]{0,6}?" + _NUM + r"\s*(?:件|个|份|宗|条)[^。；;，,\d]{0,8}?"
               + _KIND + r"[^。；;，,\d]{0,4}?申请"),
    re.compile(_KIND + r"申请[^。；;，,\d]{0,6}?(?:共计|共|合计|总计)" + _NUM + r"\s*(?:件|个|份|宗|条)"),
    re.compile(r"(?:收到|受理|接收|接到)[^。；;，,\d]{0,12}?(?:依申请公开|申请公开)(?:的)?(?:政府)?信息"
               r"[^。；;，,\d]{0,4}?" + _NUM + r"\s*(?:件|个|份|宗|条)"),
]
_PROSE_NONE = re.compile(r"(?:未|没有)(?:收到|受理|接到|发生)[^。；;，,\d]{0,8}?" + _KIND
                         + r"[^。；;，,\d]{0,4}?申请(?:的情况)?(?=[。；;，,]|$)")
_SENTENCE = re.compile(r"[^。；;！!\n]+[。；;！!]?")


def _zh_number(s: str) -> int | None:
    s = s.replace(",", "").replace("，", "")
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            cur = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (cur or 1) * _ZH_UNITS[ch]
            cur = 0
        else:
            return None
    return total + cur


def prose_requests_received(text: str) -> Figure | None:
    """The first sentence stating how many disclosure applications were received."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0).strip()
        if "申请" not in sentence:
            continue
        for pat in _PROSE:
            hit = pat.search(sentence)
            if hit:
                value = _zh_number(hit.group(1))
                if value is not None:
                    return Figure(table=0, row_key="requests_new", col_key="total", value=value,
                                  raw=hit.group(1), row_label=hit.group(0), col_label="", source=sentence)
        hit = _PROSE_NONE.search(sentence)
        if hit:
            return Figure(table=0, row_key="requests_new", col_key="total", value=0, raw=hit.group(0),
                          row_label=hit.group(0), source=sentence)
    return None


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
