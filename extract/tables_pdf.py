"""Tables of a text PDF rebuilt as span-expanded grids from their ruling lines.

pdfminer's plain text reads a ruled table column by column and splits wrapped labels,
so the row a number belongs to is lost. The ruling lines keep it: horizontal and
vertical segments give the row and column boundaries, a missing segment between two
neighbouring cells means a span, and every character goes to the cell under its
centre. Tables without ruling lines are left to the text reader.

`extract.pdf_layout` reuses the geometry (`_segments`, `_tables`, `_positions` and
`cell_layout`, the merged-cell layout of one ruled table): keep their signatures.
"""
from __future__ import annotations

import io
from bisect import bisect_right

_TOL = 1.5          # points: segments this close are the same line
_THIN = 2.0         # a rectangle thinner than this is a drawn line


def pdf_table_grids(body: bytes) -> list[list[list[str]]]:
    """Grids of the ruled tables of a PDF, page by page (a table split by a page break is two)."""
    try:
        from pdfminer.converter import PDFPageAggregator
        from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
    except ImportError:     # pragma: no cover - pdfminer.six is a dependency
        return []
    grids: list[list[list[str]]] = []
    try:
        rsrc = PDFResourceManager()
        device = PDFPageAggregator(rsrc, laparams=None)    # raw characters: no layout analysis
        interpreter = PDFPageInterpreter(rsrc, device)
        for pdf_page in PDFPage.get_pages(io.BytesIO(body)):
            interpreter.process_page(pdf_page)
            page = device.get_result()
            hs, vs, chars = [], [], []
            for o in page:
                if isinstance(o, LTChar):
                    t = o.get_text()
                    if t.strip():
                        chars.append(((o.x0 + o.x1) / 2, (o.y0 + o.y1) / 2, o.x0, o.y0, o.height, t))
                elif isinstance(o, (LTLine, LTRect, LTCurve)):
                    _segments(o, hs, vs)
            for h_comp, v_comp in _tables(hs, vs):
                g = _grid(h_comp, v_comp, chars)
                if g:
                    grids.append(g)
    except Exception:       # a PDF we cannot lay out has no grids; its text is still read
        return grids
    return grids


def _segments(o, hs: list, vs: list) -> None:
    x0, y0, x1, y1 = o.bbox
    w, h = x1 - x0, y1 - y0
    if h <= _THIN and w > _THIN:
        hs.append(((y0 + y1) / 2, x0, x1))
    elif w <= _THIN and h > _THIN:
        vs.append(((x0 + x1) / 2, y0, y1))
    elif w > _THIN and h > _THIN and type(o).__name__ == "LTRect":
        hs += [(y0, x0, x1), (y1, x0, x1)]
        vs += [(x0, y0, y1), (x1, y0, y1)]


def _tables(hs: list, vs: list):
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
            if hx0 - _TOL <= x <= hx1 + _TOL and vy0 - _TOL <= y <= vy1 + _TOL:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, s in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(s)
    for j, s in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(s)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _positions(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _covered(segs: list, at: float, lo: float, hi: float) -> bool:
    """Is there a segment at coordinate `at` covering the middle of [lo, hi]?"""
    mid = (lo + hi) / 2
    return any(abs(p - at) <= _TOL and a - _TOL <= mid <= b + _TOL for p, a, b in segs)


def cell_layout(hs: list, vs: list, chars: list) -> tuple[list[list[int]], dict[int, str]]:
    """Cells of one ruled table: a key per grid position (positions with no rule between
    them share a key: one merged cell) and each key's text. Shared with pdf_layout."""
    xs = _positions([x for x, _, _ in vs])
    ys = _positions([y for y, _, _ in hs])[::-1]          # top to bottom
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1:
        return [], {}
    parent = list(range(nr * nc))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(vs, xs[c + 1], ys[r + 1], ys[r]):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not _covered(hs, ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    neg_ys = [-y for y in ys]
    text: dict[int, list] = {}
    for cx, cy, x0, y0, h, t in chars:
        c = bisect_right(xs, cx) - 1
        r = bisect_right(neg_ys, -cy) - 1
        if 0 <= r < nr and 0 <= c < nc:
            text.setdefault(find(r * nc + c), []).append((cy, x0, h, t))
    keys = [[find(r * nc + c) for c in range(nc)] for r in range(nr)]
    return keys, {k: _join(v) for k, v in text.items()}


def _grid(hs: list, vs: list, chars: list) -> list[list[str]]:
    keys, cell_text = cell_layout(hs, vs, chars)
    return [[cell_text.get(k, "") for k in row] for row in keys]


def _join(chars: list) -> str:
    """Characters of one cell in reading order: lines top to bottom, wrapped lines joined."""
    chars.sort(key=lambda ch: -ch[0])
    lines: list[list] = []
    for ch in chars:
        if lines and abs(lines[-1][0][0] - ch[0]) <= ch[2] / 2:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for line in lines:
        line.sort(key=lambda ch: ch[1])
        out.append("".join(ch[3] for ch in line))
    return "".join(out).strip()
