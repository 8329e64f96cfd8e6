"""PDF attachments for the sample portals, made with reportlab.

Text PDFs use reportlab's built-in CID font STSong-Light (no font file needed), so the
Chinese text sits in a real text layer that pdfminer extracts. The scanned-style PDF is
one raster image a page and has no text layer at all, like a 图片版 report.
"""
from __future__ import annotations

import io
import random

from nianbao.demo.content import Body, Cell, Para, Table

FONT = "STSong-Light"


def _styles():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK",
                          firstLineIndent=22, spaceAfter=4)
    head = ParagraphStyle("head", parent=body, fontSize=12, firstLineIndent=0, spaceBefore=6)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1, firstLineIndent=0,
                           spaceAfter=12)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9, wordWrap="CJK", alignment=1)
    return body, head, title, cell


def _grid(t: Table):
    """Span-expanded positions of a Table: (cells matrix, SPAN commands)."""
    placed: dict[tuple[int, int], str] = {}
    spans = []
    taken: set[tuple[int, int]] = set()
    ncols = 0
    for r, row in enumerate(t.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed[(r, c)] = cell.text
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
            c += cell.colspan
            ncols = max(ncols, c)
    return placed, spans, ncols


def hard_body(body: Body) -> Body:
    """The body as office tools draw it: a label spanning two columns of one row
    (（一）予以公开, （七）总计, …) drawn as the label and an empty cell."""
    import copy

    out = copy.deepcopy(body)
    for b in out.blocks:
        if isinstance(b, Table):
            for row in b.rows:
                for i in range(len(row) - 1, -1, -1):
                    c = row[i]
                    if c.colspan == 2 and c.rowspan == 1 and not c.text[:1].isdigit():
                        c.colspan = 1
                        row.insert(i + 1, Cell(""))
    return out


def text_pdf(title: str, body: Body, pagesize=None, *, hard: bool = False) -> bytes:
    """A report as a text-layer PDF. `hard`: as office tools print real ones: the opening
    paragraph in a ruled frame, label cells spanning two columns drawn as a label and an
    empty cell, and a metadata title Chromium writes for a page without <title>."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle
    from xml.sax.saxutils import escape

    body_st, head_st, title_st, cell_st = _styles()
    if hard:
        body = hard_body(body)
    buf = io.BytesIO()
    pagesize = pagesize or A4
    doc = SimpleDocTemplate(buf, pagesize=pagesize, title="about:blank" if hard else title, author="",
                            leftMargin=40, rightMargin=40,
                            topMargin=50, bottomMargin=50, invariant=1)
    flow = [Paragraph(escape(title), title_st)] if title else []
    width = pagesize[0] - 80
    for i, b in enumerate(body.blocks):
        if isinstance(b, Para):
            para = Paragraph(escape(b.text), head_st if b.heading else body_st)
            if hard and i == 0:
                framed = RLTable([[para]], colWidths=[width])
                framed.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.black)]))
                para = framed
            flow.append(para)
        else:
            placed, spans, ncols = _grid(b)
            nrows = len(b.rows)
            data = [[Paragraph(escape(placed[(r, c)]), cell_st) if (r, c) in placed else ""
                     for c in range(ncols)] for r in range(nrows)]
            if ncols >= 10:
                widths = [width * 0.1] * 3 + [width * 0.7 / (ncols - 3)] * (ncols - 3)
            else:
                widths = [width / ncols] * ncols
            tbl = RLTable(data, colWidths=widths, repeatRows=0)
            tbl.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE")] + spans))
            flow += [tbl, Spacer(1, 8)]
    doc.build(flow)
    return buf.getvalue()


def scanned_pdf(seed: str, pages: int = 3) -> bytes:
    """Raster pages of 'printed lines' (grey bars): a scan with no text layer."""
    from PIL import Image, ImageDraw, ImageFilter
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for n in range(pages):
        img = Image.new("L", (620, 877), 250)
        d = ImageDraw.Draw(img)
        y = 60
        if n == 0:
            d.rectangle([180, y, 440, y + 16], fill=60)
            y += 50
        while y < 820:
            indent = 40 if rnd.random() < 0.2 else 0
            x1 = 560 if rnd.random() > 0.15 else rnd.randint(200, 540)
            x = 50 + indent
            while x < x1:                     # glyph-sized blobs, like a scanned line of text
                w = rnd.randint(9, 12)
                d.rectangle([x, y, x + w, y + 11], fill=rnd.randint(40, 90))
                x += w + 3
            y += 24
        img = img.filter(ImageFilter.GaussianBlur(0.6))
        png = io.BytesIO()
        img.save(png, "PNG")
        png.seek(0)
        c.drawImage(ImageReader(png), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()
