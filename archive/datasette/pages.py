"""Pages of our own under /-/nianbao/: a report's history, a version diff, raw captures,
charts by year and a ranked search API with snippets.

Every page reads through Datasette's read-only connections (`db.execute`), takes the
database from `?db=` (default: the first archive database served) and escapes all text
in templates; raw captures are only ever served as downloads.
"""
from __future__ import annotations

import json
import urllib.parse

from datasette.utils.asgi import NotFound, Response

from nianbao.archive import blobs, search
from nianbao.archive.datasette import charts
from nianbao.archive.datasette.databases import is_archive
from nianbao.archive.datasette.diff import diff_texts


OUTCOMES = [
    ("granted", "予以公开 granted"),
    ("partially_granted", "部分公开 partly granted"),
    ("denied", "不予公开 denied"),
    ("unable_to_provide", "无法提供 unable to provide"),
    ("not_processed", "不予处理 not processed"),
    ("other_processed", "其他处理 other"),
]
_EXT = {"text/html": "html", "application/pdf": "pdf", "application/msword": "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}


async def _archive_db(datasette, request):

    wanted = request.args.get("db")
    if wanted:
        if wanted not in datasette.databases:
            raise NotFound(f"no database {wanted!r}")
        db = datasette.get_database(wanted)
        if not await is_archive(db):
            raise NotFound(f"database {wanted!r} is not a nianbao archive")
        return db
    for name, db in datasette.databases.items():
        if name.startswith("_"):
            continue
        if await is_archive(db):
            return db
    raise NotFound("no nianbao archive database is being served")


async def _check_permissions(datasette, request, db) -> None:
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])


async def _one(db, sql: str, params=()):
    rows = (await db.execute(sql, params)).rows
    return rows[0] if rows else None


async def _document(db, url: str | None, doc_id: str | None):
    """The document a URL (any it was known under) or id names, following merges."""
    row = None
    if doc_id and doc_id.isdigit():
        row = await _one(db, "SELECT id, url, merged_into FROM documents WHERE id = ?", [int(doc_id)])
    elif url:
        row = await _one(db, "SELECT d.id, d.url, d.merged_into FROM document_urls du "
                             "JOIN documents d ON d.id = du.document_id WHERE du.url = ?", [url])
        if row is None:
            row = await _one(db, "SELECT id, url, merged_into FROM documents WHERE url = ?", [url])
    hops = 0
    while row is not None and row["merged_into"] and hops < 50:
        row = await _one(db, "SELECT id, url, merged_into FROM documents WHERE id = ?", [row["merged_into"]])
        hops += 1
    if row is None:
        raise NotFound("no archived document for that URL")
    return row


def _link(datasette, path: str, **params) -> str:
    return datasette.urls.path(path + "?" + urllib.parse.urlencode(
        {k: v for k, v in params.items() if v is not None}))


async def report_page(datasette, request):
    db = await _archive_db(datasette, request)
    await _check_permissions(datasette, request, db)
    doc = await _document(db, request.args.get("url"), request.args.get("doc"))
    report = await _one(db, "SELECT * FROM reports WHERE document_id = ?", [doc["id"]])
    versions = (await db.execute(
        "SELECT id, seq, first_seen, last_seen, title, length(text) AS chars, text_hash, "
        "extractor_version, identity_ok, figures_format FROM versions WHERE document_id = ? "
        "ORDER BY seq", [doc["id"]])).rows
    attachments = (await db.execute(
        "SELECT a.id, a.url, a.link_text, a.removed, (SELECT count(*) FROM versions v "
        "WHERE v.document_id = a.id) AS versions FROM documents a WHERE a.parent_id = ? "
        "AND a.merged_into IS NULL ORDER BY a.id", [doc["id"]])).rows
    captures = (await db.execute(
        "SELECT id, url, fetched_at, status, body_size, rendered, not_modified, error, "
        "body_sha256 IS NOT NULL AS has_body, headers FROM captures WHERE document_id = ? "
        "ORDER BY id DESC LIMIT 200", [doc["id"]])).rows
    events = (await db.execute("SELECT at, kind, detail FROM events WHERE document_id = ? ORDER BY id",
                               [doc["id"]])).rows
    figures = await _one(db, "SELECT * FROM report_figures WHERE document_id = ?", [doc["id"]])
    failed_checks = []
    if figures is not None:
        failed_checks = (await db.execute(
            "SELECT name, key, expected, actual, ok FROM checks WHERE version_id = ? AND "
            "(ok = 0 OR ok IS NULL) ORDER BY ok IS NULL, name, key", [figures["version_id"]])).rows
    capture_rows = []
    for c in captures:
        ctype = _content_type(c["headers"])
        capture_rows.append({**dict(c), "content_type": ctype,
                             "raw_url": datasette.urls.path(f"/-/nianbao/raw/{c['id']}?db={db.name}")})
    version_rows = []
    for i, v in enumerate(versions):
        prev = versions[i - 1]["seq"] if i else None
        version_rows.append({**dict(v), "diff_url": _link(datasette, "/-/nianbao/diff", db=db.name,
                                                          doc=doc["id"], **{"from": prev, "to": v["seq"]})
                             if prev else None})
    context = {
        "db_name": db.name,
        "doc": dict(doc),
        "report": dict(report) if report else None,
        "region": report["region"] if report else None,
        "versions": version_rows,
        "attachments": [{**dict(a), "page_url": _link(datasette, "/-/nianbao/report", db=db.name,
                                                       doc=a["id"])} for a in attachments],
        "captures": capture_rows,
        "events": [dict(e) for e in events],
        "figures": dict(figures) if figures else None,
        "failed_checks": [dict(c) for c in failed_checks],
        "figures_table_url": datasette.urls.table(db.name, "figures") + (
            f"?version_id={figures['version_id']}" if figures else ""),
        "reports_url": datasette.urls.table(db.name, "reports"),
    }
    return Response.html(await datasette.render_template("nianbao_report.html", context, request=request))


