"""Re-extraction: rebuild every version's extracted data from its stored raw bytes.

When the extractor improves, old versions are re-read from the blob of the capture that
first showed them (no network). Captures are never touched; each version records the
extractor version that produced its fields, figures and checks. One short transaction
per version, so a running Datasette keeps reading and an interrupted run can be rerun.
What OCR read comes from the archive's cache (by blob hash and engine version): a
picture is read again only when the engine version changed, and that result is cached.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from contextvars import ContextVar

from . import blobs, report_rows
from .capture import OcrRecord, utc_now
from .store import Archive
from .versions import rewrite_version, version_hash


def reextract(ar: Archive, extract: Callable[..., Any] | None = None,
              progress: Callable[[int, int], None] | None = None, ocr_engine: str | None = None) -> dict:
    """Re-run `extract(body, url, headers)` (default: the extractor, with OCR from the
    cache, or by `ocr_engine` (default RapidOCR) when the cache lacks it) on every version."""
    if extract is None:
        extract = _with_cached_ocr(ar, ocr_engine)
    rows = ar.conn.execute(
        "SELECT v.id, k.url, k.final_url, k.headers, k.body_sha256, k.id FROM versions v "
        "JOIN captures k ON k.id = v.first_capture_id ORDER BY v.id").fetchall()
    done = errors = changed = 0
    failures: list[str] = []
    for i, (vid, url, final_url, headers, digest, capture_id) in enumerate(rows, 1):
        if not digest:
            continue
        try:
            body = blobs.read(ar.conn, digest)
            _capture.set(capture_id)
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



_capture: ContextVar[int | None] = ContextVar("capture", default=None)


def _with_cached_ocr(ar: Archive, engine: str | None):
    """`extract_with_ocr` over the capture's stored images, OCR results from the cache."""
    from nianbao.extract import extract_with_ocr  # noqa: PLC0415
    from nianbao.extract.ocr import DEFAULT_ENGINE, OcrError, OcrResult, engine_version, ocr_blob  # noqa: PLC0415

    engine = engine or DEFAULT_ENGINE
    version: list[str] = []          # the engine's version, asked only when OCR is needed

    def ocr(data: bytes):
        if not version:
            version.append(engine_version(engine))
        digest = blobs.sha256(data)
        js = ar.ocr_result(digest, version[0])
        if js is None:
            try:
                res = ocr_blob(data, engine)
            except OcrError:
                return None
            ar.store_ocr_result(digest, OcrRecord(res.engine, res.to_json(), res.confidence, res.seconds))
            return res
        return OcrResult.from_json(js)

    def extract(body: bytes, url: str, headers: dict):
        cid = _capture.get()
        images = ar.capture_images(cid) if cid is not None else {}
        return extract_with_ocr(body, url, headers, images, ocr)

    return extract
