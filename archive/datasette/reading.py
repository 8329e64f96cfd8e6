"""The reading page: a report (or any archived document) at its stable URL.

    /-/nianbao/report/<document_id>            the current version
    /-/nianbao/report/<document_id>/v<seq>     one version, with the diff to the one before
    /-/nianbao/report/<document_id>/v<seq>/raw the bytes captured, named for a person
    /-/nianbao/report/<document_id>/v<seq>/text the text, named likewise
    /-/nianbao/report?url=<any URL it had>     redirects to the stable URL

The text is shown as paragraphs and tables (archive/datasette/textview.py), the
original-script text one click away, each attachment's text under the page's, OCR and
no-text-layer marks, figures with the format's Chinese labels beside the keys, and a cite
box (archive/datasette/cite.py).
"""
from __future__ import annotations

import json

from datasette.utils.asgi import NotFound, Response

from nianbao.archive import coverage
from nianbao.archive.datasette import cite, textview
from nianbao.archive.datasette.common import (
    absolute, archive_db, as_id, document, first_archive_name, link, one, read_body, report_path,
)
from nianbao.archive.datasette.diff import diff_cached
from nianbao.archive.datasette.labels import bilingual
from nianbao.archive.datasette.names import EXTENSIONS, KIND_EXTENSIONS, content_disposition, download_name

OCR_COLUMNS = ("text_source", "ocr_engine", "ocr_confidence")
VERSION_COLUMNS = ("id", "document_id", "seq", "first_seen", "last_seen", "title", "title_original",
                   "agency", "agency_original", "year", "published", "script", "text", "text_original",
                   "tables", "no_text_layer", "content_type", "first_capture_id", "identity_ok",
                   "figures_format", "image_tables", "extractor_version", "text_hash")


async def _version_columns(db) -> list[str]:
    """The version columns this archive has: the OCR provenance columns only once the
    migration that adds them has run (checked at run time, so older archives work)."""
    have = {r["name"] for r in (await db.execute("PRAGMA table_info(versions)")).rows}
    return [c for c in VERSION_COLUMNS + OCR_COLUMNS if c in have]


async def _version(db, doc_id: int, seq: int | None):
    cols = ", ".join(await _version_columns(db))
    if seq is None:
        row = await one(db, f"SELECT {cols} FROM versions WHERE id = (SELECT current_version_id "
                            f"FROM documents WHERE id = ?)", [doc_id])
    else:
        row = await one(db, f"SELECT {cols} FROM versions WHERE document_id = ? AND seq = ?", [doc_id, seq])
    return dict(row) if row else None


async def _capture(db, capture_id):
    if capture_id is None:
        return None
    row = await one(db, "SELECT id, url, fetched_at, status, body_sha256, body_size, headers, rendered "
                        "FROM captures WHERE id = ?", [capture_id])
    return dict(row) if row else None


def _content_type(headers_json: str | None) -> str:
    try:
        headers = {k.lower(): v for k, v in json.loads(headers_json or "{}").items()}
    except (ValueError, AttributeError):
        headers = {}
    return (str(headers.get("content-type") or "")).split(";")[0].strip().lower()


def marks(version: dict) -> list[dict]:
    """OCR / no-text-layer marks of a version (OCR columns read when the archive has them)."""
    out = []
    if version.get("no_text_layer"):
        out.append({"kind": "no-text", "label": "no text layer 无文字层",
                    "title": "a scan without a text layer: the text below is empty or came from OCR"})
    source = version.get("text_source")
    if source in ("ocr", "mixed"):
        detail = ", ".join(str(v) for v in (version.get("ocr_engine"),
                                             f"confidence {version['ocr_confidence']:.2f}"
                                             if isinstance(version.get("ocr_confidence"), (int, float)) else None)
                           if v)
        out.append({"kind": "ocr", "label": "OCR 文字识别" + (" (part of the text)" if source == "mixed" else ""),
                    "title": "text read from images by OCR" + (f": {detail}" if detail else "")})
    if version.get("image_tables"):
        out.append({"kind": "image-tables", "label": "tables as images 图片表格",
                    "title": "the statistical tables were published as pictures"})
    return out


