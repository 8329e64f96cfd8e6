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
from dataclasses import dataclass, field

from .. import rules
from ..tables.ruled import CellLayout, ruled_tables, table_text_and_grid
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
        pages, grids, chars = read_pdf(body)
    except Exception as e:  # a broken PDF is a fact to record, not a crash
        res.warnings.append(f"pdf: cannot read ({type(e).__name__}: {e})")
        return res
    if pages and chars < 20 * len(pages):
        res.no_text_layer = True
        res.warnings.append(f"pdf: no text layer ({len(pages)} page(s), {chars} characters): scanned image")
    res.title, res.lines = split_title(paragraphs(pages))
    if not res.title:
        res.title = pdf_info_title(body)
    res.grids = grids
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
                chars.append(o)           # spaces too: they separate words and numbers
            elif isinstance(o, (LTLine, LTRect, LTCurve)):
                segments(o, top, hs, vs)
            elif isinstance(o, LTFigure):
                stack.extend(o)
        nchars += sum(1 for ch in chars if ch.get_text().strip())
        page = Page()
        boxes = []
        for h_comp, v_comp in ruled_tables(hs, vs, _TOL):
            layout_ = CellLayout(h_comp, v_comp, _TOL)
            if not layout_.keys:
                continue
            boxes.append((layout_.xs[0], layout_.ys[0], layout_.xs[-1], layout_.ys[-1], layout_, {}))
        prose = []
        for ch in chars:
            cx, cy = (ch.x0 + ch.x1) / 2, top - (ch.y0 + ch.y1) / 2
            box = next((b for b in boxes if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]), None)
            if box is None:
                prose.append(ch)
            elif ch.get_text().strip():
                k = box[4].at(cx, cy)
                if k is not None:
                    box[5].setdefault(k, []).append((cy, ch.x0, ch.height, ch.get_text()))
        page.lines = _lines(prose, top)
        for x0, y0, x1, _y1, cells, texts in boxes:
            rows, grid = table_text_and_grid(cells.keys, {k: _join(v) for k, v in texts.items()},
                                             rules.TEXT_TABLE_CELLS)
            if rows:
                page.lines.append(Line(y0, x0, x1, 0.0, "", table=rows))
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


# -- ruled tables: segments --------------------------------------------------------------------
def segments(o, top: float, hs: list, vs: list) -> None:
    """A drawn line or rectangle as rule segments, y flipped to grow downwards."""
    x0, y0, x1, y1 = o.bbox
    y0, y1 = top - y1, top - y0
    w, h = x1 - x0, y1 - y0
    if h <= _THIN and w > _THIN:
        hs.append(((y0 + y1) / 2, x0, x1))
    elif w <= _THIN and h > _THIN:
        vs.append(((x0 + x1) / 2, y0, y1))
    elif w > _THIN and h > _THIN and type(o).__name__ == "LTRect":
        hs += [(y0, x0, x1), (y1, x0, x1)]
        vs += [(x0, y0, y1), (x1, y0, y1)]


def _join(chars: list) -> str:
    """Characters of one cell in reading order: lines top to bottom, wrapped lines joined."""
    chars.sort(key=lambda ch: ch[0])
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
