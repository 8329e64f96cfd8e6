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
from ..published import PublishedTable, published_rows
from ..tables.labels import T3_GROUP_CORES, core, t2_row_key, t3_row_key
from ..tables.ruled import CellLayout, ruled_tables, table_text_and_grid
from .text import AttachmentText, split_title

_PAGE_NO = re.compile(r"^[-—–－\s]*(第\s*)?\d{1,4}(\s*页)?[-—–－\s]*$|^\d+\s*/\s*\d+$")
_PUNCT_ONLY = re.compile(r"^[、。，,.；;：:！!？?）)」』”’]+$")
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


# What tools write as a title when the author gave none: the page Chromium printed
# ("about:blank"), a URL, a file name, Word's "Microsoft Word - x.doc", placeholders.
_JUNK_TITLE = re.compile(r"^$|^about:|^[a-z]+://|^microsoft\s+(word|excel|powerpoint)\b|^wps\b"
                         r"|\.(docx?|wps|pdf|xlsx?|html?|txt|rtf)$|^(untitled|无标题|新建\S*文档)", re.I)
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2}")


def pdf_info_title(body: bytes) -> str:
    """The /Title of the PDF's document information, when it has a real one (Chinese
    words, not a tool's placeholder or a file name)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(body)))
        for info in doc.info:
            t = info.get("Title")
            if isinstance(t, bytes):
                t = t.decode("utf-16") if t.startswith((b"\xfe\xff", b"\xff\xfe")) else t.decode("utf-8", "replace")
            if isinstance(t, str) and not _JUNK_TITLE.search(t.strip()) and _CJK_WORD.search(t):
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
    ruled_by_page: list[list[_Ruled]] = []
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
                segments(o, top, hs, vs)
            elif isinstance(o, LTFigure):
                stack.extend(o)
        nchars += sum(1 for ch in chars if ch.get_text().strip())
        page = Page()
        boxes = []
        for h_comp, v_comp in ruled_tables(hs, vs, _TOL):
            ruled = _Ruled(h_comp, v_comp)
            if ruled.keys and len(ruled.layout.xs) > 2:   # a framed paragraph is prose, not a table
                boxes.append(ruled)
        boxes.sort(key=lambda b: b.y0)
        prose = []
        for ch in chars:
            cx, cy = (ch.x0 + ch.x1) / 2, top - (ch.y0 + ch.y1) / 2
            box = next((b for b in boxes if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1), None)
            if box is None:
                prose.append(ch)
            elif ch.get_text().strip():
                box.chars.append((cx, cy, ch.x0, ch.height, ch.get_text()))
        page.lines = _lines(prose, top)
        page.lines.sort(key=lambda l: l.y)
        ruled_by_page.append(boxes)
        pages.append(page)
    _join_continued(pages, ruled_by_page)
    for page, boxes in zip(pages, ruled_by_page):
        for b in boxes:
            if b.keys is None:
                continue
            texts = b.texts()
            rows, grid = table_text_and_grid(b.keys, texts, rules.TEXT_TABLE_CELLS)
            if rows:
                page.lines.append(Line(b.y0, b.x0, b.x1, 0.0, "", table=rows))
                grids.append(grid)
                tables.append(PublishedTable(rows=published_rows(b.keys, lambda k, t=texts: t.get(k, "")),
                                             text_lines=rows))
        page.lines.sort(key=lambda l: l.y)
        text_lines = [l for l in page.lines if l.table is None]
        if text_lines:
            page.left = min(l.x0 for l in text_lines)
            page.right = max(l.x1 for l in text_lines)
    return pages, grids, nchars, tables


class _Ruled:
    """One ruled table of a page: its rules, cell layout and characters."""

    def __init__(self, hs: list, vs: list, xs: list[float] | None = None) -> None:
        self.hs, self.vs = hs, vs
        self.layout = CellLayout(hs, vs, _TOL, xs)
        self.x0, self.x1 = self.layout.xs[0], self.layout.xs[-1]
        self.y0, self.y1 = self.layout.ys[0], self.layout.ys[-1]
        self.keys: list[list[int]] | None = self.layout.keys   # None once joined to the table before
        self.chars: list[tuple] = []                           # (cx, cy, x0, height, text)
        self.extra: dict[int, str] = {}                        # text continued from the next page

    def refine(self, xs: list[float]) -> None:
        """Lay the table out on finer column positions (its cells merge where it has no rule)."""
        chars = self.chars
        self.__init__(self.hs, self.vs, xs)
        self.chars = chars

    def cell_texts(self) -> dict[int, str]:
        """Each cell's own characters joined."""
        cells: dict[int, list] = {}
        for cx, cy, x0, h, t in self.chars:
            k = self.layout.at(cx, cy)
            if k is not None:
                cells.setdefault(k, []).append((cy, x0, h, t))
        return {k: _join(v) for k, v in cells.items()}

    def texts(self) -> dict[int, str]:
        out = self.cell_texts()
        for k, t in self.extra.items():
            out[k] = out.get(k, "") + t
        return out


