"""A text PDF read from its page layout rather than pdfminer's plain text.

pdfminer's plain text breaks every visual line and reads ruled tables column by column.
Here each page's characters are grouped into lines by baseline; lines become paragraphs
by the page margins (a line that reaches the right margin continues on the next one
unless that one is indented or centred); characters inside a ruled table (its frame found
by `tables_pdf`) become the table's cells, written as rows in the text (as
`rules.TEXT_TABLE_CELLS` says), and kept as a span-expanded grid for the figures.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from . import rules
from .tables_pdf import _positions, _segments, _tables, cell_layout

_PAGE_NO = re.compile(r"^[-—–－\s]*(第\s*)?\d{1,4}(\s*页)?[-—–－\s]*$|^\d+\s*/\s*\d+$")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


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


def read_pdf(body: bytes) -> tuple[list[Page], list[list[list[str]]], int]:
    """Pages (lines and table rows in reading order), expanded table grids, and the
    number of text characters (0 for a scan)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect, LTFigure
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    rsrc = PDFResourceManager()
    device = PDFPageAggregator(rsrc, laparams=None)
    interp = PDFPageInterpreter(rsrc, device)
    pages: list[Page] = []
    grids: list[list[list[str]]] = []
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
                if o.get_text().strip():
                    chars.append(o)
            elif isinstance(o, (LTLine, LTRect, LTCurve)):
                _segments(o, hs, vs)
            elif isinstance(o, LTFigure):
                stack.extend(o)
        nchars += len(chars)
        page = Page()
        boxes = []
        for h_comp, v_comp in _tables(hs, vs):
            xs = _positions([x for x, _, _ in v_comp])
            ys = _positions([y for y, _, _ in h_comp])
            if len(xs) < 2 or len(ys) < 2:
                continue
            boxes.append((xs[0], ys[0], xs[-1], ys[-1], h_comp, v_comp, []))
        prose = []
        for ch in chars:
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
            for b in boxes:
                if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:
                    b[6].append(((ch.x0 + ch.x1) / 2, cy, ch.x0, ch.y0, ch.height, ch.get_text()))
                    break
            else:
                prose.append(ch)
        page.lines = _lines(prose, top)
        for x0, y0, x1, y1, h_comp, v_comp, tchars in boxes:
            rows, grid = _table(h_comp, v_comp, tchars)
            if rows:
                page.lines.append(Line(top - y1, x0, x1, 0.0, "", table=rows))
                grids.append(grid)
        page.lines.sort(key=lambda l: l.y)
        text_lines = [l for l in page.lines if l.table is None]
        if text_lines:
            page.left = min(l.x0 for l in text_lines)
            page.right = max(l.x1 for l in text_lines)
        pages.append(page)
    return pages, grids, nchars


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
        parts, prev = [], None
        for ch in g:
            t = ch.get_text()
            if prev is not None and ch.x0 - prev.x1 > ch.height * 0.6 and not (_CJK.match(t) and _CJK.match(prev.get_text())):
                parts.append(" ")
            parts.append(t)
            prev = ch
        size = max(c.height for c in g)
        out.append(Line(top - g[0].y0, g[0].x0, g[-1].x1, size, "".join(parts).strip()))
    return out


def _table(hs, vs, chars) -> tuple[list[str], list[list[str]]]:
    """Text rows (merged cells written as `rules.TEXT_TABLE_CELLS` says) and the
    span-expanded grid of one ruled table. Merged cells are found from the rules: two
    neighbouring grid positions with no rule between them are one cell."""
    keys, cell = cell_layout(hs, vs, chars)
    if not keys:
        return [], []
    grid = [[cell.get(k, "") for k in row] for row in keys]
    rows = []
    for line in _row_cells(keys, rules.TEXT_TABLE_CELLS):
        cells = [cell.get(k, "") for k, _ in line]
        if any(cell.get(k, "") for k, counts in line if counts):
            rows.append("\t".join(cells))
    return rows, [row for row in grid if any(row)]


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
