"""Reading tables 2-4 from span-expanded HTML grids.

A grid keeps every cell at its row/column position, so columns are identified by the
header cells above them and rows by their label cells; a spanned value repeated over
several columns is read once. When headers are missing or unreadable, the columns fall
back to the published order of the format.
"""
from __future__ import annotations

from collections import Counter

from .. import report_schema as rs
from .collect import Collector
from .labels import (
    T2_ROW_BLOCK, T3_2019_ONLY, T3_2021_ONLY, T3_COL_CORES, T3_GROUP_CORES, T3_ROW_GROUP,
    T4_BLOCK_CORES, T4_COL_CORES, T4_SPECIFIC, TOTAL_CORES, core, normalize, parse_value, split_label,
    t2_block, t2_col, t2_columns, t2_row_key, t3_row_key,
)



def read_grids(grids: list[list[list[str]]], col: Collector) -> None:
    for gi, grid in enumerate(grids):
        if not grid or not any(grid):
            continue
        flat = normalize("".join("".join(r) for r in grid))
        if "新收" in flat or "予以公开" in flat or "结转" in flat or "不予处理" in flat:
            _read_t3(grid, col, gi)
        if "结果维持" in flat or ("行政复议" in flat and "行政诉讼" in flat):
            _read_t4(grid, col, gi)
        if "第二十条" in flat or "信息内容" in flat:
            _read_t2(grid, col, gi)


def _leading_labels(row: list[str]) -> tuple[list[str], int]:
    """Distinct label texts at the start of a row, and the index of the first value cell."""
    j, n = 0, len(row)
    while j < n and j < 2 and not row[j].strip():
        j += 1
    labels: list[str] = []
    while j < n and parse_value(row[j])[0] == "text":
        if not labels or labels[-1] != row[j]:
            labels.append(row[j])
        j += 1
    return labels, j


def _t3_resolve(labels: list[str], prev_group: str | None, in_body: bool) -> tuple[str | None, str]:
    """Row key of a table 3 row from its label cells (most specific, i.e. rightmost, first)."""
    row_group = None
    for t in labels:
        g = T3_GROUP_CORES.get(core(t))
        if g and g != "result_head":
            row_group = g
    ctx = row_group or prev_group
    for t in reversed(labels):
        num, c = split_label(t)
        if c == "其他":
            if num and ctx == "other":
                return "other_other", t
            continue
        if c in TOTAL_CORES:
            if "七" in num or in_body:
                return "handled_total", t
            continue
        if c == "其他处理":
            return "other_processed", t
        k = t3_row_key(t)
        if k:
            return k, t
    return None, ""


def _read_t3(grid: list[list[str]], col: Collector, gi: int) -> None:
    rows = []  # (index, key, label text, label end)
    prev_group, in_body = None, False
    for i, row in enumerate(grid):
        labels, end = _leading_labels(row)
        if not labels:
            continue
        key, label = _t3_resolve(labels, prev_group, in_body)
        if key is None:
            for t in labels:
                g = T3_GROUP_CORES.get(core(t))
                if g and g != "result_head":
                    prev_group = g
            continue
        rows.append((i, key, label, end))
        in_body = True
        prev_group = T3_ROW_GROUP.get(key) or prev_group
    if not rows:
        return
    first = rows[0][0]
    label_end = Counter(r[3] for r in rows).most_common(1)[0][0]
    width = max(len(r) for r in grid)
    colmap: dict[str, tuple[int, str]] = {}
    for j in range(label_end, width):
        for i in range(first - 1, -1, -1):
            cell = grid[i][j] if j < len(grid[i]) else ""
            k = T3_COL_CORES.get(core(cell))
            if k:
                if k not in colmap:
                    colmap[k] = (j, cell)
                break
    for i, key, label, end in rows:
        row = grid[i]
        if colmap:   # columns found by their headers (all of them, or the ones published)
            cells = [(k, row[j] if j < len(row) else "", lab, j) for k, (j, lab) in colmap.items()]
        else:        # no header (a table continued after a page break): the seven in order
            n = len(rs.T3_COLUMNS)
            while len(row) - end > n and not row[end].strip():
                end += 1     # a label drawn over two cells leaves the second one empty
            values = row[end:end + n]
            if len(values) < len(rs.T3_COLUMNS) or any(c.strip() for c in row[end + len(rs.T3_COLUMNS):]):
                continue
            cells = [(k, raw, lab, end + n) for n, ((k, lab), raw) in enumerate(zip(rs.T3_COLUMNS, values))]
        for k, raw, lab, j in cells:
            col.add(3, key, k, raw, label, lab, (gi, i, j))
        if key in T3_2021_ONLY:
            col.evidence[3].add("2021")
        elif key in T3_2019_ONLY:
            col.evidence[3].add("2019")
    col.tables.add(3)


