"""Re-extraction: rebuild every version's extracted data from its stored raw bytes.

When the extractor improves, old versions are re-read from the blob of the capture that
first showed them (no network). Captures are never touched; each version records the
extractor version that produced its fields, figures and checks. One short transaction
per version, so a running Datasette keeps reading and an interrupted run can be rerun.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from . import blobs, report_rows
from .capture import utc_now
from .store import Archive
from .versions import rewrite_version, version_hash


def reextract(ar: Archive, extract: Callable[..., Any] | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict:
    """Re-run `extract(body, url, headers)` (default: `extract.extract_document`) on every version."""
    if extract is None:
        from nianbao.extract import extract_document as extract  # noqa: PLC0415
    rows = ar.conn.execute(
        "SELECT v.id, k.url, k.final_url, k.headers, k.body_sha256 FROM versions v "
        "JOIN captures k ON k.id = v.first_capture_id ORDER BY v.id").fetchall()
    done = errors = changed = 0
    failures: list[str] = []
    for i, (vid, url, final_url, headers, digest) in enumerate(rows, 1):
        if not digest:
            continue
        try:
            body = blobs.read(ar.conn, digest)
            doc = extract(body, final_url or url, json.loads(headers or "{}"))
        except Exception as exc:  # noqa: BLE001 - one bad body must not stop the rest
            errors += 1
            failures.append(f"version {vid} ({url}): {type(exc).__name__}: {exc}")
            continue
        with ar._write() as c:
            old, doc_id = c.execute("SELECT text_hash, document_id FROM versions WHERE id = ?",
                                    (vid,)).fetchone()
            new = version_hash(doc)
            rewrite_version(c, vid, doc, utc_now())
            c.execute("UPDATE versions SET text_hash = ? WHERE id = ?", (new, vid))
            report_rows.sync(c, [doc_id])        # its report row (and its page's) in step
            changed += int(old != new)
        done += 1
        if progress:
            progress(i, len(rows))
    return {"versions": len(rows), "reextracted": done, "text_changed": changed,
            "errors": errors, "failures": failures}

