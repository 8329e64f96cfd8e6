"""What kind of document a body is: magic bytes first, then the headers, then the URL."""
from __future__ import annotations

import io

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_kind(body: bytes, url: str = "", headers: dict | None = None) -> str:
    """'html' | 'text' | 'pdf' | 'docx' | 'doc' | 'image' | 'other': magic bytes, then headers, then the URL."""
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in body[:1024]:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in body[:65536] or _zip_has_word(body) else "other"
    if body.startswith(OLE_MAGIC):
        return "doc"
    if body.startswith(IMAGE_MAGIC) or (body[:4] == b"RIFF" and body[8:12] == b"WEBP"):
        return "image"
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


IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_BINARY_MAGIC = (b"RIFF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!",
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