def _read_t4(grid: list[list[str]], col: Collector, gi: int) -> None:
    header = [i for i, row in enumerate(grid) if any(core(c) in T4_SPECIFIC for c in row)]
    if not header:
        return
    start = header[0]
    end = start
    while end + 1 < len(grid) and (end + 1) in header:
        end += 1
    width = max(len(r) for r in grid)
    colmap: dict[tuple[str, str], tuple[int, str, str]] = {}
    for j in range(width):
        block = blabel = ckey = clabel = None
        for i in range(start, end + 1):
            cell = grid[i][j] if j < len(grid[i]) else ""
            c = core(cell)
            if c in T4_BLOCK_CORES:
                block, blabel = T4_BLOCK_CORES[c], cell
            elif c in T4_COL_CORES:
                ckey, clabel = T4_COL_CORES[c], cell
        if block and ckey and (block, ckey) not in colmap:
            colmap[(block, ckey)] = (j, blabel, clabel)
    full = len(colmap) == len(rs.T4_BLOCKS) * len(rs.T4_COLUMNS)
    order = [(b, bl, c, cl) for b, bl in rs.T4_BLOCKS for c, cl in rs.T4_COLUMNS]
    for i, row in enumerate(grid[end + 1:], end + 1):
        if full:   # columns found by their headers
            cells = [(b, c, row[j] if j < len(row) else "", bl, cl, j) for (b, c), (j, bl, cl) in colmap.items()]
        else:      # headers without the block labels: the fifteen cells in published order
            values = [(j, c) for j, c in enumerate(row) if parse_value(c)[0] != "text"]
            if len(values) != len(order):
                continue
            cells = [(b, c, raw, bl, cl, j) for (b, bl, c, cl), (j, raw) in zip(order, values)]
        if any(parse_value(raw)[0] == "text" for _, _, raw, _, _, _ in cells):
            continue
        for b, c, raw, bl, cl, j in cells:
            col.add(4, b, c, raw, bl, cl, (gi, i, j))
        break
    else:
        return
    col.tables.add(4)


def _read_t2(grid: list[list[str]], col: Collector, gi: int) -> None:
    block = None
    cols: list[tuple[int, str, str]] = []   # (column index, col key, header label)
    for i, row in enumerate(grid):
        labels, end = _leading_labels(row)
        if not labels:
            continue
        b = next((t2_block(t) for t in labels if t2_block(t)), None)
        row_key = next((t2_row_key(t) for t in reversed(labels) if t2_row_key(t)), None)
        if b and b != block:
            block, cols = b, []
        if row_key is None:
            mapped, seen = [], set()
            for j, cell in enumerate(row):
                hit = t2_col(cell)
                if hit and hit[0] not in seen:
                    seen.add(hit[0])
                    mapped.append((j, hit[0], cell))
                    if hit[1]:
                        col.evidence[2].add(hit[1])
            if mapped:
                cols = mapped
            continue
        label = next(t for t in reversed(labels) if t2_row_key(t))
        block = T2_ROW_BLOCK.get(row_key, block)
        use = [(j, k, lab) for j, k, lab in cols if j >= end]
        if not use:
            fmts = col.evidence[2]
            if len(fmts) != 1:
                continue
            use = [(end + n, k, lab) for n, (k, lab) in enumerate(t2_columns(next(iter(fmts)), block))]
        for j, k, lab in use:
            if j < len(row):
                col.add(2, row_key, k, row[j], label, lab, (gi, i, j))
        col.tables.add(2)
