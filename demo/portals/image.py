"""A county portal whose reports are pictures or old Word files, as many county and
department reports are: a 图片版 page (the printed report as page images), a scanned PDF
(tilted, yellowed, JPEG noise, a red seal over the text), an HTML report whose tables
were pasted as images, and a Word 97 `.doc` attachment. All made from generated reports,
so the gold text and figures are known; OCR and the Word readers must recover them.
Static UTF-8 site with TRS-like paths; images live under the article's folder.
"""
from __future__ import annotations

import threading

from nianbao.demo.content import Body, Para, Table, esc, render_blocks
from nianbao.demo.generated import generate_report
from nianbao.demo.messages import Response
from nianbao.demo.model import Column
from nianbao.demo.portals.pdf import PdfPortal
from nianbao.demo.scans import page_images, scanned_report_pdf, table_image
from nianbao.demo.worddoc import DOC_REPORTS, doc_report

_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf", ".doc": "application/msword"}


class ImagePortal(PdfPortal):
    family = "image-report"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.files: dict[str, callable] = {}
        self._files: dict[str, bytes] = {}
        self._files_lock = threading.Lock()
        self._rendered: dict[str, list[bytes]] = {}

    def file(self, path: str) -> bytes:
        with self._files_lock:                 # made on first request: rendering takes a moment
            if path not in self._files:
                self._files[path] = self.files[path]()
            return self._files[path]

    def route(self, req, state):
        if req.path in self.files:
            ext = req.path[req.path.rfind("."):]
            return Response(200, self.file(req.path), {"Content-Type": _TYPES[ext]})
        return super().route(req, state)

    def _pictures(self, col: Column, g, kind: str, html_of):
        """A report page whose body is `html_of(art, base)`; gold read by OCR."""
        art = self.generated_report(col, g)
        art.report.ocr = kind
        base = f"{col.path}{g.published[:7].replace('-', '')}/W0{g.published.replace('-', '')}_{art.id}"
        html = html_of(base)
        art.body = {"first": html, "second": html}
        return art

    def picture_report(self, col: Column, g) -> None:
        """图片版: the page is the report's printed pages, one JPEG each."""
        def html_of(base):
            n = len(self._page_images(g))
            for i in range(n):
                self.files[f"{base}_{i + 1}.jpg"] = lambda i=i: self._page_images(g)[i]
            return "".join(f'<p style="text-align:center;"><img src="{base.rsplit("/", 1)[-1]}_{i + 1}.jpg" '
                           f'width="600" alt=""/></p>' for i in range(n))
        self._pictures(col, g, "image-page", html_of)

    def _page_images(self, g) -> list[bytes]:
        key = g.title
        if key not in self._rendered:
            self._rendered[key] = page_images(g.title, g.body, g.title, paper=(225, 225, 225))
        return self._rendered[key]

    def image_table_report(self, col: Column, g) -> None:
        """An HTML report whose tables were pasted as images."""
        def html_of(base):
            blocks, n = [], 0
            for b in g.body.blocks:
                if isinstance(b, Table):
                    n += 1
                    self.files[f"{base}_t{n}.png"] = lambda b=b, n=n: table_image(b, f"{g.title}/{n}")
                    blocks.append(f'<p style="text-align:center;"><img src="{base.rsplit("/", 1)[-1]}_t{n}.png" '
                                  f'alt=""/></p>')
                else:
                    blocks.append(render_blocks([b]))
            return "\n".join(blocks)
        self._pictures(col, g, "image-tables", html_of)

    def scanned_report(self, col: Column, g) -> None:
        """A pointer page whose report is a scanned PDF (no text layer)."""
        art = self.pdf_report(col, g)
        art.report.no_text_layer = True
        art.report.ocr = "scanned-pdf"
        self.pdf_makers[art.report.attachment_path] = lambda: scanned_report_pdf(g.title, g.body, g.title)

    def word_report(self, col: Column, name: str) -> None:
        """A pointer page whose report is a Word 97 .doc attachment."""
        g, data = doc_report(name)
        art = self.pdf_report(col, g)
        pdf_path = art.report.attachment_path
        doc_path = pdf_path[:-4] + ".doc"
        del self.pdf_makers[pdf_path]
        art.report.attachment_path = doc_path
        html = art.body["first"].replace(esc(pdf_path), esc(doc_path)).replace(".pdf", ".doc")
        art.body = {"first": html, "second": html}
        self.files[doc_path] = lambda: data


def build(news_count: int = 50) -> ImagePortal:
    # 西岭: a county of our own under 成都 (its site code that of 大邑县, where 西岭雪山 is)
    p = ImagePortal("image", "西岭县人民政府", "西岭县人民政府", news_count=news_count, icp="川ICP备10001234号",
                    site_code="5101290001")
    p.col_dirs = {"nb": "/xxgk/nb/", "tzgg": "/xxgk/tzgg/", "wzndbb": "/xxgk/wzndbb/", "xwdt": "/xwdt/",
                  "hist": "/hist/xxgk/"}
    rep = p.add_column("nb", "政府信息公开年度报告", ("政府信息公开", "xxgk"))
    tzgg = p.add_column("tzgg", "通知公告", ("政府信息公开", "xxgk"))
    wz = p.add_column("wzndbb", "政府网站工作年度报表", ("政府信息公开", "xxgk"))
    news = p.add_column("xwdt", "新闻动态")
    hist = p.add_column("hist", "历史公开信息", ("政府信息公开", "xxgk"))
    p.robots_prefix = "/hist/"
    p.add_traps(rep, tzgg, wz, news)
    p.picture_report(rep, generate_report("西岭县人民政府", 2023, "2021", seed=31, published="2024-01-25"))
    p.scanned_report(rep, generate_report("西岭县教育局", 2022, "2019", seed=32, published="2023-01-20"))
    p.image_table_report(rep, generate_report("西岭县卫生健康局", 2023, "2021", seed=33, published="2024-01-19"))
    for name in DOC_REPORTS:
        p.word_report(rep, name)
    art = p.generated_report(hist, generate_report("西岭县财政局", 2021, "2021", seed=35, published="2022-01-21"),
                             robots_disallowed=True)
    rep.extra_links.append((art.title, art.path, art.published))
    p.add_news(news, news_count)
    return p
