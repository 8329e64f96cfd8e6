"""Reports as pictures, made from generated reports: printed pages photographed or
scanned (图片版 pages, scanned PDFs) and tables pasted into a page as images.

The pages are the text PDF of `demo.pdfs` rendered with pypdfium2, then aged the way real
scans are: grey or yellowed paper, a few degrees of rotation, sensor noise, JPEG
compression, and a red seal stamped over the last paragraph. Deterministic per seed, so
the gold (the generated report's text and figures) always describes the same pixels.
"""
from __future__ import annotations

import io
import math
import random

from nianbao.demo.content import Body, Table
from nianbao.demo.pdfs import text_pdf

DPI = 200


def _render(pdf: bytes, dpi: int = DPI):
    """The pages as PIL images. Under pdfium's lock: the portal server's threads may render
    two scans at once (pdfium is not thread-safe)."""
    import pypdfium2 as pdfium

    from nianbao.extract.ocr import PDFIUM_LOCK
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
        finally:
            doc.close()


def _seal(img, rnd: random.Random) -> None:
    """A red seal (ring, star, arc of marks) over the lower text of a page."""
    from PIL import ImageDraw
    d = ImageDraw.Draw(img, "RGBA")
    w, h = img.size
    cx, cy, r = int(w * 0.68), int(h * rnd.uniform(0.22, 0.3)), int(w * 0.09)
    red = (215, 30, 35, 150)
    for k in range(6):
        d.ellipse([cx - r + k, cy - r + k, cx + r - k, cy + r - k], outline=red)
    pts = [(cx + r * 0.35 * math.cos(math.pi / 2 + i * 4 * math.pi / 5),
            cy - r * 0.35 * math.sin(math.pi / 2 + i * 4 * math.pi / 5)) for i in range(5)]
    d.polygon(pts, fill=red)
    for i in range(14):
        a = math.pi * (0.15 + 0.7 * i / 13)
        x, y = cx - (r - 22) * math.cos(a), cy - (r - 22) * math.sin(a)
        d.rectangle([x - 7, y - 7, x + 7, y + 7], fill=red)


def aged(img, rnd: random.Random, *, skew: float = 0.0, paper=(238, 232, 210), noise: float = 6.0,
         seal: bool = False):
    """A clean page as a scan of it: paper tint, seal, rotation, noise (PIL image)."""
    import numpy as np
    from PIL import Image
    if seal:
        _seal(img, rnd)
    a = np.asarray(img).astype(np.float32) / 255.0
    a = a * (np.array(paper, np.float32) / 255.0)            # ink stays dark, paper takes the tint
    a = a * 255.0 + np.random.default_rng(rnd.randrange(1 << 30)).normal(0, noise, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if skew:
        out = out.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=paper)
    return out


def jpeg(img, quality: int = 70) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def page_images(title: str, body: Body, seed: str, *, skew: float = 0.0, seal: bool = False,
                paper=(238, 232, 210)) -> list[bytes]:
    """The report's printed pages as JPEG photographs (a 图片版 page's images)."""
    rnd = random.Random(seed)
    pages = _render(text_pdf(title, body))
    return [jpeg(aged(p, rnd, skew=skew, paper=paper, seal=seal and i == len(pages) - 1))
            for i, p in enumerate(pages)]


def scanned_report_pdf(title: str, body: Body, seed: str, *, skew: float = 1.5) -> bytes:
    """A scanned report: one JPEG a page, no text layer, tilted, on yellowed paper, with a
    red seal over the last page's text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for data in page_images(title, body, seed, skew=skew, seal=True, paper=(236, 226, 196)):
        c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def table_image(table: Table, seed: str) -> bytes:
    """One table as the PNG a CMS editor pastes in place of it (cropped to the table)."""
    import numpy as np
    from reportlab.lib.pagesizes import A4
    rnd = random.Random(seed)
    (page,) = _render(text_pdf("", Body([table]), pagesize=(A4[0], A4[1] * 2)), dpi=150)[:1]
    a = np.asarray(page.convert("L"))
    ys, xs = np.nonzero(a < 200)
    page = page.crop((max(0, xs.min() - 12), max(0, ys.min() - 12), xs.max() + 13, ys.max() + 13))
    return png(aged(page, rnd, paper=(250, 250, 250), noise=3.0))
