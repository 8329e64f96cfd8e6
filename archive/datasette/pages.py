"""Pages of our own under /-/nianbao/ besides the reading, coverage and agency pages: a
diff between any two versions, raw captures by id, charts by year and a ranked search
API with snippets. Helpers shared by all pages: archive/datasette/common.py.
"""
from __future__ import annotations

import urllib.parse

from datasette.utils.asgi import NotFound, Response

from nianbao.archive import search
from nianbao.archive.datasette import charts
from nianbao.archive.datasette.common import archive_db, as_id, document, link, one, read_body
from nianbao.archive.datasette.diff import diff_cached
from nianbao.archive.datasette.limits import ClientError, check_search
from nianbao.archive.datasette.names import EXTENSIONS, content_disposition, download_name
from nianbao.archive.datasette.reading import _content_type


OUTCOMES = [
    ("granted", "予以公开 granted"),
    ("partially_granted", "部分公开 partly granted"),
    ("denied", "不予公开 denied"),
    ("unable_to_provide", "无法提供 unable to provide"),
    ("not_processed", "不予处理 not processed"),
    ("other_processed", "其他处理 other"),
]


async def _doc_arg(db, request):
    doc_arg = request.args.get("doc")
    if not doc_arg and not request.args.get("url"):
        raise ClientError(400, "give ?url= or ?doc=")
    return await document(db, url=request.args.get("url"),
                          doc_id=as_id(doc_arg, "document") if doc_arg else None)


async def diff_page(datasette, request):
    db = await archive_db(datasette, request)
    doc = await _doc_arg(db, request)
    versions = (await db.execute(
        "SELECT id, seq, first_seen, last_seen, title FROM versions WHERE document_id = ? ORDER BY seq",
        [doc["id"]])).rows
    if not versions:
        raise NotFound("this document has no versions")
    by_seq = {v["seq"]: v for v in versions}

    def seq_arg(name, default):
        raw = request.args.get(name)
        if not raw:
            return default
        if as_id(raw, "version") not in by_seq:
            raise NotFound(f"no version {raw}")
        return int(raw)

    to_seq = seq_arg("to", versions[-1]["seq"])
    older = [v["seq"] for v in versions if v["seq"] < to_seq]
    from_seq = seq_arg("from", older[-1] if older else to_seq)
    old, new = by_seq[from_seq], by_seq[to_seq]
    texts = {r["id"]: r["text"] for r in (await db.execute(
        "SELECT id, text FROM versions WHERE id IN (?, ?)", [old["id"], new["id"]])).rows}
    context = {
        "db_name": db.name,
        "doc": dict(doc),
        "versions": [{"seq": v["seq"], "first_seen": v["first_seen"]} for v in versions],
        "old": {k: old[k] for k in ("seq", "first_seen", "last_seen", "title")},
        "new": {k: new[k] for k in ("seq", "first_seen", "last_seen", "title")},
        "title_diff": await diff_cached(("title", db.name, old["id"], new["id"]), old["title"], new["title"], 0),
        "text_diff": await diff_cached((db.name, old["id"], new["id"]), texts.get(old["id"]), texts.get(new["id"])),
        "report_url": link(datasette, f"/-/nianbao/report/{doc['id']}", db=db.name),
    }
    return Response.html(await datasette.render_template("nianbao_diff.html", context, request=request))


async def raw_capture(datasette, request):
    """The body exactly as fetched, always as a download that no browser renders.

    /-/nianbao/raw/<capture id>, or /-/nianbao/raw?url=<report URL> for the latest
    capture of that document that has a body; named <agency>-<year>-<title>-v<seq>.<ext>.
    """
    db = await archive_db(datasette, request)
    if "capture_id" in request.url_vars:
        row = await one(db, "SELECT id, url, body_sha256, headers, version_id, document_id FROM captures "
                            "WHERE id = ?", [as_id(request.url_vars["capture_id"], "capture")])
    else:
        doc = await _doc_arg(db, request)
        row = await one(db, "SELECT id, url, body_sha256, headers, version_id, document_id FROM captures "
                            "WHERE document_id = ? AND body_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1",
                        [doc["id"]])
    if row is None or not row["body_sha256"]:
        raise NotFound("no stored body for that capture")
    version = await one(db, "SELECT seq, title, agency, year FROM versions WHERE id = ?", [row["version_id"]]) \
        if row["version_id"] else None
    body = await read_body(db, row["body_sha256"])
    ctype = _content_type(row["headers"])
    name = download_name(version["agency"] if version else None, version["year"] if version else None,
                         (version["title"] if version else None) or f"capture-{row['id']}",
                         version["seq"] if version else 0, EXTENSIONS.get(ctype, "bin"))
    headers = {
        "Content-Disposition": content_disposition(name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Nianbao-Original-Content-Type": ctype or "unknown",
        "X-Nianbao-Source-Url": urllib.parse.quote(row["url"], safe=":/?&=%#"),
    }
    return Response(body, status=200, headers=headers, content_type="application/octet-stream")


async def charts_page(datasette, request):
    db = await archive_db(datasette, request)
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
    db = await archive_db(datasette, request)
    query = (request.args.get("q") or "").strip()
    check_search(query)
    size = request.args.get("_size", "20")
    if not size.isascii() or not size.isdigit() or len(size) > 6:
        raise ClientError(400, "_size must be a number")
    size = max(1, min(int(size), 100))
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


