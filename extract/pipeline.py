"""`extract_document`: one fetched body (HTML page or attachment) to one `Document`.

Steps: sniff the kind, decode, read the main text and tables, read metadata, detect the
script and convert to Simplified (keeping the original), decide whether it is a report,
and read the report's figures (`extract.tables`).
"""
from __future__ import annotations

import re

from . import metadata as meta
from . import script as sc
from .attachments import attachment_text, sniff_kind
from .decode import decode_body
from .document import Document, FigureSet
from .html.dom import parse_html
from .html.main import extract_main
from .html.shell import looks_like_shell
from .published import PublishedTable, place
from .tables import extract_figures

EXTRACTOR_VERSION = "1.2.1"
_WS = re.compile(r"\s+")


def _figures(grids, text: str, html: str | None, doc: Document) -> FigureSet:
    try:
        return extract_figures(grids, text, html=html)
    except Exception as e:  # a table the reader cannot follow must not lose the document
        doc.warnings.append(f"figures: {type(e).__name__}: {e}")
        return FigureSet()


def _finish(doc: Document, lines: list[str], grids, title: str, html: str | None = None,
            tables: list[PublishedTable] | None = None) -> Document:
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
    text_lines = doc.text.splitlines()
    doc.agency = meta.find_agency(doc.title, text_lines, doc.publisher, doc.source)
    doc.agency_original = _original_form(doc.agency, doc) if doc.agency else None
    doc.is_not_found = meta.is_not_found(doc.title, doc.text)
    doc.is_report = (meta.is_report_title(doc.title) and not doc.is_not_found and not doc.is_shell
                     and (bool(doc.text.strip()) or doc.no_text_layer))
    # The year reported on: a report without one in its title was published the year after.
    doc.year = meta.report_year(doc.title, "\n".join(text_lines[:5]),
                                doc.published if doc.is_report else None)
    if doc.is_report:
        doc.figures = _figures(doc.tables, doc.text, html, doc)
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


def _html_document(body: bytes, url: str, headers: dict | None) -> Document:

    html, enc = decode_body(body, headers)
    doc = Document(url=url, encoding=enc, content_type="html", extractor_version=EXTRACTOR_VERSION)
    tree = parse_html(html)
    pm, _ = meta.page_fields(tree, html, url)
    doc.source, doc.index_no, doc.publisher, doc.doc_no = pm.source, pm.index_no, pm.publisher, pm.doc_no
    doc.site_code = pm.site_code
    main = extract_main(tree, pm.title)
    lines = main.lines
    doc.published = pm.published or meta.signature_date(lines)
    if len(_WS.sub("", "\n".join(lines))) < 200:
        doc.is_shell = looks_like_shell(html, headers)
    if main.method == "empty":
        doc.warnings.append("html: no main text found")
    return _finish(doc, lines, main.grids, pm.title, html, main.tables)


def _attachment_document(body: bytes, url: str, kind: str) -> Document:
    doc = Document(url=url, content_type=kind, extractor_version=EXTRACTOR_VERSION)
    att = attachment_text(body, kind)
    doc.warnings += att.warnings
    doc.no_text_layer = att.no_text_layer
    lines = att.lines
    title = att.title or _title_from_url(url)
    doc.published = meta.url_date(url) or meta.signature_date(lines)
    return _finish(doc, lines, att.grids, title, tables=att.tables)


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


def extract_document(body: bytes, url: str, headers: dict | None = None) -> Document:
    """Extract one fetched body. Bad input yields a Document with warnings, never a crash."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = body or b""
    kind = sniff_kind(body, url, headers)
    if kind == "html":
        return _html_document(body, url, headers)
    if kind in ("pdf", "docx", "doc"):
        return _attachment_document(body, url, kind)
    if kind == "text":
        return _text_document(body, url, headers)
    doc = Document(url=url, content_type="other", extractor_version=EXTRACTOR_VERSION)
    doc.warnings.append("unsupported content type: not HTML, PDF or Word")
    return doc