async def redirect(datasette, request):
    """/-/nianbao/report?url=… (or ?doc=…): the stable URL of that document."""
    db = await archive_db(datasette, request)
    doc_arg = request.args.get("doc")
    doc = await document(db, url=request.args.get("url"), doc_id=as_id(doc_arg, "document") if doc_arg else None)
    if not request.args.get("url") and not doc_arg:
        raise NotFound("give ?url= or a document id")
    first = await first_archive_name(datasette)
    return Response.redirect(report_path(datasette, db.name, first, doc["id"]), status=302)


async def page(datasette, request):
    db = await archive_db(datasette, request)
    doc_id = as_id(request.url_vars["doc_id"], "document")
    seq = as_id(request.url_vars["seq"], "version") if request.url_vars.get("seq") else None
    doc = await document(db, doc_id=doc_id)
    first = await first_archive_name(datasette)
    if doc["id"] != doc_id:                      # merged into another document
        return Response.redirect(report_path(datasette, db.name, first, doc["id"], seq), status=301)
    version = await _version(db, doc_id, seq)
    if version is None:
        raise NotFound("no such version" if seq else "this document has no text version yet")
    report = await one(db, "SELECT * FROM reports WHERE document_id = ?", [doc_id])
    report = dict(report) if report else None
    parent = None
    if doc["parent_id"]:
        parent = await one(db, "SELECT document_id, title FROM reports WHERE document_id = ?", [doc["parent_id"]])
    versions = [dict(v) for v in (await db.execute(
        "SELECT id, seq, first_seen, last_seen, title, length(text) AS chars, identity_ok "
        "FROM versions WHERE document_id = ? ORDER BY seq", [doc_id])).rows]
    current_seq = versions[-1]["seq"] if versions else None
    current = seq is None or seq == current_seq
    capture = await _capture(db, version["first_capture_id"])
    base = report_path(datasette, db.name, first, doc_id)
    vpath = report_path(datasette, db.name, first, doc_id, version["seq"])
    for v in versions:
        v["url"] = report_path(datasette, db.name, first, doc_id, v["seq"])
    original = request.args.get("script") == "original" and bool(version.get("text_original"))
    shown_text = version["text_original"] if original else version["text"]
    diff = previous = None
    if seq is not None or request.args.get("diff"):          # a version URL shows its diff
        previous = await _version(db, doc_id, version["seq"] - 1) if version["seq"] > 1 else None
        if previous:
            diff = await diff_cached((db.name, previous["id"], version["id"]), previous["text"], version["text"])
    attachments = []
    for a in (await db.execute(
            "SELECT a.id, a.url, a.link_text, a.removed, a.current_version_id FROM documents a "
            "WHERE a.parent_id = ? AND a.merged_into IS NULL ORDER BY a.id", [doc_id])).rows:
        av = await _version(db, a["id"], None) if a["current_version_id"] else None
        attachments.append({
            "id": a["id"], "url": a["url"], "link_text": a["link_text"], "removed": a["removed"],
            "page": report_path(datasette, db.name, first, a["id"]),
            "version": av, "marks": marks(av) if av else [],
            "blocks": textview.blocks(av["text"], av.get("tables")) if av else [],
            "raw": report_path(datasette, db.name, first, a["id"], av["seq"], "/raw") if av else None,
            "text_url": report_path(datasette, db.name, first, a["id"], av["seq"], "/text") if av else None,
        })
    figures = await one(db, "SELECT * FROM report_figures WHERE document_id = ?", [doc_id]) if current else None
    figure_rows = []
    if figures is not None:
        skip = {"url", "agency", "year", "format", "document_id", "version_id", "identity_ok", "checks_failed"}
        figure_rows = [{"key": k, "label": bilingual(k), "value": figures[k]}
                       for k in figures.keys() if k not in skip]
    captures = [dict(c) for c in (await db.execute(
        "SELECT id, fetched_at, status, body_size, rendered, not_modified, error, "
        "body_sha256 IS NOT NULL AS has_body, headers FROM captures WHERE document_id = ? "
        "ORDER BY id DESC LIMIT 50", [doc_id])).rows]
    for c in captures:
        c["content_type"] = _content_type(c.pop("headers"))
    events = [dict(e) for e in (await db.execute(
        "SELECT at, kind, detail FROM events WHERE document_id = ? ORDER BY id", [doc_id])).rows]
    title = version["title"] or (report or {}).get("title") or doc["url"]
    agency = version["agency"] or (report or {}).get("agency")
    year = version["year"] if version["year"] is not None else (report or {}).get("year")
    published = version["published"] or (report or {}).get("published")
    citation = cite.Citation(
        title=title, agency=agency, year=year, published=published, original_url=doc["url"],
        captured=cite.utc(capture["fetched_at"] if capture else version["first_seen"]),
        sha256=capture["body_sha256"] if capture else None,
        archive_url=absolute(request, vpath), version=version["seq"],
        key=f"nianbao{doc_id}v{version['seq']}")
    deadline = coverage.deadline(agency, year) if report else None
    figures_for = datasette.urls.table(db.name, "figures")
    context = {
        "db_name": db.name, "doc": dict(doc), "report": report, "parent": dict(parent) if parent else None,
        "parent_url": report_path(datasette, db.name, first, parent["document_id"]) if parent else None,
        "version": version, "versions": versions, "current": current, "current_seq": current_seq,
        "base_url": base, "version_url": vpath, "title": title, "agency": agency, "year": year,
        "published": published, "marks": marks(version), "capture": capture,
        "blocks": textview.blocks(shown_text, None if original else version.get("tables")),
        "original": original, "has_original": bool(version.get("text_original")),
        "diff": diff, "previous": previous,
        "attachments": attachments, "figures": dict(figures) if figures else None,
        "figure_rows": figure_rows, "captures": captures, "events": events,
        "citation": citation, "cite_plain": cite.plain(citation), "cite_bibtex": cite.bibtex(citation),
        "cite_csl": cite.csl_json(citation),
        "raw_url": vpath + "/raw" if capture and capture["body_sha256"] else None,
        "text_url": vpath + "/text",
        "deadline": deadline, "kind": coverage.kind(agency) if report else None,
        "on_time": (published <= deadline) if (published and deadline) else None,
        "figures_csv": f"{figures_for}.csv?version_id={version['id']}&_size=max",
        "figures_xlsx": f"{figures_for}.xlsx?version_id={version['id']}",
        "figures_url": f"{figures_for}?version_id={version['id']}",
        "agency_url": link(datasette, "/-/nianbao/agency", name=agency,
                           db=None if db.name == first else db.name) if agency else None,
        "reports_url": datasette.urls.table(db.name, "reports"),
    }
    return Response.html(await datasette.render_template("nianbao_report.html", context, request=request))