def _same_columns(a: list[float], b: list[float]) -> bool:
    """Column rules of two parts of one table: equal outer edges, and every rule of the
    coarser part is a rule of the finer (a part with no row crossing a rule lacks it)."""
    fine, coarse = (a, b) if len(a) >= len(b) else (b, a)
    near = lambda x, xs: any(abs(x - y) <= 3.0 for y in xs)  # noqa: E731
    return (abs(a[0] - b[0]) <= 3.0 and abs(a[-1] - b[-1]) <= 3.0
            and all(near(x, fine) for x in coarse))


def _alone_at(page: Page, y0: float, y1: float, top: bool) -> bool:
    """No text but a page number above (top) or below (bottom) the table spanning y0..y1."""
    return not any((l.y < y0 if top else l.y > y1) and not _PAGE_NO.match(l.text) for l in page.lines)


def _join_continued(pages: list[Page], tables: list[list[_Ruled]]) -> None:
    """A table ending a page and one with the same columns starting the next are one table
    broken by the page: the rows join, a repeated header is dropped, and a label cell cut
    by the break (its text running on, or a row-spanning label left empty below the break)
    becomes one cell."""
    chains: list[list[_Ruled]] = []
    chain: list[_Ruled] | None = None
    for page, boxes in zip(pages, tables):
        first = boxes[0] if boxes else None
        if not (chain and first and _alone_at(page, first.y0, first.y1, True)
                and _same_columns(max((p.layout.xs for p in chain), key=len), first.layout.xs)):
            chain = None
        elif first not in chain:
            chain.append(first)
        tail = boxes[-1] if boxes else None
        if tail is None or not _alone_at(page, tail.y0, tail.y1, False):
            chain = None
        elif chain is None or tail is not chain[-1]:
            chain = [tail]
            chains.append(chain)
    for chain in (c for c in chains if len(c) > 1):
        xs = max((p.layout.xs for p in chain), key=len)
        for part in chain:
            if len(part.layout.xs) != len(xs):
                part.refine(xs)
        for part in chain[1:]:
            _append(chain[0], part)
            part.keys = None


def _append(head: _Ruled, cont: _Ruled) -> None:
    texts_h, texts_c = head.texts(), cont.cell_texts()
    keys = [list(r) for r in cont.layout.keys]
    n_head = 0                                        # a header repeated on the new page
    while (n_head < len(keys) and n_head < len(head.keys)
           and [texts_c.get(k, "") for k in keys[n_head]] == [texts_h.get(k, "") for k in head.keys[n_head]]):
        n_head += 1
    keys = keys[n_head:]
    if not keys:
        return
    offset = max(k for r in head.keys for k in r) + 1
    remap = {k: k + offset for r in keys for k in r}
    bottom = head.keys[-1]
    span = lambda row, k: {c for c, x in enumerate(row) if x == k}  # noqa: E731
    for c, k in enumerate(keys[0]):
        above, below = texts_h.get(bottom[c], ""), texts_c.get(k, "")
        if (above and not _is_value(above) and not _is_value(below) and not _own_label(below)
                and (c == 0 or keys[0][c - 1] != k) and span(bottom, bottom[c]) == span(keys[0], k)):
            remap[k] = bottom[c]
            if below:
                head.extra[bottom[c]] = head.extra.get(bottom[c], "") + below
    for k, v in texts_c.items():
        if remap.get(k, -1) >= offset:
            head.extra[remap[k]] = v
    head.keys = head.keys + [[remap[k] for k in r] for r in keys]


_LABEL_START = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])")
_VALUE = re.compile(r"^[\s\d.,，%‰\-—–/／]*$")


def _own_label(s: str) -> bool:
    """A cell that starts a row of its own: numbered, or a label of the report tables."""
    return bool(_LABEL_START.match(s) or t3_row_key(s) or t2_row_key(s) or T3_GROUP_CORES.get(core(s)))


def _is_value(s: str) -> bool:
    return bool(s.strip()) and bool(_VALUE.match(s))


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
            if ln.table is None and _PUNCT_ONLY.match(ln.text) and out:
                out[-1] += ln.text            # punctuation pushed onto a line of its own
                continue
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
