"""OCR: image bytes in, text lines and table grids out (pure: no network, no database).

Reports published as pictures (图片版 pages, scanned PDFs, tables pasted as images) are
read here: `ocr_blob(data)` takes an image file or a PDF and returns an `OcrResult`
(pages of text lines and ruled tables, with recognition scores); `ocr_text(result)`
turns a result into the paragraphs, table rows and grids the rest of `extract` reads.
PDF pages are rendered at `PDF_DPI` with pypdfium2. CPU-heavy: callers run it off their
event loop (the crawler uses a process pool) and cache results by the blob's hash and
`engine_version()`.
"""
from __future__ import annotations

import threading
import time

from ..attachments.sniff import sniff_kind
from .engines import DEFAULT_ENGINE, ENGINES, OcrError, get_engine
from .result import OcrLine, OcrPage, OcrResult, OcrTable
from .text import OcrText, ocr_text

PDF_DPI = 200
MAX_PAGES = 60          # a scanned report longer than this is read up to here

__all__ = ["DEFAULT_ENGINE", "ENGINES", "OcrError", "OcrLine", "OcrPage", "OcrResult", "OcrTable", "OcrText",
           "engine_version", "is_image", "ocr_blob", "ocr_json", "ocr_text", "pdf_page_images"]

def is_image(data: bytes) -> bool:
    """A raster image file OCR can read (PNG, JPEG, GIF, BMP, TIFF, WebP)."""
    return sniff_kind(data) == "image"


def engine_version(engine: str = DEFAULT_ENGINE) -> str:
    """Name and version of an engine and of our page reading: the OCR cache's key (the
    models are not loaded to answer)."""
    try:
        return ENGINES[engine].version_string()
    except KeyError:
        raise OcrError(f"unknown OCR engine {engine!r} (one of: {', '.join(ENGINES)})") from None


def ocr_json(data: bytes, engine: str = DEFAULT_ENGINE, threads: int = 0) -> tuple[str, float | None, float]:
    """`ocr_blob` as (JSON, confidence, seconds): what a worker process sends back."""
    res = ocr_blob(data, engine, threads)
    return res.to_json(), res.confidence, res.seconds


# pdfium is not thread-safe, not even for two documents: every call of it in a process
# goes through this lock (the sample portals' scanned pages too, rendered by server threads
# next to a test's own OCR: two renders at once crashed the process)
PDFIUM_LOCK = threading.RLock()


def pdf_page_images(body: bytes, dpi: int = PDF_DPI, max_pages: int = MAX_PAGES):
    """BGR images of a PDF's pages rendered at `dpi` (generator: one page in memory)."""
    import numpy as np
    import pypdfium2 as pdfium
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(body)
        pages = min(len(pdf), max_pages)
    try:
        for i in range(pages):
            with PDFIUM_LOCK:
                page = pdf[i]
                bitmap = page.render(scale=dpi / 72, grayscale=False)
                image = bitmap.to_pil()
                arr = np.array(image.convert("RGB"))[:, :, ::-1].copy()
                del image
                bitmap.close()
                page.close()
            yield arr
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def ocr_blob(data: bytes, engine: str = DEFAULT_ENGINE, threads: int = 0) -> OcrResult:
    """OCR of an image file or every page of a PDF."""
    from .image import decode
    from .page import read_page

    eng = get_engine(engine, threads)
    t0 = time.perf_counter()
    res = OcrResult(engine=eng.version)
    try:
        if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
            images = pdf_page_images(data)
        elif is_image(data):
            images = iter([decode(data)])
        else:
            raise OcrError("not an image or PDF")
        for img in images:                 # one page in memory at a time
            res.pages.append(read_page(img, eng))
    except OcrError:
        raise
    except Exception as e:                 # a broken file is a fact to report, not a crash
        raise OcrError(f"cannot read image ({type(e).__name__}: {e})") from e
    res.seconds = round(time.perf_counter() - t0, 3)
    return res
