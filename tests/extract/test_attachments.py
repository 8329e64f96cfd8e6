"""Report attachments: text PDF (paragraphs, ruled table rows), DOCX (paragraphs, merged
cells), scanned PDF (recorded as having no text layer), Word 97 files (read or warned)."""
from __future__ import annotations

import io
import re
import shutil

import pytest

from nianbao.extract import extract_document
from nianbao.extract.attachments import sniff_kind

TITLE = "东湖区水利局2021年政府信息公开工作年度报告"
PARAS = [
    "本报告根据《中华人民共和国政府信息公开条例》要求编制，报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。"
    "本报告电子版可在东湖区人民政府门户网站下载，如对本报告有疑问，请与东湖区水利局办公室联系。",
    "一、总体情况",
    "2021年，东湖区水利局坚持以公开为常态、不公开为例外，全年主动公开政府信息421条，其中水利工程建设信息136条，"
    "防汛抗旱信息87条，河湖长制工作信息65条，均在法定期限内公开。",
]
ROWS = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
        ["行政规范性文件", "3", "1", "12"]]


def _text_pdf(title=TITLE, paras=PARAS, rows=ROWS, span_header=True) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=11, leading=18, wordWrap="CJK", firstLineIndent=22)
    head = ParagraphStyle("t", parent=body, fontSize=16, alignment=1, firstLineIndent=0, spaceAfter=12)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=40, rightMargin=40, invariant=1)
    flow = [Paragraph(title, head)] + [Paragraph(p, body) for p in paras]
    data = ([["第二十条第（一）项", "", "", ""]] if span_header else []) + rows
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), "STSong-Light")]
    if span_header:
        style.append(("SPAN", (0, 0), (-1, 0)))
    t = Table(data)
    t.setStyle(TableStyle(style))
    flow.append(t)
    doc.build(flow)
    return buf.getvalue()


