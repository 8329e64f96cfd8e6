"""Ruled tables from their rules: the geometry shared by the PDF reader and OCR.

A table printed with ruling lines is a set of horizontal segments `(y, x0, x1)` and
vertical segments `(x, y0, y1)`, whether they come from a PDF's drawing operators or from
an image's line morphology. Crossing segments form one table; the distinct positions of
the rules give the grid; a missing rule between two neighbouring positions means a merged
cell. Coordinates grow downwards (image convention; the PDF reader flips its y first).
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

Segment = tuple[float, float, float]      # (position, start, end)


def ruled_tables(hs: list[Segment], vs: list[Segment], tol: float) -> list[tuple[list, list]]:
    """Connected groups of crossing segments: one group a table."""
    n = len(hs) + len(vs)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, s in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(s)
    for j, s in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(s)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def positions(values: Iterable[float], tol: float) -> list[float]:
    """Distinct positions of rules, sorted (values closer than `tol` are one rule)."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _covered(segs: list[Segment], at: float, lo: float, hi: float, tol: float) -> bool:
    """Is there a segment at coordinate `at` covering the middle of [lo, hi]?"""
    mid = (lo + hi) / 2
    return any(abs(p - at) <= tol and a - tol <= mid <= b + tol for p, a, b in segs)


class CellLayout:
    """The merged cells of one ruled table: `keys[r][c]` is the key of the cell covering
    grid position (r, c) (positions with no rule between them share a key), `xs`/`ys`
    the rule positions (left to right, top to bottom)."""

    def __init__(self, hs: list[Segment], vs: list[Segment], tol: float, xs: list[float] | None = None):
        """`xs`: column positions to use instead of the table's own (the finer columns of
        the same table on another page: where this part has no rule, cells merge)."""
        self.xs = xs or positions((x for x, _, _ in vs), tol)
        self.ys = positions((y for y, _, _ in hs), tol)
        nr, nc = len(self.ys) - 1, len(self.xs) - 1
        self.keys: list[list[int]] = []
        if nr < 1 or nc < 1:
            return
        parent = list(range(nr * nc))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        xs, ys = self.xs, self.ys
        for r in range(nr):
            for c in range(nc):
                if c + 1 < nc and not _covered(vs, xs[c + 1], ys[r], ys[r + 1], tol):
                    parent[find(r * nc + c + 1)] = find(r * nc + c)
                if r + 1 < nr and not _covered(hs, ys[r + 1], xs[c], xs[c + 1], tol):
                    parent[find((r + 1) * nc + c)] = find(r * nc + c)
        self.keys = [[find(r * nc + c) for c in range(nc)] for r in range(nr)]

    def at(self, x: float, y: float) -> int | None:
        """Key of the cell holding the point, None outside the table."""
        c = bisect_right(self.xs, x) - 1
        r = bisect_right(self.ys, y) - 1
        if 0 <= r < len(self.keys) and 0 <= c < len(self.keys[0]):
            return self.keys[r][c]
        return None

    def boxes(self) -> dict[int, tuple[float, float, float, float]]:
        """Each merged cell's box (x0, y0, x1, y1)."""
        out: dict[int, list[float]] = {}
        for r, row in enumerate(self.keys):
            for c, k in enumerate(row):
                b = out.setdefault(k, [self.xs[c], self.ys[r], self.xs[c + 1], self.ys[r + 1]])
                b[0], b[1] = min(b[0], self.xs[c]), min(b[1], self.ys[r])
                b[2], b[3] = max(b[2], self.xs[c + 1]), max(b[3], self.ys[r + 1])
        return {k: tuple(v) for k, v in out.items()}


def row_cells(keys: list[list[int]], mode: str) -> list[list[tuple[int, bool]]]:
    """Per grid row, the merged cells (keys) written on its text line, each with whether
    its text makes the row non-empty. "published": only cells starting in the row, each
    once; "rows": the cells of the row and those merged down into it, a cell spanning
    columns once, non-empty by the cells starting in the row; "expanded": every column."""
    first: dict[int, int] = {}
    for r, row in enumerate(keys):
        for k in row:
            first.setdefault(k, r)
    out = []
    for r, row in enumerate(keys):
        line: list[tuple[int, bool]] = []
        for c, k in enumerate(row):
            own = first[k] == r
            if mode == "expanded":
                line.append((k, True))
            elif mode == "published":
                if own and k not in (key for key, _ in line):
                    line.append((k, own))
            elif c == 0 or k != row[c - 1]:
                line.append((k, own))
        out.append(line)
    return out


def table_text_and_grid(keys: list[list[int]], cell: dict[int, str], mode: str) -> tuple[list[str], list[list[str]]]:
    """Text rows (cells tab-joined as `mode` says, rows with no text of their own left
    out) and the span-expanded grid (empty rows left out) of one ruled table."""
    if not keys:
        return [], []
    rows = []
    for line in row_cells(keys, mode):
        if any(cell.get(k, "") for k, counts in line if counts):
            rows.append("\t".join(cell.get(k, "") for k, _ in line))
    grid = [[cell.get(k, "") for k in row] for row in keys]
    return rows, [row for row in grid if any(row)]
