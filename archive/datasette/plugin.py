"""The in-project Datasette plugin: Chinese search, ranking, bounds, report links, our pages.

Configuration (metadata.yaml / datasette.yaml) cannot do these, so they live here:
- every connection: SQLite limits (archive/datasette/limits.py), the search match cache,
  and on an archive a per-connection `temp.reports` view that adds `rank` (the report's
  place in the relevance order of the search being shown) to the `reports` view;
- `_search` on `reports` / `report_figures`: our bigram index (archive.search) instead of
  Datasette's own FTS handling, Traditional queries converted to Simplified; without an
  explicit sort, results come ranked by relevance (`_sort=rank`; `_sort_desc=published`
  sorts back to date);
- requests checked before Datasette sees them: read-only methods, numeric parameters,
  search length and terms, row keys; input errors Datasette raises become 400s;
- `_region=` (also on `report_figures`) filters by the stored `reports.region` column;
  `_facet_region=` of older links means the `region` column facet; a `_facet=` naming a
  configured facet is dropped, so Datasette does not compute that facet twice;
- XLSX downloads (datasette-xlsx) for the figure tables and queries only;
- cells: report URLs link to the reading page and the original, search results show
  highlighted snippets, identity-check failures are flagged;
- pages under /-/nianbao/: report (reading), coverage, agency, diff, raw, charts, search.
"""
from __future__ import annotations

import contextvars
import sqlite3
import sys
import urllib.parse

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from nianbao.archive import regions, search
from nianbao.archive.datasette import agency, coverage_page, pages, reading
from nianbao.archive.datasette.databases import has_search_index, is_archive
from nianbao.archive.datasette.limits import ClientError, bad_request, check_search, client_error, harden

SEARCH_TABLES = ("reports", "report_figures")
# Tables and queries whose rows are figures: the only ones offered as XLSX.
XLSX_TABLES = frozenset({"report_figures", "figures", "checks", "report_coverage", "year_figures",
                         "report_figures_long", "identity_failures", "requests_by_year", "reports_map"})
# Ranking every match of a word in nearly every report (公开) costs bm25 for all of them:
# past this many matches a search is shown unranked unless `_sort=rank` is asked for.
RANK_MAX_MATCHES = 30_000
# The query string of the request being rendered: render_cell gets no request in 0.65.
_current_query: contextvars.ContextVar[dict] = contextvars.ContextVar("nianbao_query", default={})


@hookimpl
def startup(datasette):
    """Remember which served databases are archives (render_cell cannot query)."""
    async def inner():
        datasette._nianbao_archives = {
            name for name, db in datasette.databases.items()
            if not name.startswith("_") and await is_archive(db)}

    return inner


# Memory-mapped reads roughly halve the cost of scanning the reports view over a large
# archive (measured in bench/search.py); pages are shared with the OS page cache.
MMAP_BYTES = 2 * 1024 ** 3


# One search filter a page (rows, count, facets) runs its full-text match once.
SEARCH_CACHE = search.MatchCache()


def _lon(adcode):
    point = regions.centroid(adcode)
    return point[0] if point else None


def _lat(adcode):
    point = regions.centroid(adcode)
    return point[1] if point else None


@hookimpl
def prepare_connection(conn):
    harden(conn)
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    SEARCH_CACHE.register(conn)
    conn.create_function("nianbao_longitude", 1, _lon, deterministic=True)
    conn.create_function("nianbao_latitude", 1, _lat, deterministic=True)
    try:
        archive = conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'view' AND name = 'reports'").fetchone()
        if archive:
            # `reports` with its rank in the search being shown (temp objects come first
            # in name lookups, on this connection only; the archive file is untouched)
            conn.execute(f"CREATE TEMP VIEW IF NOT EXISTS reports AS SELECT *, "
                         f"{search.RANK_FUNCTION}(document_id) AS rank FROM main.reports")
    except sqlite3.Error:
        pass


