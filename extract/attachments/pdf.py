"""PDF attachments, read once: text lines by page layout, ruled tables by their rules.

pdfminer's plain text breaks every visual line and reads ruled tables column by column,
splitting wrapped labels so the row a number belongs to is lost. Here each page's
characters are grouped into lines by baseline; lines become paragraphs by the page
margins (a line that reaches the right margin continues on the next one unless that one
is indented or centred). The ruling lines of a table give its row and column boundaries
(a missing segment between two neighbouring cells means a span); characters inside a
table's frame become its cells, written as rows in the text (as `rules.TEXT_TABLE_CELLS`
says) and kept as a span-expanded grid for the figures. Tables without ruling lines are
left to the text reader. This is the only PDF reader: crawls, tests and benches use it.
"""
from __future__ import annotations

import io
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .. import rules
from ..published import PublishedTable, published_rows
from .text import AttachmentText, split_title

_PAGE_NO = re.compile(r"^[-—–－\s]*(第\s*)?\d{1,4}(\s*页)?[-—–－\s]*$|^\d+\s*/\s*\d+$")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_TOL = 1.5          # points: segments this close are the same line
_THIN = 2.0         # a rectangle thinner than this is a drawn line


def pdf_text(body: bytes) -> AttachmentText:
    """Text of a PDF read from its page layout: prose lines grouped into paragraphs by
    their margins, ruled tables written as row lines
    (`rules.TEXT_TABLE_CELLS`) at their place in the text, page numbers dropped."""
    res = AttachmentText()
    try:
        pages, grids, chars, tables = read_pdf(body)
    except Exception as e:  # a broken PDF is a fact to record, not a crash
        res.warnings.append(f"pdf: cannot read ({type(e).__name__}: {e})")
        return res
    if pages and chars < 20 * len(pages):
        res.no_text_layer = True
        res.warnings.append(f"pdf: no text layer ({len(pages)} page(s), {chars} characters): scanned image")
    res.title, res.lines = split_title(paragraphs(pages))
    if not res.title:
        res.title = pdf_info_title(body)
    res.grids, res.tables = grids, tables
    return res


@dataclass
class Line:
    y: float            # baseline, from the page top (grows downwards)
    x0: float
    x1: float
    size: float
    text: str
    table: list[str] | None = None  # rows of a table placed here instead of text


@dataclass
class Page:
    lines: list[Line] = field(default_factory=list)
    left: float = 0.0
    right: float = 0.0


def pdf_info_title(body: bytes) -> str:
    """The /Title of the PDF's document information, when it has a real one."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(body)))
        for info in doc.info:
            t = info.get("Title")
            if isinstance(t, bytes):
                t = t.decode("utf-16") if t.startswith((b"\xfe\xff", b"\xff\xfe")) else t.decode("utf-8", "replace")
            if isinstance(t, str) and t.strip() and t.strip().lower() not in ("untitled", "无标题"):
                return t.strip()
    except Exception:
        pass
    return ""


def read_pdf(body: bytes) -> tuple[list[Page], list[list[list[str]]], int, list[PublishedTable]]:
    """Pages (lines and table rows in reading order), expanded table grids, the number
    of text characters (0 for a scan), and the tables as published."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect, LTFigure
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    rsrc = PDFResourceManager()
    device = PDFPageAggregator(rsrc, laparams=None)
    interp = PDFPageInterpreter(rsrc, device)
    pages: list[Page] = []
    grids: list[list[list[str]]] = []
    tables: list[PublishedTable] = []
    nchars = 0
    for pdf_page in PDFPage.get_pages(io.BytesIO(body)):
        interp.process_page(pdf_page)
        layout = device.get_result()
        top = layout.y1
        chars, hs, vs = [], [], []
        stack = list(layout)
        while stack:
            o = stack.pop()
            if isinstance(o, LTChar):
                chars.append(o)           # spaces too: they separate words and numbers
            elif isinstance(o, (LTLine, LTRect, LTCurve)):
                segments(o, hs, vs)
            elif isinstance(o, LTFigure):
                stack.extend(o)
        nchars += sum(1 for ch in chars if ch.get_text().strip())
        page = Page()
        boxes = []
        for h_comp, v_comp in ruled_tables(hs, vs):
            xs = positions([x for x, _, _ in v_comp])
            ys = positions([y for y, _, _ in h_comp])
            if len(xs) < 2 or len(ys) < 2:
                continue
            boxes.append((xs[0], ys[0], xs[-1], ys[-1], h_comp, v_comp, []))
        prose = []
        for ch in chars:
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
            if not ch.get_text().strip():
                if not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
                    prose.append(ch)
                continue
            for b in boxes:
                if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:
                    b[6].append(((ch.x0 + ch.x1) / 2, cy, ch.x0, ch.y0, ch.height, ch.get_text()))
                    break
            else:
                prose.append(ch)
        page.lines = _lines(prose, top)
        for x0, y0, x1, y1, h_comp, v_comp, tchars in boxes:
            rows, grid, published = _table(h_comp, v_comp, tchars)
            if rows:
                page.lines.append(Line(top - y1, x0, x1, 0.0, "", table=rows))
                grids.append(grid)
                tables.append(PublishedTable(rows=published, text_lines=rows))
        page.lines.sort(key=lambda l: l.y)
        text_lines = [l for l in page.lines if l.table is None]
        if text_lines:
            page.left = min(l.x0 for l in text_lines)
            page.right = max(l.x1 for l in text_lines)
        pages.append(page)
    return pages, grids, nchars, tables


