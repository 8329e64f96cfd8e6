"""A version's extracted data: fields, figures and checks, written from a `Document`.

Shared by `Archive.store_page` (new versions) and `reextract` (rewriting existing
versions with a newer extractor), so both record the same columns the same way.
"""
from __future__ import annotations

import json
import sqlite3
from nianbao.extract import Document

from .normalize import text_hash


def version_hash(document: Document) -> str:
    """Identity of a version: the normalized text only. A title that differs between two
    renderings of one document (a big5 gateway copy keeps the site suffix) is metadata,
    not a new version of the report."""
    return text_hash(document.text or "")


def _bool(v: object) -> int | None:
    return None if v is None else int(bool(v))


def extracted_fields(document: Document) -> dict:
    """The version columns that come from extraction (not from the capture)."""
    fs = document.figures
    identity = fs.identity_ok
    return {
        "title": document.title or None,
        "title_original": document.title_original or None,
        "agency": document.agency,
        "agency_original": document.agency_original,
        "year": document.year,
        "published": document.published,
        "script": document.script or "simplified",
        "opencc_config": document.opencc_config,
        "text": document.text or "",
        # stored only when it differs: a Simplified page would otherwise store its text twice
        "text_original": (document.text_original or None)
        if (document.text_original or "") != (document.text or "") else None,
        "is_report": int(bool(document.is_report)),
        "content_type": document.content_type or None,
        "encoding": document.encoding,
        "no_text_layer": int(bool(document.no_text_layer)),
        "text_source": document.text_source or "text",
        "ocr_engine": document.ocr_engine,
        "ocr_confidence": document.ocr_confidence,
        "is_shell": int(bool(document.is_shell)),
        "is_not_found": int(bool(document.is_not_found)),
        "source": document.source,
        "index_no": document.index_no,
        "publisher": document.publisher,
        "doc_no": document.doc_no,
        "site_code": document.site_code,
        "tables": json.dumps([t.to_json() for t in document.published_tables], ensure_ascii=False)
        if document.published_tables else None,
        "figures_format": fs.format,
        "image_tables": int(bool(fs.image_tables)),
        "identity_ok": _bool(identity),
        "warnings": json.dumps(list(document.warnings or []), ensure_ascii=False),
        "extractor_version": document.extractor_version or None,
    }


def write_figures(conn: sqlite3.Connection, version_id: int, document: Document) -> None:
    """Replace a version's figures and checks with those of `document`."""
    conn.execute("DELETE FROM figures WHERE version_id = ?", (version_id,))
    conn.execute("DELETE FROM checks WHERE version_id = ?", (version_id,))
    fs = document.figures
    ev = document.extractor_version or None
    conn.executemany(
        "INSERT INTO figures (version_id, table_no, row_key, col_key, value, raw, row_label, "
        "col_label, unit, source, extractor_version, kind, ocr, confidence) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(version_id, f.table, f.row_key, f.col_key, f.value, f.raw, f.row_label, f.col_label,
          f.unit, f.source, ev, f.kind or None, int(bool(f.ocr)), f.confidence) for f in (fs.figures or [])])
    conn.executemany(
        "INSERT INTO checks (version_id, name, key, expected, actual, ok, extractor_version) "
        "VALUES (?,?,?,?,?,?,?)",
        [(version_id, ch.name, ch.key, ch.expected, ch.actual, _bool(ch.ok), ev)
         for ch in (fs.checks or [])])


def write_version(conn: sqlite3.Connection, doc_id: int, capture_id: int, document: Document,
                  h: str, now: str) -> int:
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM versions WHERE document_id = ?",
                       (doc_id,)).fetchone()[0]
    fields = extracted_fields(document)
    cols = ["document_id", "seq", "text_hash", "first_capture_id", "first_seen", "last_seen",
            "extracted_at", *fields]
    vals = [doc_id, seq, h, capture_id, now, now, now, *fields.values()]
    vid = conn.execute(f"INSERT INTO versions ({', '.join(cols)}) VALUES "
                       f"({', '.join('?' * len(cols))})", vals).lastrowid
    write_figures(conn, vid, document)
    return vid


def rewrite_version(conn: sqlite3.Connection, version_id: int, document: Document, now: str) -> None:
    """Re-extraction: new extracted data for an existing version; its identity stays."""
    fields = extracted_fields(document)
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE versions SET {sets}, extracted_at = ? WHERE id = ?",
                 [*fields.values(), now, version_id])
    write_figures(conn, version_id, document)
