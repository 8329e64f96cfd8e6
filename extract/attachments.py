"""Text of report attachments: PDF (pdfminer.six), DOCX (python-docx), DOC/WPS (antiword/catdoc).

Many bodies publish the report itself as an attachment behind a short article page. A
scanned PDF has pages but no text layer: that is recorded (`no_text_layer`), so that an
image-only report is never mistaken for an empty one.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from . import rules

_WS = re.compile(r"[ \t\u3000\xa0]+")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class AttachmentText:
    lines: list[str] = field(default_factory=list)
    grids: list[list[list[str]]] = field(default_factory=list)
    title: str = ""
    no_text_layer: bool = False
    warnings: list[str] = field(default_factory=list)


def sniff_kind(body: bytes, url: str = "", headers: dict | None = None) -> str:
    """'html' | 'text' | 'pdf' | 'docx' | 'doc' | 'other': magic bytes, then headers, then the URL."""
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in body[:1024]:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in body[:65536] or _zip_has_word(body) else "other"
    if body.startswith(OLE_MAGIC):
        return "doc"
    if head.startswith(_BINARY_MAGIC) or _binary_share(body[:1024]) > 0.1:
        return "other"
    ctype = ""
    for k, v in (headers or {}).items():
        if str(k).lower() == "content-type":
            ctype = (v[0] if isinstance(v, (list, tuple)) and v else v)
            ctype = (ctype.decode("latin-1") if isinstance(ctype, bytes) else str(ctype)).lower()
    path = (url or "").split("?")[0].split("#")[0].lower()
    low = head[:512].lower()
    if low.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta")) or b"<html" in body[:4096].lower():
        return "html"     # an error page served at a .pdf URL is still a page
    if "pdf" in ctype or path.endswith(".pdf"):
        return "pdf"
    if "wordprocessingml" in ctype or path.endswith(".docx"):
        return "docx"
    if "msword" in ctype or "wps" in ctype or path.endswith((".doc", ".wps")):
        return "doc"
    if "html" in ctype or "xml" in ctype or low.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta")) \
            or b"<html" in body[:4096].lower() or b"<body" in body[:8192].lower() or b"<div" in body[:8192].lower():
        return "html"
    if ctype.startswith("text/plain") or path.endswith(".txt"):
        return "text"
    if ctype.startswith("text/") or not ctype:
        return "html"
    return "other"


_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"BM", b"RIFF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!",
                 b"\x00\x00\x01\x00", b"OggS", b"ID3", b"fLaC", b"\x00\x00\x00")


def _binary_share(head: bytes) -> float:
    """Share of control bytes (other than tab/newline/CR/form feed/escape) in a sample."""
    if not head:
        return 0.0
    return sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27)) / len(head)


def _zip_has_word(body: bytes) -> bool:
    import zipfile
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return any(n.startswith("word/") for n in z.namelist())
    except Exception:
        return False


def pdf_text(body: bytes) -> AttachmentText:
    """Text of a PDF read from its page layout: prose lines grouped into paragraphs by
    their margins, ruled tables (`tables_pdf` geometry) written as row lines
    (`rules.TEXT_TABLE_CELLS`) at their place in the text, page numbers dropped."""
    res = AttachmentText()
    try:
        from .pdf_layout import read_pdf
        pages, grids, chars = read_pdf(body)
    except Exception as e:  # a broken PDF is a fact to record, not a crash
        res.warnings.append(f"pdf: cannot read ({type(e).__name__}: {e})")
        return res
    if pages and chars < 20 * len(pages):
        res.no_text_layer = True
        res.warnings.append(f"pdf: no text layer ({len(pages)} page(s), {chars} characters): scanned image")
    from .pdf_layout import paragraphs
    res.title, res.lines = split_title(paragraphs(pages))
    if not res.title:
        from .pdf_layout import pdf_info_title
        res.title = pdf_info_title(body)
    res.grids = grids
    return res


def split_title(lines: list[str]) -> tuple[str, list[str]]:
    """The title (first lines up to one ending in 报告/年报) and the text after it."""
    parts: list[str] = []
    for i, l in enumerate(lines[:4]):
        if "\t" in l or len(l) > 60 or l.endswith(("。", "：", ":")):
            break
        parts.append(l)
        if re.search(r"(报告|報告|年报|年報)$", "".join(parts)):
            return "".join(parts), lines[i + 1:]
    return _first_title(lines), lines


def docx_text(body: bytes) -> AttachmentText:
    res = AttachmentText()
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
        d = docx.Document(io.BytesIO(body))
    except Exception as e:
        res.warnings.append(f"docx: cannot read ({type(e).__name__}: {e})")
        return res
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            t = _WS.sub(" ", Paragraph(child, d).text).strip()
            if t:
                res.lines.append(t)
        elif tag == "tbl":
            grid = []
            for row in Table(child, d).rows:
                cells = [_WS.sub(" ", c.text.replace("\n", " ")).strip() for c in row.cells]
                if any(cells):
                    grid.append(cells)
                line = _row_line(row)
                if line is not None:
                    res.lines.append(line)
            if grid:
                res.grids.append(grid)
    title, rest = split_title(res.lines)
    core = (d.core_properties.title or "").strip()
    if title:
        res.title, res.lines = title, rest        # the title line is metadata, not text
    else:
        res.title = core or _first_title(res.lines)
    return res


def _row_line(row) -> str | None:
    """A Word table row as a text line in the `rules.TEXT_TABLE_CELLS` mode; None when the
    row has no text of its own."""
    mode = rules.TEXT_TABLE_CELLS
    own, line = [], []
    prev = None
    for tc in row._tr.tc_lst:
        continued = tc.vMerge == "continue"       # a cell under a vertical merge's start
        origin = _merge_origin(tc) if continued else tc
        text = _tc_text(origin) if origin is not None else ""
        if not continued:
            own.append(text)
        if mode == "published":
            if not continued:
                line.append(text)
        elif mode == "expanded":
            line += [text] * tc.grid_span
        elif origin is None or origin is not prev:
            line.append(text)
        prev = origin
    return "\t".join(line) if any(own) else None


def _merge_origin(tc):
    """The <w:tc> that starts the vertical merge a continuation cell belongs to."""
    try:
        while tc is not None and tc.vMerge == "continue":
            tc = tc._tc_above
        return tc
    except Exception:  # a continuation with nothing above it: a malformed table
        return None


def _tc_text(tc) -> str:
    from docx.oxml.ns import qn
    return _WS.sub(" ", "".join(t.text or "" for t in tc.iter(qn("w:t")))).strip()


def doc_text(body: bytes) -> AttachmentText:
    """Word 97-2003 / WPS: read with antiword or catdoc when the system has them."""
    res = AttachmentText()
    for tool, args in (("antiword", ["-w", "0", "-m", "UTF-8.txt", "-"]), ("catdoc", ["-d", "utf-8", "-w"])):
        exe = shutil.which(tool)
        if not exe:
            continue
        try:
            if tool == "antiword":
                p = subprocess.run([exe, *args], input=body, capture_output=True, timeout=60)
            else:
                import tempfile
                with tempfile.NamedTemporaryFile(suffix=".doc") as f:
                    f.write(body)
                    f.flush()
                    p = subprocess.run([exe, *args, f.name], capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            res.warnings.append(f"doc: {tool} failed ({e})")
            continue
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode == 0 and out.strip():
            res.lines = [l for l in (_WS.sub(" ", x).strip() for x in out.splitlines()) if l]
            res.title = _first_title(res.lines)
            return res
        res.warnings.append(f"doc: {tool} exit {p.returncode}")
    res.warnings.append("doc: no reader for Word 97/WPS files (install antiword or catdoc); text not extracted")
    return res


def _first_title(lines: list[str]) -> str:
    """A document's title: its first non-trivial lines up to the first long paragraph."""
    parts: list[str] = []
    for l in lines[:6]:
        if len(l) > 60 or l.endswith(("。", "：", ":")):
            break
        parts.append(l)
        joined = "".join(parts)
        if re.search(r"(报告|報告|年报|年報)$", joined):
            return joined
    return parts[0] if parts else ""


def attachment_text(body: bytes, kind: str) -> AttachmentText:
    if kind == "pdf":
        return pdf_text(body)
    if kind == "docx":
        return docx_text(body)
    if kind == "doc":
        return doc_text(body)
    return AttachmentText(warnings=[f"{kind}: unsupported content"])
