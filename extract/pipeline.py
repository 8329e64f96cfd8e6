"""`extract_document`: one fetched body (HTML page or attachment) to one `Document`.

Steps: sniff the kind, decode, read the main text and tables, read metadata, detect the
script and convert to Simplified (keeping the original), decide whether it is a report,
and read the report's figures (`extract.tables`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import urljoin

from . import metadata as meta
from . import script as sc
from .attachments import attachment_text, sniff_kind
from .decode import decode_body
from .document import Document, FigureSet
from .html.dom import parse_html
from .html.chrome import clean_lines
from .html.main import extract_main
from .html.render import IMAGE_MARK
from .html.shell import looks_like_shell
from .published import PublishedTable, place
from .attachments.text import first_title, split_title
from .ocr.result import OcrResult
from .ocr.text import OcrText, ocr_text
from .tables import extract_figures
from .tables.labels import section_of

EXTRACTOR_VERSION = "1.3.1"
_WS = re.compile(r"\s+")
# A report page whose own text is shorter than this (title and chrome gone) is a 图片版
# page: the report is its images.
SHORT_TEXT = 300


def _figures(grids, text: str, html: str | None, doc: Document, scores=None) -> FigureSet:
    try:
        return extract_figures(grids, text, html=html, scores=scores)
    except Exception as e:  # a table the reader cannot follow must not lose the document
        doc.warnings.append(f"figures: {type(e).__name__}: {e}")
        return FigureSet()


def _use_ocr(doc: Document, results: list[OcrResult], text: OcrText, own_chars: int) -> None:
    """Provenance of a document some of whose text came from OCR."""
    doc.text_source = "ocr" if own_chars < 50 else "mixed"
    doc.ocr_engine = results[0].engine if results else None
    doc.ocr_confidence = text.confidence


def _finish(doc: Document, lines: list[str], grids, title: str, html: str | None = None,
            tables: list[PublishedTable] | None = None, scores=None) -> Document:
    """Script detection and conversion, agency, year, report decision, figures, and the
    published tables placed in the final text."""
    tables = tables or []
    place(tables, lines)
    text_orig = sc.strip_pinyin("\n".join(lines))
    title_orig = sc.strip_pinyin(title)
    doc.text_original, doc.title_original = text_orig, title_orig
    doc.script = sc.detect_script(title_orig + "\n" + text_orig)
    if doc.script == "traditional":
        cfg = sc.choose_config(title_orig + "\n" + text_orig)
        doc.opencc_config = cfg
        doc.text = sc.to_simplified(text_orig, cfg)
        doc.title = sc.to_simplified(title_orig, cfg)
        doc.source = sc.to_simplified(doc.source, cfg) if doc.source else doc.source
        doc.publisher = sc.to_simplified(doc.publisher, cfg) if doc.publisher else doc.publisher
        grids = [[[sc.to_simplified(sc.strip_pinyin(c), cfg) for c in row] for row in g] for g in grids]
        for t in tables:
            t.rows = [[[sc.to_simplified(sc.strip_pinyin(c[0]), cfg), *c[1:]] for c in row] for row in t.rows]
    else:
        doc.text, doc.title = text_orig, title_orig
        if grids and any("(" in c or "（" in c for g in grids for row in g for c in row):
            grids = [[[sc.strip_pinyin(c) for c in row] for row in g] for g in grids]
    doc.tables = grids
    if len(doc.text.splitlines()) == len(lines):      # the placements index these lines
        doc.published_tables = tables
    if scores is not None and any(len(g) != len(s) for g, s in zip(grids, scores)):
        scores = None     # grids changed shape on the way (cannot happen today): no cell scores
    text_lines = doc.text.splitlines()
    doc.agency = meta.find_agency(doc.title, text_lines, doc.publisher, doc.source)
    doc.agency_original = _original_form(doc.agency, doc) if doc.agency else None
    doc.is_not_found = meta.is_not_found(doc.title, doc.text)
    doc.is_report = (meta.is_report_title(doc.title) and not doc.is_not_found and not doc.is_shell
                     and (bool(doc.text.strip()) or doc.no_text_layer or bool(doc.ocr_inputs)))
    # The year reported on: a report without one in its title was published the year after.
    doc.year = meta.report_year(doc.title, "\n".join(text_lines[:5]),
                                doc.published if doc.is_report else None)
    if doc.is_report:
        doc.figures = _figures(doc.tables, doc.text, html, doc, scores)
        if doc.text_source == "ocr":
            for f in doc.figures.figures:
                f.ocr = True
    return doc


def _original_form(agency: str, doc: Document) -> str:
    """The agency as the page writes it: the same span of the original title or text."""
    if doc.script != "traditional":
        return agency
    for simp, orig in ((doc.title, doc.title_original), (doc.text, doc.text_original)):
        if len(simp) != len(orig):
            continue
        for k in range(len(agency), 1, -1):
            i = simp.find(agency[:k])
            if i >= 0:
                rest = agency[k:]
                return orig[i:i + k] + (sc.converter("s2t").convert(rest) if rest else "")
    return sc.converter("s2t").convert(agency)


def _image_refs(lines: list[str], grids_found: bool) -> list[int]:
    """Indexes of the image lines OCR should read: every image of a page whose own text
    is short (图片版), else the images in a table section (二、三、四) that has no table."""
    marks = [i for i, l in enumerate(lines) if l.startswith(IMAGE_MARK)]
    if not marks:
        return []
    own = sum(len(_WS.sub("", l)) for l in lines if not l.startswith(IMAGE_MARK))
    if own < SHORT_TEXT:
        return marks
    out, section, has_table = [], None, False
    for i, l in enumerate(lines):
        if l.startswith(IMAGE_MARK):
            if section in (2, 3, 4) and not has_table:
                out.append(i)
            continue
        sec = section_of(l) if "\t" not in l and len(l) < 40 else None
        if sec is not None:
            section, has_table = sec, False
        elif "\t" in l:
            has_table = True
    return out


def _html_document(body: bytes, url: str, headers: dict | None,
                   ocr: Mapping[str, OcrResult] | None = None) -> Document:
    html, enc = decode_body(body, headers)
    doc = Document(url=url, encoding=enc, content_type="html", extractor_version=EXTRACTOR_VERSION)
    tree = parse_html(html)
    pm, _ = meta.page_fields(tree, html, url)
    doc.source, doc.index_no, doc.publisher, doc.doc_no = pm.source, pm.index_no, pm.publisher, pm.doc_no
    doc.site_code = pm.site_code
    main = extract_main(tree, pm.title)
    lines, grids, scores = main.lines, main.grids, None
    refs = _image_refs(lines, bool(grids))
    srcs = {i: urljoin(url, lines[i][len(IMAGE_MARK):]) for i in refs}
    doc.ocr_inputs = list(dict.fromkeys(srcs.values()))
    if ocr and any(u in ocr for u in doc.ocr_inputs):
        own = sum(len(_WS.sub("", l)) for l in lines if not l.startswith(IMAGE_MARK))
        used, out = [], []
        scores = [[[None] * len(r) for r in g] for g in grids]
        for i, l in enumerate(lines):
            res = ocr.get(srcs[i]) if i in srcs else None
            if res is not None:
                t = ocr_text([res])
                out += t.lines
                grids, scores = grids + t.grids, scores + t.scores
                used.append(res)
            elif not l.startswith(IMAGE_MARK):
                out.append(l)
        lines = clean_lines(out, pm.title)     # the pictured title line is the page's title
        _use_ocr(doc, used, ocr_text(used), own)
    else:
        lines = [l for l in lines if not l.startswith(IMAGE_MARK)]
    title = pm.title
    if lines and (meta.is_generic_title(title) or lines[0].startswith(title)):
        head = first_title(lines[:1])
        if head and "\t" not in head and head != title:
            title, lines = head, lines[1:]       # the body's heading line is the title
    doc.published = pm.published or meta.signature_date(lines)
    if len(_WS.sub("", "\n".join(lines))) < 200:
        doc.is_shell = looks_like_shell(html, headers)
    if main.method == "empty":
        doc.warnings.append("html: no main text found")
    return _finish(doc, lines, grids, title, html, main.tables, scores)


def _attachment_document(body: bytes, url: str, kind: str, ocr: Mapping[str, OcrResult] | None) -> Document:
    doc = Document(url=url, content_type=kind, extractor_version=EXTRACTOR_VERSION)
    att = attachment_text(body, kind)
    doc.warnings += att.warnings
    doc.no_text_layer = att.no_text_layer
    lines, grids, scores, title = att.lines, att.grids, None, att.title
    if att.no_text_layer:
        doc.ocr_inputs = [""]
        if ocr and "" in ocr:
            t = ocr_text([ocr[""]])
            ocr_title, lines = split_title(t.lines)
            title = title or ocr_title
            grids, scores = t.grids, t.scores
            _use_ocr(doc, [ocr[""]], t, 0)
    title = title or _title_from_url(url)
    doc.published = meta.url_date(url) or meta.signature_date(lines)
    return _finish(doc, lines, grids, title, tables=att.tables, scores=scores)


def _image_document(body: bytes, url: str, ocr: Mapping[str, OcrResult] | None) -> Document:
    """A picture (a page of a report, a table): its text is what OCR reads."""
    doc = Document(url=url, content_type="image", extractor_version=EXTRACTOR_VERSION)
    doc.ocr_inputs = [""]
    lines, grids, scores, title = [], [], None, ""
    if ocr and "" in ocr:
        t = ocr_text([ocr[""]])
        title, lines = split_title(t.lines)
        grids, scores = t.grids, t.scores
        _use_ocr(doc, [ocr[""]], t, 0)
    doc.published = meta.url_date(url) or meta.signature_date(lines)
    return _finish(doc, lines, grids, title or _title_from_url(url), scores=scores)


def _text_document(body: bytes, url: str, headers: dict | None) -> Document:
    """A plain-text body: its lines are the paragraphs, the first line the title."""
    text, enc = decode_body(body, headers)
    doc = Document(url=url, encoding=enc, content_type="text", extractor_version=EXTRACTOR_VERSION)
    lines = [l for l in (_WS.sub(" ", x).strip() for x in text.splitlines()) if l]
    title = lines[0] if lines and len(lines[0]) <= 80 else ""
    if title:
        lines = lines[1:]
    doc.published = meta.signature_date(lines) or meta.url_date(url)
    return _finish(doc, lines, [], title)


def _title_from_url(url: str) -> str:
    from urllib.parse import unquote
    name = unquote((url or "").split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0] if "." in name else name


def extract_document(body: bytes, url: str, headers: dict | None = None,
                     ocr: Mapping[str, OcrResult] | None = None) -> Document:
    """Extract one fetched body. Bad input yields a Document with warnings, never a crash.

    A document that needs OCR lists what in `ocr_inputs`; extracting again with `ocr`
    (those references mapped to `extract.ocr.ocr_blob` results) gives its text and figures.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = body or b""
    kind = sniff_kind(body, url, headers)
    if kind == "html":
        return _html_document(body, url, headers, ocr)
    if kind in ("pdf", "docx", "doc"):
        return _attachment_document(body, url, kind, ocr)
    if kind == "image":
        return _image_document(body, url, ocr)
    if kind == "text":
        return _text_document(body, url, headers)
    doc = Document(url=url, content_type="other", extractor_version=EXTRACTOR_VERSION)
    doc.warnings.append("unsupported content type: not HTML, PDF or Word")
    return doc


def extract_with_ocr(body: bytes, url: str, headers: dict | None, images: Mapping[str, bytes],
                     ocr: Callable[[bytes], OcrResult | None]) -> Document:
    """`extract_document`, then OCR of what it asks for, then extraction with the results.

    `images` maps image URLs to the bytes fetched with the page; `ocr(data)` gives the
    result for one blob (from a cache, a process pool, or `extract.ocr.ocr_blob`), None
    when it cannot. A document that needs no OCR is extracted once.
    """
    doc = extract_document(body, url, headers)
    if not doc.ocr_inputs:
        return doc
    results: dict[str, OcrResult] = {}
    for ref in doc.ocr_inputs:
        data = body if ref == "" else images.get(ref)
        if data:
            res = ocr(data)
            if res is not None:
                results[ref] = res
    if not results:
        return doc
    return extract_document(body, url, headers, ocr=results)