def _table_path(path: str) -> tuple[str, str, str] | None:
    """(database, table, extension) of a table page path /db/table[.ext], else None."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not all(parts) or parts[0].startswith("-"):
        return None
    database, table = (urllib.parse.unquote(p) for p in parts)
    ext = ""
    if "." in table:
        table, ext = table.rsplit(".", 1)
    return database, table, ext


def _configured_facets(datasette, database: str, table: str) -> set[str]:
    tables = datasette.metadata("tables", database=database) or {}
    facets = (tables.get(table) or {}).get("facets") or []
    return {f for f in facets if isinstance(f, str)}


def rewrite_query(datasette, path: str, query: str, matches: int | None = None) -> str:
    """The query string Datasette should see: `_facet=` params it would compute twice
    dropped (`_facet_region=` of older links becomes `_facet=region`), and `_sort=rank`
    added to a search of `reports` that names no sort (and has at most
    RANK_MAX_MATCHES `matches`, when they are known)."""
    where = _table_path(path)
    if where is None:
        return query
    database, table, _ext = where
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    keys = {k for k, _ in pairs}
    changed = False
    if "_facet" in query:
        seen = _configured_facets(datasette, database, table)
        kept = []
        for key, value in pairs:
            if key == "_facet_region":
                key, value, changed = "_facet", "region", True
            if key == "_facet" and not value.startswith("{"):
                if value in seen:
                    changed = True
                    continue
                seen.add(value)
            kept.append((key, value))
        pairs = kept
    if (table == "reports" and database in getattr(datasette, "_nianbao_archives", ())
            and any(k == "_search" and v.strip() for k, v in pairs)
            and not keys & {"_sort", "_sort_desc", "_sort_by_desc"}
            and (matches is None or matches <= RANK_MAX_MATCHES)):
        pairs.append(("_sort", "rank"))
        changed = True
    return urllib.parse.urlencode(pairs) if changed else query


def _error_response(path: str, error: ClientError) -> Response:
    if path.endswith(".json") or path.startswith("/-/nianbao/search.json"):
        return Response.json({"ok": False, "error": error.message, "status": error.status}, status=error.status)
    return Response.text(f"{error.status}: {error.message}\n", status=error.status)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def add_query(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            raw = scope.get("query_string", b"").decode("latin-1")
            path = scope.get("path", "")
            error = bad_request(scope.get("method", "GET"), path, raw)
            where = _table_path(path)
            if error is None and where and where[2] == "xlsx" and where[1] not in XLSX_TABLES:
                error = ClientError(404, "XLSX is offered for the figure tables and queries "
                                         f"({', '.join(sorted(XLSX_TABLES))}); use CSV or JSON")
            if error is not None:
                response = _error_response(path, error)
                await response.asgi_send(send)
                return
            query = rewrite_query(datasette, path, raw, await _matches(datasette, where, raw))
            if query != raw:
                scope = dict(scope, query_string=query.encode("latin-1"))
            qs = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
            token = _current_query.set(qs)
            try:
                await app(scope, receive, send)
            finally:
                _current_query.reset(token)

        return add_query

    return wrap


async def _matches(datasette, where, raw: str) -> int | None:
    """How many reports a search of the reports table matches (the page reuses the match)."""
    if not where or where[1] != "reports" or "_search=" not in raw or "_sort" in raw:
        return None
    query = urllib.parse.parse_qs(raw).get("_search", [""])[-1].strip()
    expr = search.match_expression(query) if query else None
    if expr is None or where[0] not in getattr(datasette, "_nianbao_archives", ()):
        return None
    db = datasette.get_database(where[0])
    if not await has_search_index(db):
        return None
    try:
        rows = (await db.execute(f"SELECT json_array_length({search.IDS_FUNCTION}(:e))", {"e": expr})).rows
    except Exception:                        # the page itself will say what is wrong
        return None
    return rows[0][0] if rows else None


async def _broad(db, expr: str) -> bool:
    """Whether a search matches so much of the archive that its page's queries should scan
    and test the match (search.cached_where_clause `scan`); runs the match into the cache."""
    try:
        rows = (await db.execute(f"SELECT {search.SHARE_FUNCTION}(:e)", {"e": expr})).rows
    except Exception:                        # the page's own queries will say what is wrong
        return False
    return bool(rows) and (rows[0][0] or 0) >= search.SCAN_SHARE


@hookimpl
def handle_exception(datasette, request, exception):
    """Input errors (a bad sort, a value too long for the limits, a number out of range)
    are the visitor's: 400 with the reason, never a 500."""
    error = client_error(exception)
    if error is None:
        return None
    return _error_response(request.path, error)


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    """`_search` through the bigram index and `_region` through the stored region column."""
    if table not in SEARCH_TABLES:
        return None

    async def inner():
        db = datasette.get_database(database)
        if not await is_archive(db):
            return None
        wheres, params, descriptions = [], {}, []
        extra = {"supports_search": True}
        query = (request.args.get("_search") or "").strip()
        if query:
            check_search(query)
            extra["search"] = query
            expr = search.match_expression(query)
            if expr is None:
                wheres.append("0")
                descriptions.append(f'search "{query}" has nothing to search for')
            elif await has_search_index(db):
                ranked = table == "reports" and request.args.get("_sort") == "rank"
                scan = table == "reports" and await _broad(db, expr)
                wheres.append(search.cached_where_clause("nianbao_search", ranked=ranked, scan=scan))
                params["nianbao_search"] = expr
                descriptions.append(f'search matches "{query}"')
            else:
                # No index yet (archive never refreshed): a slow but correct scan.
                likes = []
                for i, term in enumerate(search.parse_query(query).terms()):
                    variants = search.simplified_variants(term)
                    ors = []
                    for j, v in enumerate(variants):
                        params[f"nianbao_like_{i}_{j}"] = f"%{v}%"
                        ors.append(f"r.title LIKE :nianbao_like_{i}_{j} OR r.text LIKE :nianbao_like_{i}_{j}")
                    likes.append("(" + " OR ".join(ors) + ")")
                wheres.append("document_id IN (SELECT r.document_id FROM reports r WHERE "
                              + " AND ".join(likes or ["0"]) + ")")
                descriptions.append(f'search matches "{query}" (no search index: slow scan)')
        chosen_region = request.args.get("_region")
        if chosen_region:
            wheres.append("region = :nianbao_region" if table == "reports" else
                          "document_id IN (SELECT r.document_id FROM reports r "
                          "WHERE r.region = :nianbao_region)")
            params["nianbao_region"] = chosen_region
            descriptions.append(f'region is "{chosen_region}"')
        return FilterArguments(wheres, params, descriptions, extra)

    return inner