def _content_type(headers_json: str | None) -> str:
    try:
        headers = {k.lower(): v for k, v in json.loads(headers_json or "{}").items()}
    except ValueError:
        headers = {}
    return (headers.get("content-type") or "").split(";")[0].strip().lower()


async def diff_page(datasette, request):
    db = await _archive_db(datasette, request)
    await _check_permissions(datasette, request, db)
    doc = await _document(db, request.args.get("url"), request.args.get("doc"))
    versions = (await db.execute(
        "SELECT seq, first_seen, last_seen, title, text FROM versions WHERE document_id = ? ORDER BY seq",
        [doc["id"]])).rows
    if not versions:
        raise NotFound("this document has no versions")
    by_seq = {v["seq"]: v for v in versions}

    def seq_arg(name, default):
        raw = request.args.get(name)
        if raw and raw.isdigit() and int(raw) in by_seq:
            return int(raw)
        return default

    to_seq = seq_arg("to", versions[-1]["seq"])
    older = [v["seq"] for v in versions if v["seq"] < to_seq]
    from_seq = seq_arg("from", older[-1] if older else to_seq)
    old, new = by_seq[from_seq], by_seq[to_seq]
    context = {
        "db_name": db.name,
        "doc": dict(doc),
        "versions": [{"seq": v["seq"], "first_seen": v["first_seen"]} for v in versions],
        "old": {k: old[k] for k in ("seq", "first_seen", "last_seen", "title")},
        "new": {k: new[k] for k in ("seq", "first_seen", "last_seen", "title")},
        "title_diff": diff_texts(old["title"], new["title"], context=0),
        "text_diff": diff_texts(old["text"], new["text"]),
        "report_url": _link(datasette, "/-/nianbao/report", db=db.name, doc=doc["id"]),
    }
    return Response.html(await datasette.render_template("nianbao_diff.html", context, request=request))


async def raw_capture(datasette, request):
    """The body exactly as fetched, always as a download that no browser renders.

    /-/nianbao/raw/<capture id>, or /-/nianbao/raw?url=<report URL> for the latest
    capture of that document that has a body.
    """
    db = await _archive_db(datasette, request)
    await _check_permissions(datasette, request, db)
    if "capture_id" in request.url_vars:
        row = await _one(db, "SELECT id, url, body_sha256, headers FROM captures WHERE id = ?",
                         [int(request.url_vars["capture_id"])])
    else:
        doc = await _document(db, request.args.get("url"), request.args.get("doc"))
        row = await _one(db, "SELECT id, url, body_sha256, headers FROM captures WHERE document_id = ? "
                             "AND body_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1", [doc["id"]])
    if row is None or not row["body_sha256"]:
        raise NotFound("no stored body for that capture")
    capture_id = row["id"]
    body = await db.execute_fn(lambda conn: blobs.read(conn, row["body_sha256"]))
    ext = _EXT.get(_content_type(row["headers"]), "bin")
    headers = {
        "Content-Disposition": f'attachment; filename="capture-{capture_id}.{ext}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Nianbao-Original-Content-Type": _content_type(row["headers"]) or "unknown",
        "X-Nianbao-Source-Url": urllib.parse.quote(row["url"], safe=":/?&=%#"),
    }
    return Response(body, status=200, headers=headers, content_type="application/octet-stream")


