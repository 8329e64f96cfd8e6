"""The in-project Datasette plugin: Chinese search, facet hygiene, report links, our pages.

Configuration (metadata.yaml / datasette.yaml) cannot do these, so they live here:
- `_search` on `reports` / `report_figures`: our bigram index (archive.search) instead of
  Datasette's own FTS handling, with Traditional queries converted to Simplified;
- `_region=` (also on `report_figures`) filters by the stored `reports.region` column
  (archive/regions.py); `_facet_region=` of older links means the `region` column facet;
- a `_facet=` naming a facet the table already has configured is dropped, so Datasette
  does not compute that facet twice;
- cells: report URLs link to the original and to our report page, search results show
  highlighted snippets, identity-check failures are flagged;
- pages under /-/nianbao/: report, diff, raw capture download, charts.
"""
from __future__ import annotations

import contextvars
import sys
import urllib.parse

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

from nianbao.archive import search
from nianbao.archive.datasette import pages
from nianbao.archive.datasette.databases import has_search_index, is_archive

SEARCH_TABLES = ("reports", "report_figures")
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


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    SEARCH_CACHE.register(conn)


def _table_path(path: str) -> tuple[str, str] | None:
    """(database, table) of a table page path /db/table or /db/table.json, else None."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        return None
    database, table = (urllib.parse.unquote(p) for p in parts)
    return database, table[:-5] if table.endswith(".json") else table


def _configured_facets(datasette, database: str, table: str) -> set[str]:
    tables = datasette.metadata("tables", database=database) or {}
    facets = (tables.get(table) or {}).get("facets") or []
    return {f for f in facets if isinstance(f, str)}


def dedupe_facets(datasette, path: str, query: str) -> str:
    """The query string without `_facet=` params Datasette would compute twice: a column
    the table's configuration already facets by, or one named again. `_facet_region=`
    (older links) becomes `_facet=region`."""
    where = _table_path(path)
    if where is None or "_facet" not in query:
        return query
    seen = _configured_facets(datasette, *where)
    pairs, changed = [], False
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key == "_facet_region":
            key, value, changed = "_facet", "region", True
        if key == "_facet" and not value.startswith("{"):
            if value in seen:
                changed = True
                continue
            seen.add(value)
        pairs.append((key, value))
    return urllib.parse.urlencode(pairs) if changed else query


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def add_query(scope, receive, send):
            if scope.get("type") == "http":
                raw = scope.get("query_string", b"").decode("latin-1")
                query = dedupe_facets(datasette, scope.get("path", ""), raw)
                if query != raw:
                    scope = dict(scope, query_string=query.encode("latin-1"))
                qs = urllib.parse.parse_qs(query)
                qs = {k: v[-1] for k, v in qs.items()}
                token = _current_query.set(qs)
                try:
                    await app(scope, receive, send)
                finally:
                    _current_query.reset(token)
            else:
                await app(scope, receive, send)

        return add_query

    return wrap


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
            extra["search"] = query
            expr = search.match_expression(query)
            if expr is None:
                wheres.append("0")
                descriptions.append(f'search "{query}" has nothing to search for')
            elif await has_search_index(db):
                wheres.append(search.cached_where_clause("nianbao_search"))
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


def _report_page_url(datasette, database: str, url: str) -> str:
    return datasette.urls.path("/-/nianbao/report?" + urllib.parse.urlencode({"db": database, "url": url}))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Links for URLs, snippets for searched text, a flag for failed identity checks."""
    if database not in getattr(datasette, "_nianbao_archives", ()):
        return None
    if column == "url" and isinstance(value, str) and value.startswith(("http://", "https://")):
        report = _report_page_url(datasette, database, value)
        raw = datasette.urls.path("/-/nianbao/raw?" + urllib.parse.urlencode({"db": database, "url": value}))
        return Markup(
            f'<a href="{escape(report)}" title="history, figures, raw captures">{escape(value)}</a>'
            f'<br><small><a href="{escape(value)}" rel="nofollow noopener noreferrer" '
            f'target="_blank">original ↗</a> · <a href="{escape(raw)}" download '
            f'title="latest raw capture, as a download">raw</a> · '
            f'<a href="{escape(report)}#versions">versions</a></small>')
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


@hookimpl
def extra_css_urls(datasette):
    # static files are served under the name the plugin was registered with: "nianbao"
    # (the installed entry point) or "nianbao.archive.datasette" (registered by nianbao serve)
    from datasette.plugins import pm

    plugin = sys.modules[__package__]        # this package is the plugin
    name = pm.get_name(plugin) or __package__
    return [datasette.urls.static_plugins(name, "nianbao.css")]


@hookimpl
def menu_links(datasette, actor, request):
    return [{"href": datasette.urls.path("/-/nianbao/charts"), "label": "Charts 图表"}]


@hookimpl
def register_routes():
    return [
        (r"^/-/nianbao/report$", pages.report_page),
        (r"^/-/nianbao/diff$", pages.diff_page),
        (r"^/-/nianbao/raw/(?P<capture_id>\d+)$", pages.raw_capture),
        (r"^/-/nianbao/raw$", pages.raw_capture),
        (r"^/-/nianbao/charts$", pages.charts_page),
        (r"^/-/nianbao/search\.json$", pages.search_json),
    ]
