"""File names of downloads a person keeps: `<agency>-<year>-<title>-v<seq>.<ext>`, sent
as RFC 6266 `Content-Disposition` (an ASCII fallback and `filename*=UTF-8''…`)."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_SPACE = re.compile(r"\s+")
MAX_STEM = 120

EXTENSIONS = {"text/html": "html", "application/pdf": "pdf", "application/msword": "doc",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
              "text/plain": "txt", "application/xhtml+xml": "html"}
KIND_EXTENSIONS = {"html": "html", "pdf": "pdf", "doc": "doc", "docx": "docx", "text": "txt"}


def _part(value) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    return _SPACE.sub(" ", _UNSAFE.sub("_", text)).strip(" ._")


def download_name(agency, year, title, seq: int, ext: str) -> str:
    """`<agency>-<year>-<title>-v<seq>.<ext>`, unsafe characters replaced, length capped."""
    parts = [p for p in (_part(agency), _part(year), _part(title)) if p]
    stem = "-".join(parts) or "report"
    return f"{stem[:MAX_STEM].rstrip(' ._-')}-v{int(seq)}.{ext}"


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the real name in RFC 5987 encoding."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("_-") or "download"
    if "." in filename and not fallback.endswith(filename.rsplit(".", 1)[1]):
        fallback += "." + filename.rsplit(".", 1)[1]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
