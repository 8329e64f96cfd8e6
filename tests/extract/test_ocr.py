"""OCR of reports published as pictures (extract/ocr): engines present, geometry, and the
sample portals' picture material read back to its gold figures and text."""
from __future__ import annotations

import shutil

import pytest

from nianbao.demo.content import Table
from nianbao.demo.gold import bigram_f1 as f1
from nianbao.demo.generated import generate_report
from nianbao.demo.scans import scanned_report_pdf, table_image
from nianbao.extract import extract_document, extract_with_ocr
from nianbao.extract.ocr import OcrResult, engine_version, ocr_blob
from nianbao.extract.ocr.engines import get_engine
from nianbao.extract.ocr.page import cell_text
from nianbao.extract.tables.labels import cell_kind




def test_engines_are_installed_and_rapidocr_needs_no_download():
    assert shutil.which("tesseract"), "Debian's tesseract-ocr is missing (make system-deps)"
    assert get_engine("tesseract").version.startswith("tesseract")
    assert engine_version("rapidocr").startswith("rapidocr 3.")
    assert get_engine("rapidocr").read_lines([]) == []


@pytest.mark.parametrize("raw,want", [("0", "zero"), ("12", "number"), ("", "blank"), ("—", "dash"),
                                      ("/", "dash"), ("无", "dash"), ("予以公开", "text")])
def test_cells_keep_their_kind(raw, want):
    assert cell_kind(raw) == want


@pytest.mark.parametrize("raw,want", [("一", "—"), ("1O", "10"), ("(六)其他", "（六）其他"), ("1. 申请人", "1.申请人")])
def test_recognised_cells_are_mended(raw, want):
    assert cell_text(raw) == want


@pytest.mark.slow
def test_a_tilted_yellowed_sealed_scan_gives_every_gold_figure_and_its_text():
    g = generate_report("西岭县教育局", 2022, "2019", seed=32)
    pdf = scanned_report_pdf(g.title, g.body, g.title)
    plain = extract_document(pdf, "http://x/P020230120_1.pdf")
    assert plain.no_text_layer and plain.ocr_inputs == [""] and plain.text == ""
    res = ocr_blob(pdf)
    assert all(abs(p.angle) > 1 for p in res.pages)                # the skew was found
    doc = extract_document(pdf, "http://x/P020230120_1.pdf", ocr={"": OcrResult.from_json(res.to_json())})
    got = {(f.table, f.row_key, f.col_key): f.value for f in doc.figures.figures}
    assert {k: got.get(k, "missing") for k in g.figures} == g.figures
    assert doc.figures.identity_ok is True and doc.title == g.title and doc.is_report
    assert f1(doc.text, g.body.gold_text()) >= 0.95
    assert doc.text_source == "ocr" and doc.ocr_engine == res.engine and doc.ocr_confidence > 0.8
    assert all(f.ocr and f.confidence is not None for f in doc.figures.figures if f.table == 3)
    blanks = [f for f in doc.figures.figures if f.value is None]
    assert blanks and all(f.kind in ("blank", "dash") for f in blanks)


@pytest.mark.slow
def test_image_tables_of_an_html_report_are_read_cell_by_cell():
    g = generate_report("西岭县卫生健康局", 2023, "2021", seed=33)
    html, images = ['<html><head><title>' + g.title + '</title></head><body><div class="TRS_Editor">'], {}
    for n, b in enumerate(g.body.blocks):
        if isinstance(b, Table):
            images[f"http://x/t{n}.png"] = table_image(b, str(n))
            html.append(f'<p><img src="t{n}.png"></p>')
        else:
            html.append(f"<p>{b.text}</p>")
    body = ("".join(html) + "</div></body></html>").encode()
    assert set(extract_document(body, "http://x/a.html").ocr_inputs) == set(images)
    doc = extract_with_ocr(body, "http://x/a.html", None, images, ocr_blob)
    got = {(f.table, f.row_key, f.col_key): f.value for f in doc.figures.figures}
    assert {k: got.get(k, "missing") for k in g.figures} == g.figures
    assert doc.text_source == "mixed" and f1(doc.text, g.body.gold_text()) >= 0.95


_PDFIUM_THREADS = r"""
import threading, sys
from nianbao.demo import scans
from nianbao.demo.content import Body, Para
from nianbao.demo.pdfs import text_pdf
from nianbao.extract.ocr import pdf_page_images

pdf = text_pdf("标题", Body([Para("第一段。" * 40), Para("第二段。" * 40)]))
errors = []

def work(i):
    try:
        for _ in range(6):
            if i % 2:
                scans._render(pdf, dpi=60)
            else:
                list(pdf_page_images(pdf, dpi=60))
    except Exception as exc:
        errors.append(exc)

threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
for t in threads: t.start()
for t in threads: t.join()
sys.exit(1 if errors else 0)
"""


@pytest.mark.slow
def test_pdfium_from_many_threads_at_once_does_not_crash_the_process():
    """pdfium is not thread-safe: the sample portals' server threads render scans while a
    test OCRs in the same process (two at once killed a test run with a segfault)."""
    import subprocess
    import sys

    from tests.support import ROOT
    from tests.support.ops import env
    proc = subprocess.run([sys.executable, "-c", _PDFIUM_THREADS], cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