async def download(datasette, request):
    """The version's raw capture or its text, as a file named for a person."""
    db = await archive_db(datasette, request)
    doc_id = as_id(request.url_vars["doc_id"], "document")
    seq = as_id(request.url_vars["seq"], "version")
    version = await one(db, "SELECT v.id, v.seq, v.title, v.agency, v.year, v.text, v.first_capture_id, "
                            "v.content_type, d.parent_id FROM versions v JOIN documents d ON d.id = v.document_id "
                            "WHERE v.document_id = ? AND v.seq = ?", [doc_id, seq])
    if version is None:
        raise NotFound("no such version")
    named = dict(version)
    if version["parent_id"] and not (named["agency"] and named["year"]):
        parent = await one(db, "SELECT agency, year FROM reports WHERE document_id = ?", [version["parent_id"]])
        if parent:
            named["agency"] = named["agency"] or parent["agency"]
            named["year"] = named["year"] if named["year"] is not None else parent["year"]
    headers = {"X-Content-Type-Options": "nosniff"}
    if request.url_vars["kind"] == "text":
        name = download_name(named["agency"], named["year"], named["title"], seq, "txt")
        headers["Content-Disposition"] = content_disposition(name)
        return Response((version["text"] or "") + "\n", status=200, headers=headers,
                        content_type="text/plain; charset=utf-8")
    capture = await one(db, "SELECT id, url, body_sha256, headers FROM captures WHERE id = ?",
                        [version["first_capture_id"]])
    if capture is None or not capture["body_sha256"]:
        raise NotFound("no stored body for this version")
    ctype = _content_type(capture["headers"])
    ext = EXTENSIONS.get(ctype) or KIND_EXTENSIONS.get(version["content_type"] or "", "bin")
    body = await read_body(db, capture["body_sha256"])
    name = download_name(named["agency"], named["year"], named["title"], seq, ext)
    headers.update({
        "Content-Disposition": content_disposition(name),
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Nianbao-Original-Content-Type": ctype or "unknown",
        "X-Nianbao-Sha256": capture["body_sha256"],
    })
    return Response(body, status=200, headers=headers, content_type="application/octet-stream")