async def charts_page(datasette, request):
    db = await _archive_db(datasette, request)
    await _check_permissions(datasette, request, db)
    agency = request.args.get("agency") or None
    chosen_region = request.args.get("region") or None
    where, params = ["f.year IS NOT NULL"], {}
    if agency:
        where.append("f.agency = :agency")
        params["agency"] = agency
    if chosen_region:
        where.append("r.region = :region")
        params["region"] = chosen_region
    sums = ", ".join(f"sum(f.{col}) AS {col}" for col, _ in OUTCOMES)
    rows = (await db.execute(
        f"SELECT f.year, count(*) AS reports, sum(f.requests_new) AS requests_new, "
        f"sum(f.requests_carried_over) AS requests_carried_over, {sums}, "
        f"sum(f.reconsideration_total) AS reconsideration_total, "
        f"sum(f.litigation_total) AS litigation_total, "
        f"sum(f.identity_ok = 0) AS identity_failed "
        f"FROM report_figures f JOIN reports r ON r.document_id = f.document_id "
        f"WHERE {' AND '.join(where)} GROUP BY f.year ORDER BY f.year", params)).rows
    years = [str(r["year"]) for r in rows]
    requests_svg = charts.stacked_bars(
        years, [("本年新收 new", [r["requests_new"] for r in rows]),
                ("上年结转 carried over", [r["requests_carried_over"] for r in rows])],
        "依申请公开：申请数 · Requests received by year")
    outcomes_svg = charts.stacked_bars(
        years, [(label, [r[col] for r in rows]) for col, label in OUTCOMES],
        "办理结果 · Outcomes by year")
    appeals_svg = charts.stacked_bars(
        years, [("行政复议 reconsideration", [r["reconsideration_total"] for r in rows]),
                ("行政诉讼 litigation", [r["litigation_total"] for r in rows])],
        "复议与诉讼 · Appeals by year")
    regions = (await db.execute(
        "SELECT region, count(*) AS n FROM reports "
        "GROUP BY region ORDER BY n DESC")).rows
    context = {
        "db_name": db.name,
        "rows": [dict(r) for r in rows],
        "outcomes": OUTCOMES,
        "charts": [requests_svg, outcomes_svg, appeals_svg],
        "agency": agency,
        "region": chosen_region,
        "regions": [r["region"] for r in regions],
        "figures_url": datasette.urls.table(db.name, "report_figures"),
    }
    return Response.html(await datasette.render_template("nianbao_charts.html", context, request=request))


async def search_json(datasette, request):
    """Reports ranked by relevance (bm25, title weighted) with highlighted snippets.

    ?q= the query (same syntax as _search), &_size= up to 100 (default 20), &db=.
    `total` counts the indexed reports that match.
    """
    db = await _archive_db(datasette, request)
    await _check_permissions(datasette, request, db)
    query = (request.args.get("q") or "").strip()
    size = request.args.get("_size", "20")
    size = min(int(size), 100) if size.isdigit() else 20
    expr = search.match_expression(query)
    if expr is None:
        return Response.json({"query": query, "rows": [], "error": "empty query"}, status=400)
    ranked = (await db.execute(search.ranked_sql("q", size), {"q": expr})).rows
    total = (await db.execute(f"SELECT count(*) FROM ({search.matching_ids_sql('q')})",
                              {"q": expr})).rows[0][0]
    ids = [r["document_id"] for r in ranked]
    rows = {}
    if ids:
        marks = ",".join("?" * len(ids))
        for r in (await db.execute(
                f"SELECT url, site, title, agency, year, published, removed, document_id, text "
                f"FROM reports WHERE document_id IN ({marks})", ids)).rows:
            rows[r["document_id"]] = r
    out = []
    for rank in ranked:
        r = rows.get(rank["document_id"])
        if r is None:
            continue
        pieces = search.snippet(r["text"], query)
        item = {k: r[k] for k in ("url", "site", "title", "agency", "year", "published", "removed")}
        item["rank"] = rank["rank"]
        item["snippet"] = "".join(f"[{p}]" if hit else p for p, hit in pieces)
        item["snippet_pieces"] = [{"text": p, "match": hit} for p, hit in pieces]
        out.append(item)
    return Response.json({"query": query, "match": expr, "total": total, "rows": out})