def _scanned_pdf() -> bytes:
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for _ in range(2):
        img = Image.new("L", (300, 420), 250)
        d = ImageDraw.Draw(img)
        for y in range(40, 400, 20):
            d.rectangle([30, y, 270, y + 8], fill=60)
        png = io.BytesIO()
        img.save(png, "PNG")
        png.seek(0)
        c.drawImage(ImageReader(png), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = TITLE
    d.add_paragraph(TITLE)
    for p in PARAS:
        d.add_paragraph(p)
    t = d.add_table(rows=5, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（一）项"
    for r, row in enumerate(ROWS, start=1):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    t.cell(4, 0).merge(t.cell(4, 1)).text = "合计"       # a colspan cell …
    t.cell(3, 3).merge(t.cell(4, 3))                     # … and a rowspan down from 12
    d.add_paragraph("东湖区水利局")
    d.add_paragraph("2022年1月20日")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_text_pdf_paragraphs_title_and_table_rows():
    doc = extract_document(_text_pdf(), "http://www.dh.gov.cn/xxgk/nb/202201/P020220120_1.pdf")
    assert doc.content_type == "pdf" and not doc.no_text_layer
    assert doc.title == TITLE
    lines = doc.text.splitlines()
    assert lines[:3] == PARAS          # wrapped lines joined back into paragraphs, title left out
    assert "第二十条第（一）项" in lines           # a spanning cell written once
    assert "信息内容\t本年制发件数\t本年废止件数\t现行有效件数" in lines
    assert "行政规范性文件\t3\t1\t12" in lines
    assert ["行政规范性文件", "3", "1", "12"] in doc.tables[0]
    assert doc.tables[0][0] == ["第二十条第（一）项"] * 4    # the grid keeps spans expanded
    assert doc.is_report and doc.agency == "东湖区水利局" and doc.year == 2021
    assert doc.published == "2022-01-20"            # from the TRS attachment name P0YYYYMMDD


MERGED = [["第二十条第（一）项", "", "", ""],
          ["三、本年度办理结果", "（一）予以公开", "", "5"],
          ["", "（三）不予公开", "1.属于国家秘密", "0"],
          ["", "", "2.其他法律行政法规禁止公开", "1"]]
MERGED_SPANS = [((0, 0), (3, 0)), ((1, 1), (2, 1)), ((0, 1), (0, 3)), ((1, 2), (1, 3))]
MERGED_LINES = ["第二十条第（一）项",
                "三、本年度办理结果\t（一）予以公开\t5",
                "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密\t0",
                "三、本年度办理结果\t（三）不予公开\t2.其他法律行政法规禁止公开\t1"]


def _merged_pdf() -> bytes:
    """A ruled table whose labels span rows and columns (as table 3's do)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=11, leading=18, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=40, rightMargin=40, invariant=1)
    t = Table(MERGED, colWidths=[130, 120, 200, 50])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                           ("FONTNAME", (0, 0), (-1, -1), "STSong-Light")]
                          + [("SPAN", a, b) for a, b in MERGED_SPANS]))
    doc.build([Paragraph(PARAS[0], body), t])
    return buf.getvalue()


def _merged_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(PARAS[0])
    t = d.add_table(rows=4, cols=4)
    for r, row in enumerate(MERGED):
        for c, v in enumerate(row):
            if v:
                t.cell(r, c).text = v
    for (c0, r0), (c1, r1) in MERGED_SPANS:
        t.cell(r0, c0).merge(t.cell(r1, c1))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


MERGED_PUBLISHED = ["第二十条第（一）项",
                    "三、本年度办理结果\t（一）予以公开\t5",
                    "（三）不予公开\t1.属于国家秘密\t0",
                    "2.其他法律行政法规禁止公开\t1"]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_merged_cells_written_once_by_default(kind):
    """reports.text holds each published cell once: a rowspan label on its first row only."""
    body = _merged_pdf() if kind == "pdf" else _merged_docx()
    doc = extract_document(body, f"http://www.dh.gov.cn/xxgk/nb/merged.{kind}")
    assert doc.content_type == kind
    assert [l for l in doc.text.splitlines() if l in MERGED_PUBLISHED or "\t" in l] == MERGED_PUBLISHED
    # the row-repeated form stays in the grids
    assert doc.tables[0][3] == ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", "1"]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_merged_cells_rows_mode_repeats_rowspans_and_writes_colspans_once(kind, monkeypatch):
    from nianbao.extract import rules
    monkeypatch.setattr(rules, "TEXT_TABLE_CELLS", "rows")
    body = _merged_pdf() if kind == "pdf" else _merged_docx()
    lines = extract_document(body, f"http://www.dh.gov.cn/xxgk/nb/merged.{kind}").text.splitlines()
    assert [l for l in lines if l in MERGED_LINES or "\t" in l] == MERGED_LINES


def test_scanned_pdf_has_no_text_layer():
    doc = extract_document(_scanned_pdf(), "http://www.dh.gov.cn/xxgk/nb/202101/P020210129_2.pdf")
    assert doc.content_type == "pdf"
    assert doc.no_text_layer is True
    assert doc.text == ""
    assert any("no text layer" in w for w in doc.warnings)


def test_docx_paragraphs_merged_cells_and_signature():
    doc = extract_document(_docx(), "http://www.dh.gov.cn/xxgk/nb/report.docx")
    assert doc.content_type == "docx"
    assert doc.title == TITLE
    assert doc.text.splitlines()[:3] == PARAS     # the title line is metadata, not text
    lines = doc.text.splitlines()
    assert "第二十条第（一）项" in lines and "行政规范性文件\t3\t1\t12" in lines
    assert "合计\t" in lines           # the colspan once, its empty neighbour, not the cell merged down
    assert doc.tables[0][0] == ["第二十条第（一）项"] * 4     # the grid keeps spans expanded
    assert doc.tables[0][4] == ["合计", "合计", "", "12"]
    assert doc.agency == "东湖区水利局" and doc.published == "2022-01-20" and doc.year == 2021
    assert doc.is_report


def test_broken_pdf_and_docx_give_a_document_with_a_warning():
    pdf = extract_document(b"%PDF-1.4\n1 0 obj <<>> garbage", "http://x/a.pdf")
    assert pdf.content_type == "pdf" and pdf.text == "" and pdf.warnings
    dx = extract_document(b"PK\x03\x04" + b"word/document.xml" + b"\x00" * 50, "http://x/a.docx")
    assert dx.content_type == "docx" and dx.text == "" and any("docx" in w for w in dx.warnings)


def test_word97_file_is_read_or_warned():
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000
    doc = extract_document(body, "http://www.dh.gov.cn/xxgk/nb/report.doc")
    assert doc.content_type == "doc"
    if not (shutil.which("antiword") or shutil.which("catdoc")):
        assert any("antiword or catdoc" in w for w in doc.warnings)
    assert not doc.is_report


@pytest.mark.parametrize("body,url,headers,kind", [
    (b"%PDF-1.7 ...", "http://x/a", None, "pdf"),
    (b"<html><body>x</body></html>", "http://x/a.pdf", None, "html"),
    (b"anything", "http://x/download?id=3", {"Content-Type": "application/pdf"}, "pdf"),
    (b"anything", "http://x/a.wps", None, "doc"),
    (b"\x89PNG\r\n\x1a\n....", "http://x/a.html", None, "image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "http://x/a", None, "doc"),
])
def test_sniff_kind(body, url, headers, kind):
    assert sniff_kind(body, url, headers) == kind


@pytest.mark.slow          # runs antiword, catdoc and LibreOffice
def test_word97_readers_are_installed_and_rebuild_table_rows_into_grids():
    """antiword and catdoc come with `make` (system-deps), the fallback where LibreOffice
    is not installed; a .doc's figures come from grids rebuilt from its table rows, never
    shifted into the wrong column, though rows the readers drop are missing."""
    import shutil

    from nianbao.demo.worddoc import DOC_REPORTS, doc_report
    from nianbao.extract.attachments.word import word97_readers
    assert shutil.which("antiword") and shutil.which("catdoc"), "make system-deps installs antiword and catdoc"
    g, data = doc_report(next(iter(DOC_REPORTS)))
    read = word97_readers(data)
    assert read.grids and not read.warnings
    doc = extract_document(data, "http://x/P020210126_1.doc")
    assert doc.content_type == "doc" and doc.is_report and doc.title == g.title and doc.tables


@pytest.mark.slow          # runs antiword, catdoc and LibreOffice
def test_word97_through_libreoffice_gives_every_figure_with_tables_whole():
    """LibreOffice (installed by `make`) converts a .doc to DOCX: its tables keep their
    merged cells, so every gold figure is read where the plain readers lose rows."""
    import shutil

    from nianbao.demo.worddoc import DOC_REPORTS, doc_report
    from nianbao.extract import extract_document as extract
    from nianbao.extract.attachments.word import doc_text, word97_readers
    assert shutil.which("soffice"), "make system-deps installs LibreOffice (libreoffice-writer-nogui)"
    g, data = doc_report(next(iter(DOC_REPORTS)))
    whole = doc_text(data)
    assert whole.tables and not whole.warnings
    doc = extract(data, "http://x/P020210126_1.doc")
    got = {(f.table, f.row_key, f.col_key): f.value for f in doc.figures.figures}
    assert {k: got.get(k) for k in g.figures} == g.figures
    plain = extract_document_from(word97_readers(data))
    assert len(plain) < len(got)


def extract_document_from(text) -> dict:
    """Figures of a reading (lines and grids), as the pipeline reads them."""
    from nianbao.extract.tables import extract_figures
    return {(f.table, f.row_key, f.col_key): f.value
            for f in extract_figures(text.grids, "\n".join(text.lines)).figures}


# -- hard PDFs: real layouts ---------------------------------------------------------------------
def test_real_report_pdf_every_gold_figure_identities_and_paragraphs():
    """淮安 2024 (a real report): a framed opening paragraph with punctuation hanging out of
    the frame, table 3 broken by a page inside its （四）无法提供 label: all 26 hand-read
    figures, every check passing, prose as paragraphs."""
    import json

    from tests.support import REAL_PAGES

    gold = json.loads((REAL_PAGES / "huaian-2024-report.gold.json").read_text(encoding="utf-8"))
    doc = extract_document((REAL_PAGES / "huaian-2024-report.pdf").read_bytes(),
                           "http://www.huaian.gov.cn/xxgk/nb/huaian-2024-report.pdf")
    assert (doc.title, doc.agency, doc.year, doc.is_report) == (
        gold["meta"]["title"], gold["meta"]["agency"], gold["meta"]["year"], True)
    got = {f"{f.table}/{f.row_key}/{f.col_key}": f.value for f in doc.figures.figures}
    assert {k: got.get(k) for k in gold["figures"]} == gold["figures"]
    assert doc.figures.format == "2021"
    assert doc.figures.checks and all(c.ok is True for c in doc.figures.checks)
    lines = doc.text.splitlines()
    assert lines[0] == ("本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）"
                        "（以下简称《条例》）规定编制。报告所列统计期限自2024年1月1日至2024年12月31日。")
    assert any(l.startswith("（五）政府信息公开监督保障情况。根据省政务公开年度和季度监测指标，全年组织4次")
               and l.endswith("工作能力和水平。") for l in lines)
    assert not [l for l in lines if re.fullmatch(r"[、。，,.；]+", l)]
    assert not [l for l in lines if l.startswith("法提供")]
    assert all(len(t[0]) > 1 for t in doc.tables)               # no framed paragraph as a table
    (t3,) = [t for t in doc.tables if any("本年新收" in c for c in t[3])]
    assert ["三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作", "11"] == t3[16][:4]
    assert t3[-1][0] == "四、结转下年度继续办理" and t3[-1][-1] == "103"


def test_generated_report_printed_hard_way_gives_its_gold():
    """A report as office tools print it (the PDF portal's 2021 report): table 3 broken
    over pages with different column rules, labels drawn as a label and an empty cell, a
    framed opening paragraph, "about:blank" as metadata title."""
    from nianbao.demo.generated import generate_report
    from nianbao.demo.pdfs import text_pdf
    from nianbao.extract.attachments.pdf import pdf_info_title, read_pdf

    g = generate_report("东湖区人民政府", 2021, "2021", seed=18, published="2022-01-28")
    body = text_pdf(g.title, g.body, hard=True)
    pages, grids, _, _ = read_pdf(body)
    t3_pages = [i for i, p in enumerate(pages) for l in p.lines
                if l.table and any("结转" in r or "予以公开" in r for r in l.table)]
    assert len(t3_pages) == 1                                  # one table, placed once
    assert pdf_info_title(body) == ""
    doc = extract_document(body, "http://www.dh.gov.cn/xxgk/nb/202201/P020220128_1.pdf")
    got = {(f.table, f.row_key, f.col_key): f.value for f in doc.figures.figures}
    assert {k: got.get(k) for k in g.figures} == g.figures
    assert doc.figures.identity_ok is True
    assert doc.title == g.title and doc.is_report
    assert doc.text.splitlines()[0] == g.body.blocks[0].text


@pytest.mark.parametrize("meta,want", [
    ("about:blank", ""), ("Microsoft Word - 2020年报告.doc", ""), ("附件1.docx", ""),
    ("http://www.dh.gov.cn/xxgk/nb/1.html", ""), ("Untitled", ""), ("report", ""),
    ("东湖区2020年政府信息公开工作年度报告", "东湖区2020年政府信息公开工作年度报告"),
])
def test_pdf_metadata_title_used_only_when_real(meta, want):
    """Without a title line in the text, the metadata title is the title, unless a tool
    wrote it (Chromium's about:blank, Word's "Microsoft Word - x.doc", file names)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setTitle(meta)
    c.drawString(72, 720, "x")
    c.save()
    from nianbao.extract.attachments.pdf import pdf_info_title
    assert pdf_info_title(buf.getvalue()) == want
