"""/-/nianbao/coverage: for each agency and year, the report found or missing, and whether
it came out by the legal deadline (the rule and the `report_coverage` view: archive/coverage.py).

A page shows `PAGE_SIZE` agencies (by name) against the archive's years, narrowed by
region, prefecture, county or a part of the agency's name, optionally only agencies
with a gap or a late report; the totals above cover every agency the filters select.
Each query reads the stored report rows through their (agency, year, published) index;
the totals (a pass over every selected row) are kept per filter until the archive's
reports change (the search index's version token, bumped by every refresh).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from datasette.utils.asgi import Response

from nianbao.archive import coverage
from nianbao.archive.datasette.common import archive_db, first_archive_name, link, report_path
from nianbao.archive.datasette.limits import ClientError

PAGE_SIZE = 50
_totals: OrderedDict[tuple, dict] = OrderedDict()
_lock = threading.Lock()
MAX_PAGE = 10_000
FILTERS = ("region", "prefecture", "county")
SHOW = ("all", "gaps", "late")


def _where(request) -> tuple[str, dict]:
    where, params = ["agency IS NOT NULL", "year IS NOT NULL"], {}
    for name in FILTERS:
        value = request.args.get(name)
        if value:
            where.append(f"{name} = :{name}")
            params[name] = value[:100]
    agency = (request.args.get("agency") or "").strip()
    if agency:
        where.append("instr(agency, :agency) > 0")
        params["agency"] = agency[:100]
    return " AND ".join(where), params


async def _data_version(db) -> str:
    """A token that changes whenever the archive's reports do (the search index's version)."""
    try:
        rows = (await db.execute("SELECT value FROM search_meta WHERE key = 'version'")).rows
    except Exception:                       # no search index yet: no caching across changes
        return str(id(object()))
    return rows[0][0] if rows else "0"


def _late_sql(published: str, agency: str, year: str) -> str:
    return f"({published} IS NOT NULL AND {published} > {coverage.DEADLINE_SQL.format(agency=agency, year=year)})"


async def page(datasette, request):
    db = await archive_db(datasette, request)
    first_db = await first_archive_name(datasette)
    show = request.args.get("show") or "all"
    if show not in SHOW:
        raise ClientError(400, f"show must be one of {', '.join(SHOW)}")
    page_no = request.args.get("page") or "1"
    if not page_no.isdigit() or not 1 <= int(page_no) <= MAX_PAGE:
        raise ClientError(400, "page must be a number from 1")
    page_no = int(page_no)
    where, params = _where(request)
    span = (await db.execute("SELECT min(year) AS lo, max(year) AS hi FROM report_rows")).rows[0]
    lo, hi = span["lo"], span["hi"]
    params["last"] = hi or 0
    per_agency = (
        "ay AS (SELECT agency, year, min(published) AS published FROM report_rows "
        f"WHERE {where} GROUP BY agency, year), "
        "ag AS (SELECT agency, min(year) AS first_year, count(*) AS found, "
        f"sum({_late_sql('published', 'agency', 'year')}) AS late, "
        "sum(published IS NULL) AS unknown FROM ay GROUP BY agency)")
    version = await _data_version(db)
    key = (db.name, version, where, tuple(sorted(params.items())))
    with _lock:
        totals = _totals.get(key)
    if totals is None:
        totals = dict((await db.execute(
            f"WITH {per_agency} SELECT count(*) AS agencies, coalesce(sum(found), 0) AS found, "
            f"coalesce(sum(:last - first_year + 1), 0) AS expected, coalesce(sum(late), 0) AS late, "
            f"coalesce(sum(unknown), 0) AS unknown FROM ag", params)).rows[0])
        with _lock:
            _totals[key] = totals
            while len(_totals) > 256:
                _totals.popitem(last=False)
    limit = f"ORDER BY agency LIMIT {PAGE_SIZE + 1} OFFSET {(page_no - 1) * PAGE_SIZE}"
    if show == "all":                          # streams through the index, stops after a page
        agencies = (await db.execute(
            f"SELECT agency, min(year) AS first_year FROM report_rows WHERE {where} GROUP BY agency {limit}",
            params)).rows
    else:
        having = {"gaps": "found < :last - first_year + 1", "late": "late > 0"}[show]
        agencies = (await db.execute(
            f"WITH {per_agency} SELECT agency, first_year FROM ag WHERE {having} {limit}", params)).rows
    more = len(agencies) > PAGE_SIZE
    agencies = agencies[:PAGE_SIZE]
    names = [a["agency"] for a in agencies]
    cells: dict[tuple[str, int], dict] = {}
    places: dict[str, str] = {}
    if names:
        marks = ", ".join(f":a{i}" for i in range(len(names)))
        for r in (await db.execute(
                f"SELECT agency, year, count(*) AS n, min(document_id) AS document_id, "
                f"min(published) AS published, max(region) AS region, max(prefecture) AS prefecture, "
                f"max(county) AS county FROM report_rows WHERE agency IN ({marks}) AND year IS NOT NULL "
                f"GROUP BY agency, year", {f"a{i}": n for i, n in enumerate(names)})).rows:
            due = coverage.deadline(r["agency"], r["year"])
            status = ("date unknown" if not r["published"] else
                      "on time" if r["published"] <= due else "late")
            cells[(r["agency"], r["year"])] = {
                "n": r["n"], "published": r["published"], "deadline": due, "status": status,
                "url": report_path(datasette, db.name, first_db, r["document_id"])}
            places[r["agency"]] = " · ".join(p for p in (r["region"], r["prefecture"], r["county"]) if p)
    years = list(range(lo, hi + 1)) if lo is not None else []
    rows = []
    for a in agencies:
        row = []
        for y in years:
            cell = cells.get((a["agency"], y))
            if cell is None:
                cell = {"status": "missing" if y >= a["first_year"] else "before",
                        "deadline": coverage.deadline(a["agency"], y)}
            row.append(cell)
        rows.append({"agency": a["agency"], "place": places.get(a["agency"], ""), "cells": row,
                     "kind": coverage.kind(a["agency"]),
                     "url": link(datasette, "/-/nianbao/agency", name=a["agency"],
                                 db=None if db.name == first_db else db.name)})
    args = {k: request.args.get(k) for k in (*FILTERS, "agency", "show") if request.args.get(k)}
    if db.name != first_db:
        args["db"] = db.name
    regions = [r["region"] for r in (await db.execute(
        "SELECT DISTINCT region FROM report_rows WHERE region IS NOT NULL ORDER BY region")).rows]
    context = {
        "db_name": db.name, "years": years, "rows": rows, "totals": totals,
        "missing": totals["expected"] - totals["found"], "show": show, "args": args,
        "regions": regions, "page": page_no,
        "prev_url": link(datasette, "/-/nianbao/coverage", **args, page=page_no - 1) if page_no > 1 else None,
        "next_url": link(datasette, "/-/nianbao/coverage", **args, page=page_no + 1) if more else None,
        "view_url": datasette.urls.table(db.name, "report_coverage"),
    }
    return Response.html(await datasette.render_template("nianbao_coverage.html", context, request=request))
