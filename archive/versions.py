"""A version's extracted data: fields, figures and checks, written from a `Document`.

Shared by `Archive.store_page` (new versions) and `reextract` (rewriting existing
versions with a newer extractor), so both record the same columns the same way.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from .normalize import text_hash


def _g(doc: Any, name: str, default: Any = None) -> Any:
    return getattr(doc, name, default)


def version_hash(document: Any) -> str:
    """Identity of a version: the normalized text only. A title that differs between two
    renderings of one document (a big5 gateway copy keeps the site suffix) is metadata,
    not a new version of the report."""
    return text_hash(_g(document, "text") or "")


def _bool(v: Any) -> int | None:
    return None if v is None else int(bool(v))


def extracted_fields(document: Any) -> dict:
    """The version columns that come from extraction (not from the capture)."""
    fs = _g(document, "figures")
    identity = _g(fs, "identity_ok") if fs is not None else None
    return {
        "title": _g(document, "title") or None,
        "title_original": _g(document, "title_original") or None,
        "agency": _g(document, "agency"),
        "agency_original": _g(document, "agency_original"),
        "year": _g(document, "year"),
        "published": _g(document, "published"),
        "script": _g(document, "script") or "simplified",
        "opencc_config": _g(document, "opencc_config"),
        "text": _g(document, "text") or "",
        # stored only when it differs: a Simplified page would otherwise store its text twice
        "text_original": (_g(document, "text_original") or None)
        if (_g(document, "text_original") or "") != (_g(document, "text") or "") else None,
        "is_report": int(bool(_g(document, "is_report", False))),
        "content_type": _g(document, "content_type") or None,
        "encoding": _g(document, "encoding"),
        "no_text_layer": int(bool(_g(document, "no_text_layer", False))),
        "is_shell": int(bool(_g(document, "is_shell", False))),
        "is_not_found": int(bool(_g(document, "is_not_found", False))),
        "source": _g(document, "source"),
        "index_no": _g(document, "index_no"),
        "publisher": _g(document, "publisher"),
        "doc_no": _g(document, "doc_no"),
        "figures_format": _g(fs, "format") if fs is not None else None,
        "image_tables": int(bool(_g(fs, "image_tables", False))) if fs is not None else 0,
        "identity_ok": _bool(identity),
        "warnings": json.dumps(list(_g(document, "warnings") or []), ensure_ascii=False),
        "extractor_version": _g(document, "extractor_version") or None,
    }


def write_figures(conn: sqlite3.Connection, version_id: int, document: Any) -> None:
    """Replace a version's figures and checks with those of `document`."""
    conn.execute("DELETE FROM figures WHERE version_id = ?", (version_id,))
    conn.execute("DELETE FROM checks WHERE version_id = ?", (version_id,))
    fs = _g(document, "figures")
    if fs is None:
        return
    ev = _g(document, "extractor_version") or None
    conn.executemany(
        "INSERT INTO figures (version_id, table_no, row_key, col_key, value, raw, row_label, "
        "col_label, unit, source, extractor_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(version_id, f.table, f.row_key, f.col_key, f.value, f.raw, f.row_label, f.col_label,
          f.unit, f.source, ev) for f in (_g(fs, "figures") or [])])
    conn.executemany(
        "INSERT INTO checks (version_id, name, key, expected, actual, ok, extractor_version) "
        "VALUES (?,?,?,?,?,?,?)",
        [(version_id, ch.name, ch.key, ch.expected, ch.actual, _bool(ch.ok), ev)
         for ch in (_g(fs, "checks") or [])])


def write_version(conn: sqlite3.Connection, doc_id: int, capture_id: int, document: Any,
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


def rewrite_version(conn: sqlite3.Connection, version_id: int, document: Any, now: str) -> None:
    """Re-extraction: new extracted data for an existing version; its identity stays."""
    fields = extracted_fields(document)
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE versions SET {sets}, extracted_at = ? WHERE id = ?",
                 [*fields.values(), now, version_id])
    write_figures(conn, version_id, document)