def _report_page_url(datasette, database: str, doc_id) -> str:
    path = f"/-/nianbao/report/{int(doc_id)}"
    first = sorted(getattr(datasette, "_nianbao_archives", ()) or [database])
    if database not in first[:1] and list(datasette.databases).index(database) > 0:
        path += "?db=" + urllib.parse.quote(database)
    return datasette.urls.path(path)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Links for URLs, snippets for searched text, a flag for failed identity checks."""
    if database not in getattr(datasette, "_nianbao_archives", ()):
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if column == "url" and isinstance(value, str) and value.startswith(("http://", "https://")):
        doc_id = row["document_id"] if "document_id" in keys else None
        report = (_report_page_url(datasette, database, doc_id) if doc_id is not None else
                  datasette.urls.path("/-/nianbao/report?" + urllib.parse.urlencode({"db": database, "url": value})))
        return Markup(
            f'<a href="{escape(report)}" title="read the report, its versions and figures">{escape(value)}</a>'
            f'<br><small><a href="{escape(report)}">read 阅读</a> · <a href="{escape(value)}" '
            f'rel="nofollow noopener noreferrer" target="_blank">original ↗</a> · '
            f'<a href="{escape(report)}#versions">versions</a></small>')
    if column == "title" and table == "reports" and isinstance(value, str) and "document_id" in keys:
        return Markup(f'<a href="{escape(_report_page_url(datasette, database, row["document_id"]))}">'
                      f'{escape(value)}</a>')
    if column == "agency" and table in ("reports", "report_figures", "report_coverage") and isinstance(value, str):
        href = datasette.urls.path("/-/nianbao/agency?" + urllib.parse.urlencode({"name": value}))
        return Markup(f'<a href="{escape(href)}" title="this agency over time">{escape(value)}</a>')
    if column == "text" and table == "reports" and isinstance(value, str):
        query = _current_query.get().get("_search", "").strip()
        if query:
            pieces = search.snippet(value, query)
            html = "".join(f"<mark>{escape(p)}</mark>" if hit else str(escape(_one_line(p)))
                           for p, hit in pieces)
            return Markup(f'<div class="nianbao-snippet">{html}</div>')
    if column == "identity_ok" and table in ("report_figures", None):
        if value == 0:
            return Markup('<span class="nianbao-bad" title="一+二 ≠ 三（七）+四">✗ 0 failed 不平衡</span>')
        if value == 1:
            return Markup('<span class="nianbao-ok">✓ 1</span>')
    if column == "identity_status" and value == "needs review":
        return Markup('<span class="nianbao-bad" title="figures read by OCR: check them against the images">'
                      '? needs review 待核对</span>')
    if column == "diff" and isinstance(value, str) and value.startswith("/-/nianbao/"):
        return Markup(f'<a href="{escape(datasette.urls.path(value))}">diff</a>')
    return None


def _one_line(text: str) -> str:
    """A snippet on one line: paragraph breaks become ' · ', table-cell tabs a space."""
    return " · ".join(" ".join(line.split()) for line in text.split("\n"))


def _static(datasette, filename: str) -> str:
    # static files are served under the name the plugin was registered with: "nianbao"
    # (the installed entry point) or "nianbao.archive.datasette" (registered by nianbao serve)
    from datasette.plugins import pm

    plugin = sys.modules[__package__]        # this package is the plugin
    name = pm.get_name(plugin) or __package__
    return datasette.urls.static_plugins(name, filename)


@hookimpl
def extra_css_urls(datasette):
    return [_static(datasette, "nianbao.css")]


@hookimpl
def extra_js_urls(datasette):
    return [{"url": _static(datasette, "nianbao.js"), "module": False}]


@hookimpl
def extra_template_vars(datasette):
    async def inner():
        first = sorted(getattr(datasette, "_nianbao_archives", ()) or [])
        names = [n for n in datasette.databases if n in first]
        return {"nianbao_db": names[0] if names else None,
                "nianbao_feeds": [("new", "feed_new"), ("changed", "feed_changed"), ("removed", "feed_removed")]}

    return inner


@hookimpl
def menu_links(datasette, actor, request):
    return [{"href": datasette.urls.path("/-/nianbao/coverage"), "label": "Coverage 覆盖"},
            {"href": datasette.urls.path("/-/nianbao/charts"), "label": "Charts 图表"}]


@hookimpl
def register_routes():
    return [
        (r"^/-/nianbao/report$", reading.redirect),
        (r"^/-/nianbao/report/(?P<doc_id>[0-9]+)(?:/v(?P<seq>[0-9]+))?$", reading.page),
        (r"^/-/nianbao/report/(?P<doc_id>[0-9]+)/v(?P<seq>[0-9]+)/(?P<kind>raw|text)$", reading.download),
        (r"^/-/nianbao/coverage$", coverage_page.page),
        (r"^/-/nianbao/agency$", agency.page),
        (r"^/-/nianbao/diff$", pages.diff_page),
        (r"^/-/nianbao/raw/(?P<capture_id>[0-9]+)$", pages.raw_capture),
        (r"^/-/nianbao/raw$", pages.raw_capture),
        (r"^/-/nianbao/charts$", pages.charts_page),
        (r"^/-/nianbao/search\.json$", pages.search_json),
    ]