def _lines(chars, top: float) -> list[Line]:
    """Characters grouped into lines by baseline, left to right."""
    chars = sorted(chars, key=lambda c: (-round(c.y0, 1), c.x0))
    groups: list[list] = []
    for ch in chars:
        if groups and abs(groups[-1][0].y0 - ch.y0) <= max(1.0, ch.height * 0.3):
            groups[-1].append(ch)
        else:
            groups.append([ch])
    out = []
    for g in groups:
        g.sort(key=lambda c: c.x0)
        parts, prev, space = [], None, False
        for ch in g:
            t = ch.get_text()
            if not t.strip():
                space = True              # a space glyph: the words on either side are apart
                continue
            gap = prev is not None and (space or ch.x0 - prev.x1 > ch.height * 0.6)
            if gap and not (_CJK.match(t) and _CJK.match(prev.get_text())):
                parts.append(" ")
            parts.append(t)
            prev, space = ch, False
        visible = [c for c in g if c.get_text().strip()]
        if not visible:
            continue
        size = max(c.height for c in visible)
        out.append(Line(top - visible[0].y0, visible[0].x0, visible[-1].x1, size, "".join(parts).strip()))
    return out


def _table(hs, vs, chars) -> tuple[list[str], list[list[str]], list[list[list]]]:
    """Text rows (merged cells written as `rules.TEXT_TABLE_CELLS` says), the
    span-expanded grid and the published cells of one ruled table. Merged cells are found
    from the rules: two neighbouring grid positions with no rule between them are one cell."""
    keys, cell = cell_layout(hs, vs, chars)
    if not keys:
        return [], [], []
    grid = [[cell.get(k, "") for k in row] for row in keys]
    rows = []
    for line in _row_cells(keys, rules.TEXT_TABLE_CELLS):
        cells = [cell.get(k, "") for k, _ in line]
        if any(cell.get(k, "") for k, counts in line if counts):
            rows.append("\t".join(cells))
    return rows, [row for row in grid if any(row)], published_rows(keys, lambda k: cell.get(k, ""))


def _row_cells(keys: list[list[int]], mode: str) -> list[list[tuple[int, bool]]]:
    """Per grid row, the merged cells (keys) written on its text line, each with whether
    its text makes the row non-empty. "rows": the cells of the row and those merged down
    into it, a cell spanning columns once, non-empty by the cells starting in the row;
    "published": only cells starting in the row; "expanded": every column, any text."""
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


def paragraphs(pages: list[Page]) -> list[str]:
    """Lines joined into paragraphs across lines and pages; tables as their rows."""
    out: list[str] = []
    open_para = False         # the last paragraph may continue on the next line
    for page in pages:
        lines = [l for l in page.lines if l.table is not None or not _PAGE_NO.match(l.text)]
        for ln in lines:
            if ln.table is not None:
                out += ln.table
                open_para = False
                continue
            indented = ln.x0 > page.left + ln.size * 0.8
            if open_para and not indented and out:
                out[-1] += ln.text
            else:
                out.append(ln.text)
            full = ln.x1 >= page.right - ln.size * 1.5
            centred = abs((ln.x0 - page.left) - (page.right - ln.x1)) < ln.size and indented
            open_para = full and not centred and not ln.text.endswith(("。", "：", ":", "！", "？", "；"))
    return [l.strip() for l in out if l.strip()]


# -- ruled tables: geometry -------------------------------------------------------------------
def segments(o, hs: list, vs: list) -> None:
    x0, y0, x1, y1 = o.bbox
    w, h = x1 - x0, y1 - y0
    if h <= _THIN and w > _THIN:
        hs.append(((y0 + y1) / 2, x0, x1))
    elif w <= _THIN and h > _THIN:
        vs.append(((x0 + x1) / 2, y0, y1))
    elif w > _THIN and h > _THIN and type(o).__name__ == "LTRect":
        hs += [(y0, x0, x1), (y1, x0, x1)]
        vs += [(x0, y0, y1), (x1, y0, y1)]


def ruled_tables(hs: list, vs: list):
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


def positions(values: list[float]) -> list[float]:
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
    them share a key: one merged cell) and each key's text."""
    xs = positions([x for x, _, _ in vs])
    ys = positions([y for y, _, _ in hs])[::-1]          # top to bottom
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
