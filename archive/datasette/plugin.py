"""The in-project Datasette plugin: Chinese search, region facet, report links, our pages.

Configuration (metadata.yaml / datasette.yaml) cannot do these, so they live here:
- `_search` on `reports` / `report_figures`: our bigram index (archive.search) instead of
  Datasette's own FTS handling, with Traditional queries converted to Simplified;
- `_facet_region=` and `_region=`: a province-level region derived by archive.datasette.regions;
- cells: report URLs link to the original and to our report page, search results show
  highlighted snippets, identity-check failures are flagged;
- pages under /-/nianbao/: report, diff, raw capture download, charts.
"""
from __future__ import annotations

import contextvars
import urllib.parse

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args
from markupsafe import Markup, escape

from archive import search
from archive.datasette import pages
from archive.datasette.regions import region

SEARCH_TABLES = ("reports", "report_figures")
# The query string of the request being rendered: render_cell gets no request in 0.65.
_current_query: contextvars.ContextVar[dict] = contextvars.ContextVar("nianbao_query", default={})


async def is_archive(db) -> bool:
    """A database with our views and tables (other attached databases are left alone)."""
    names = set(await db.table_names()) | set(await db.view_names())
    return {"reports", "versions", "captures"} <= names


async def has_search_index(db) -> bool:
    # an index of an older layout (no orphans table) is not used until refreshed
    return set(await db.table_names()) >= {search.FTS_TABLE, search.DOCS_TABLE, search.ORPHANS_TABLE}


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


@hookimpl
def prepare_connection(conn):
    conn.create_function("nianbao_region", 2, region, deterministic=True)
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def add_query(scope, receive, send):
            if scope.get("type") == "http":
                qs = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
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
    """`_search` through the bigram index and `_region` through the region rule."""
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
                wheres.append(search.where_clause("nianbao_search"))
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
            wheres.append("document_id IN (SELECT r.document_id FROM reports r "
                          "WHERE nianbao_region(r.site, r.agency) = :nianbao_region)")
            params["nianbao_region"] = chosen_region
            descriptions.append(f'region is "{chosen_region}"')
        return FilterArguments(wheres, params, descriptions, extra)

    return inner


class RegionFacet(Facet):
    """Facet by province-level region (see archive.datasette.regions for the rule)."""

    type = "region"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        configs = self.get_configs()
        if not configs or self.table not in SEARCH_TABLES:
            return results, timed_out
        if self.database not in getattr(self.ds, "_nianbao_archives", ()):
            return results, timed_out
        source = configs[0]["source"]
        qs_pairs = self.get_querystring_pairs()
        size = self.get_facet_size()
        if self.table == "reports":
            sql = (f"SELECT nianbao_region(site, agency) AS value, count(*) AS count "
                   f"FROM ({self.sql}) GROUP BY value ORDER BY count DESC, value LIMIT {size + 1}")
        else:
            sql = (f"SELECT nianbao_region(r.site, r.agency) AS value, count(*) AS count "
                   f"FROM ({self.sql}) f JOIN reports r ON r.document_id = f.document_id "
                   f"GROUP BY value ORDER BY count DESC, value LIMIT {size + 1}")
        try:
            rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                         custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        except QueryInterrupted:
            return results, ["region"]
        values = []
        for row in rows.rows[:size]:
            selected = ("_region", str(row["value"])) in qs_pairs
            toggle = (path_with_removed_args(self.request, {"_region": str(row["value"])}) if selected
                      else path_with_added_args(self.request, {"_region": row["value"]}))
            values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                           "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                           "selected": selected})
        results.append({
            "name": "region", "type": self.type, "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_region": "1"})),
            "results": values, "truncated": len(rows.rows) > size,
        })
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [RegionFacet]


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
    if column == "diff" and isinstance(value, str) and value.startswith("/-/nianbao/"):
        return Markup(f'<a href="{escape(datasette.urls.path(value))}">diff</a>')
    return None


def _one_line(text: str) -> str:
    """A snippet on one line: paragraph breaks become ' · ', table-cell tabs a space."""
    return " · ".join(" ".join(line.split()) for line in text.split("\n"))


@hookimpl
def extra_css_urls(datasette):
    # static files are served under the name the plugin was registered with: "nianbao"
    # (the installed entry point) or "archive.datasette" (registered by nianbao serve)
    from datasette.plugins import pm

    import archive.datasette as plugin

    name = pm.get_name(plugin) or "archive.datasette"
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
