"""/-/nianbao/agency?name=<agency>: one agency over time.

Its reports year by year (with the coverage rule's gaps and deadlines), its table 3 and 4
figures year by year as a table and a chart, and a comparison of two years (`a`, `b`,
default: its two latest years with figures): each figure's change and a diff of the two
reports' texts (computed off the event loop, archive/datasette/diff.py).
"""
from __future__ import annotations

from datasette.utils.asgi import NotFound, Response

from nianbao.archive import coverage
from nianbao.archive.datasette import charts
from nianbao.archive.datasette.common import archive_db, first_archive_name, report_path
from nianbao.archive.datasette.diff import diff_cached
from nianbao.archive.datasette.labels import bilingual
from nianbao.archive.datasette.limits import ClientError
from nianbao.extract.report_schema import WIDE_COLUMNS


def _year(value) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit() or len(str(value)) != 4:
        raise ClientError(400, "a year is four digits")
    return int(value)


async def page(datasette, request):
    db = await archive_db(datasette, request)
    first_db = await first_archive_name(datasette)
    name = (request.args.get("name") or "").strip()
    if not name or len(name) > 200:
        raise ClientError(400, "give the agency's name: ?name=")
    reports = [dict(r) for r in (await db.execute(
        "SELECT document_id, version_id, year, title, published, url, versions, removed, region, "
        "prefecture, county FROM reports WHERE agency = ? ORDER BY year, published", [name])).rows]
    if not reports:
        raise NotFound(f"no reports of {name!r} in this archive")
    for r in reports:
        r["page"] = report_path(datasette, db.name, first_db, r["document_id"])
        r["deadline"] = coverage.deadline(name, r["year"])
        r["on_time"] = (r["published"] <= r["deadline"]) if r["published"] and r["deadline"] else None
    last = (await db.execute("SELECT max(year) AS y FROM report_rows")).rows[0]["y"]
    have = {r["year"] for r in reports if r["year"] is not None}
    first_year = min(have) if have else None
    gaps = [y for y in range(first_year, (last or first_year) + 1) if y not in have] if first_year else []
    # one parameter, not one a report: an agency name many documents carry would pass
    # SQLite's variable limit (archive/datasette/limits.py)
    figures = {f["document_id"]: dict(f) for f in (await db.execute(
        "SELECT * FROM report_figures WHERE document_id IN "
        "(SELECT document_id FROM reports WHERE agency = ?)", [name])).rows}
    by_year: dict[int, dict] = {}
    for r in reports:
        f = figures.get(r["document_id"])
        if f is not None and r["year"] is not None:
            by_year[r["year"]] = {**f, "report": r}
    years = sorted(by_year)
    table = [{"key": c, "label": bilingual(c), "values": [by_year[y][c] for y in years]} for c in WIDE_COLUMNS]
    chart = charts.stacked_bars(
        [str(y) for y in years],
        [("本年新收 new", [by_year[y]["requests_new"] for y in years]),
         ("上年结转 carried over", [by_year[y]["requests_carried_over"] for y in years])],
        "依申请公开：申请数 · Requests received by year") if years else None
    outcomes = charts.stacked_bars(
        [str(y) for y in years],
        [(bilingual(c).split(" · ")[0], [by_year[y][c] for y in years])
         for c in ("granted", "partially_granted", "denied", "unable_to_provide", "not_processed",
                   "other_processed")],
        "办理结果 · Outcomes by year") if years else None
    a, b = _year(request.args.get("a")), _year(request.args.get("b"))
    texts = sorted(r["year"] for r in reports if r["year"] is not None)
    if a is None and b is None and len(texts) >= 2:
        a, b = texts[-2], texts[-1]
    compare = None
    if a is not None and b is not None:
        ra = next((r for r in reports if r["year"] == a), None)
        rb = next((r for r in reports if r["year"] == b), None)
        if ra is None or rb is None:
            raise NotFound(f"{name} has no report for {a if ra is None else b}")
        rows = (await db.execute("SELECT id, text FROM versions WHERE id IN (?, ?)",
                                 [ra["version_id"], rb["version_id"]])).rows
        text = {r["id"]: r["text"] for r in rows}
        deltas = []
        for c in WIDE_COLUMNS:
            va = by_year.get(a, {}).get(c)
            vb = by_year.get(b, {}).get(c)
            deltas.append({"label": bilingual(c), "a": va, "b": vb,
                           "delta": (vb - va) if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None})
        diff = await diff_cached((db.name, ra["version_id"], rb["version_id"]),
                                 text.get(ra["version_id"]), text.get(rb["version_id"]), context=1)
        compare = {"a": a, "b": b, "ra": ra, "rb": rb, "deltas": deltas, "diff": diff}
    context = {
        "db_name": db.name, "name": name, "reports": reports, "gaps": gaps, "last": last,
        "place": " · ".join(p for p in (reports[-1]["region"], reports[-1]["prefecture"], reports[-1]["county"]) if p),
        "kind": coverage.kind(name), "years": years, "table": table, "charts": [c for c in (chart, outcomes) if c],
        "compare": compare, "all_years": texts, "db_arg": None if db.name == first_db else db.name,
        "figures_csv": datasette.urls.table(db.name, "report_figures") + ".csv?" + _qs({"agency": name}),
        "figures_xlsx": datasette.urls.table(db.name, "report_figures") + ".xlsx?" + _qs({"agency": name}),
    }
    return Response.html(await datasette.render_template("nianbao_agency.html", context, request=request))


def _qs(params: dict) -> str:
    from urllib.parse import urlencode
    return urlencode(params)
