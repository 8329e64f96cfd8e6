"""Stored rows of the contract views: `reports` over `report_rows`, `report_figures` over
`report_figure_rows`, so reading them costs a table read.

A report's public row is computed from its document, current version, site and
attachments, and its wide figures from its versions' figures and checks (the computed
definitions below, which is what the views used to be). Computing costs microseconds a
row, which Datasette pays for every count and facet over 100,000 reports, and SQLite's
planner can turn the computed joins into a scan of seconds once the database has
statistics. So the archive stores the rows and re-derives those of exactly the documents
a write touched, inside that write's transaction: `sync(conn, document_ids)`.

The text is not stored twice: `report_rows.joined_text` is NULL when the report's text is
its current version's text (the view reads that by id) and holds the text only for a
pointer page whose report text joins its attachments'. So the table stays small (a few
hundred bytes a row) and a count or a facet reads a few thousand pages, not the texts.

The computed definitions stay the reference: `differences(conn)` (used by `nianbao check`)
compares each view with its definition, so drift is found; `rebuild(conn)` back-fills.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Callable, Iterable

from nianbao.archive.regions import division_field
from nianbao.extract.report_schema import WIDE_COLUMNS

TABLE = "report_rows"
# The SQL name of archive.regions.division_field: the stored `region`, `prefecture`,
# `county` and `adcode` columns are derived with it.
DIVISION_FUNCTION = "nianbao_division"
DIVISION_COLUMNS = ("region", "prefecture", "county", "adcode")
FIGURES_TABLE = "report_figure_rows"


def report_documents_sql(where: str = "1") -> str:
    """Report documents with the parts their public row is made of: the page's current
    version and, when the page is only a short pointer to attachments, their text.
    `where` narrows the documents (alias `d`) before anything else is computed.
    Attachments are always found through `documents_parent` (INDEXED BY): with ANALYZE
    statistics (a column of mostly NULLs) SQLite would otherwise scan every document
    for every row."""
    return f"""
SELECT
    d.id AS document_id,
    d.url,
    d.site_id,
    d.first_seen,
    d.last_seen,
    d.removed,
    v.id AS version_id,
    (SELECT a.id FROM documents a INDEXED BY documents_parent JOIN versions av ON av.id = a.current_version_id
       WHERE a.parent_id = d.id AND a.merged_into IS NULL
       ORDER BY av.is_report DESC, length(av.text) DESC, a.id LIMIT 1) AS main_attachment_id,
    (length(coalesce(v.text, '')) < 1000 AND EXISTS (
       SELECT 1 FROM documents a INDEXED BY documents_parent JOIN versions av ON av.id = a.current_version_id
        WHERE a.parent_id = d.id AND a.merged_into IS NULL
          AND length(coalesce(av.text, '')) > length(coalesce(v.text, '')))) AS is_pointer
FROM documents d
JOIN versions v ON v.id = d.current_version_id
WHERE d.merged_into IS NULL
  AND ({where})
  AND (
    -- a page that is a report, or that points to an attachment that is one
    (d.parent_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM documents p JOIN versions pv ON pv.id = p.current_version_id
         WHERE p.id = d.parent_id AND pv.is_report = 1))
    AND (v.is_report = 1 OR (d.kind = 'page' AND EXISTS (
        SELECT 1 FROM documents a INDEXED BY documents_parent JOIN versions av ON av.id = a.current_version_id
         WHERE a.parent_id = d.id AND av.is_report = 1)))
  )"""


def computed_reports_sql(where: str = "1") -> str:
    """The reference definition of `reports` rows (what the view computed until the
    rows were stored), for the documents `where` (alias `d`) selects. The divisions come
    from the agency, the site and the page's 网站标识码 (archive/regions.py; needs
    `register_functions(conn)`)."""
    division_columns = "".join(
        f",\n    {DIVISION_FUNCTION}(s.host, coalesce(v.agency, av.agency), "
        f"coalesce(v.site_code, av.site_code), '{col}') AS {col}" for col in DIVISION_COLUMNS)
    return f"""
SELECT
    rd.url,
    s.host AS site,
    coalesce(nullif(v.title, ''), av.title) AS title,
    coalesce(v.agency, av.agency) AS agency,
    CAST(coalesce(v.year, av.year) AS INTEGER) AS year,
    coalesce(v.published, av.published) AS published,
    v.script AS script,
    CASE WHEN rd.is_pointer THEN
        trim(coalesce(v.text, '') || char(10) || coalesce((
            SELECT group_concat(t, char(10)) FROM (
              SELECT av2.text AS t FROM documents a2 INDEXED BY documents_parent
              JOIN versions av2 ON av2.id = a2.current_version_id
               WHERE a2.parent_id = rd.document_id AND a2.merged_into IS NULL
               ORDER BY a2.id)), ''), char(10))
    ELSE v.text END AS text,
    CAST((SELECT count(DISTINCT x.text_hash) FROM versions x WHERE x.document_id = rd.document_id)
      + CASE WHEN rd.is_pointer THEN coalesce((
            SELECT count(DISTINCT x.document_id || ':' || x.text_hash)
                   - count(DISTINCT x.document_id) FROM versions x
              JOIN documents a3 INDEXED BY documents_parent ON a3.id = x.document_id
             WHERE a3.parent_id = rd.document_id AND a3.merged_into IS NULL), 0)
        ELSE 0 END AS INTEGER) AS versions,
    rd.first_seen,
    rd.last_seen,
    rd.removed,
    rd.document_id,
    rd.version_id,
    rd.main_attachment_id AS attachment_document_id,
    CAST(coalesce(v.no_text_layer, 0) OR coalesce(av.no_text_layer, 0) AS INTEGER) AS no_text_layer,
    coalesce(v.content_type, 'html') AS content_type{division_columns}
FROM ({report_documents_sql(where)}) rd
JOIN sites s ON s.id = rd.site_id
JOIN versions v ON v.id = rd.version_id
LEFT JOIN documents ad ON ad.id = rd.main_attachment_id
LEFT JOIN versions av ON av.id = ad.current_version_id"""


def _wide_columns_sql(alias: str) -> str:
    """One summed column per WIDE_COLUMNS entry; NULL when every summed cell is blank."""
    parts = []
    for name, (table_no, rows, col) in WIDE_COLUMNS.items():
        row_list = ", ".join(f"'{r}'" for r in rows)
        parts.append(
            f"(SELECT sum(f.value) FROM figures f WHERE f.version_id = {alias}.figures_version_id"
            f" AND f.table_no = {table_no} AND f.col_key = '{col}' AND f.row_key IN ({row_list}))"
            f" AS {name}"
        )
    return ",\n    ".join(parts)


def computed_report_figures_sql(where: str = "1") -> str:
    """The reference definition of `report_figures` rows: the wide figures (table 3 总计
    column, table 4 totals) of the report rows `where` (alias `r`, over `reports`) selects,
    read from the page's version or else its main attachment's, 2019/2021 formats only."""
    return f"""
SELECT
    fv.url,
    fv.agency,
    fv.year,
    fv.format,
    {_wide_columns_sql('fv')},
    fv.identity_ok,
    CAST((SELECT count(*) FROM checks k WHERE k.version_id = fv.figures_version_id AND k.ok = 0)
      AS INTEGER) AS checks_failed,
    CAST(coalesce((SELECT max(f.ocr) FROM figures f WHERE f.version_id = fv.figures_version_id), 0)
      AS INTEGER) AS figures_ocr,
    fv.document_id,
    fv.figures_version_id AS version_id
FROM (
    SELECT
        r.url, r.agency, r.year, r.document_id,
        CASE WHEN v.figures_format IS NOT NULL THEN v.id ELSE av.id END AS figures_version_id,
        CASE WHEN v.figures_format IS NOT NULL THEN v.figures_format ELSE av.figures_format END AS format,
        CAST(CASE WHEN v.figures_format IS NOT NULL THEN v.identity_ok ELSE av.identity_ok END AS INTEGER)
          AS identity_ok
    FROM reports r
    JOIN versions v ON v.id = r.version_id
    LEFT JOIN documents ad ON ad.id = r.attachment_document_id
    LEFT JOIN versions av ON av.id = ad.current_version_id
    WHERE {where}
) fv
WHERE fv.format IN ('2019', '2021')"""


@dataclass(frozen=True)
class StoredView:
    """A contract view whose rows (one per report document) live in a table."""

    view: str
    table: str
    columns: tuple[str, ...]           # the view's columns, in order
    stored: tuple[str, ...]            # the table's columns, position by position
    id_column: str                     # how the computed definition names the document id
    computed: Callable[[str], str]     # computed rows for documents `where` selects
    stored_form: str                   # per stored column: SQL over `c` (a computed row)
    view_sql: str

    @property
    def doc(self) -> int:
        return self.columns.index("document_id")

    def stored_form_sql(self, where: str) -> str:
        return f"SELECT {self.stored_form} FROM ({self.computed(where)}) c"


REPORT_COLUMNS = ("url", "site", "title", "agency", "year", "published", "script", "text",
                  "versions", "first_seen", "last_seen", "removed", "document_id", "version_id",
                  "attachment_document_id", "no_text_layer", "content_type", *DIVISION_COLUMNS)
FIGURE_COLUMNS = ("url", "agency", "year", "format", *WIDE_COLUMNS, "identity_ok",
                  "checks_failed", "figures_ocr", "document_id", "version_id")

REPORTS = StoredView(
    view="reports",
    table=TABLE,
    columns=REPORT_COLUMNS,
    stored=tuple("joined_text" if c == "text" else c for c in REPORT_COLUMNS),
    id_column="d.id",
    computed=computed_reports_sql,
    # the text is stored only when it is not simply the current version's text
    stored_form=", ".join(
        "CASE WHEN c.text IS (SELECT v.text FROM versions v WHERE v.id = c.version_id) "
        "THEN NULL ELSE c.text END" if col == "text" else f"c.{col}" for col in REPORT_COLUMNS),
    # a direct column keeps its table affinity in the view (`?year=2022` matches 2022); the
    # text is read only when a query asks for it (a count or a facet never does)
    view_sql="CREATE VIEW reports AS SELECT " + ", ".join(
        "coalesce(r.joined_text, (SELECT v.text FROM versions v WHERE v.id = r.version_id)) AS text"
        if c == "text" else f"r.{c}" for c in REPORT_COLUMNS) + f" FROM {TABLE} r",
)

FIGURES = StoredView(
    view="report_figures",
    table=FIGURES_TABLE,
    columns=FIGURE_COLUMNS,
    stored=FIGURE_COLUMNS,
    id_column="r.document_id",
    computed=computed_report_figures_sql,
    stored_form=", ".join(f"c.{col}" for col in FIGURE_COLUMNS),
    # identity_status: a failed identity on figures OCR read is a reading to check by eye
    # ("needs review"), not a report that contradicts itself ("inconsistent")
    view_sql=(f"CREATE VIEW report_figures AS SELECT {', '.join(FIGURE_COLUMNS)}, "
              "CASE WHEN identity_ok = 1 THEN 'consistent' WHEN identity_ok = 0 AND figures_ocr = 1 "
              "THEN 'needs review' WHEN identity_ok = 0 THEN 'inconsistent' END AS identity_status "
              f"FROM {FIGURES_TABLE}"),
)

# In dependency order: the figures' computed rows read the `reports` view.
STORED_VIEWS = (REPORTS, FIGURES)


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the SQL functions the computed rows use available on this connection, once:
    registering a function expires the connection's prepared statements, and `sync` (once
    a stored page) would then compile its long queries anew every time."""
    try:
        # compiles only where the function exists (never called: no row)
        conn.execute(f"SELECT {DIVISION_FUNCTION}(NULL, NULL, NULL, NULL) WHERE 0")
    except sqlite3.OperationalError:
        conn.create_function(DIVISION_FUNCTION, 4, division_field, deterministic=True)


def affected(conn: sqlite3.Connection, doc_ids: Iterable[int]) -> set[int]:
    """Documents whose rows can change when these documents change: themselves, the page
    each is attached to (its text, versions, main attachment, figures) and their own
    attachments (whether they count as reports depends on their page's version)."""
    ids = {int(i) for i in doc_ids if i is not None}
    if not ids:
        return ids
    arg = json.dumps(sorted(ids))
    for (other,) in conn.execute(
            "SELECT parent_id FROM documents WHERE id IN (SELECT value FROM json_each(?)) "
            "AND parent_id IS NOT NULL UNION "
            "SELECT id FROM documents WHERE parent_id IN (SELECT value FROM json_each(?))",
            (arg, arg)):
        ids.add(other)
    return ids


def sync(conn: sqlite3.Connection, doc_ids: Iterable[int]) -> int:
    """Re-derive the stored rows of these documents (and of the documents they affect)
    from the computed definitions; write only what differs. Returns the rows written.
    Call inside the transaction that changed the documents."""
    register_functions(conn)
    ids = sorted(affected(conn, doc_ids))
    written = 0
    for i in range(0, len(ids), 500):
        arg = json.dumps(ids[i:i + 500])
        for sv in STORED_VIEWS:
            written += _sync_chunk(conn, sv, ids[i:i + 500], arg)
    return written


def _sync_chunk(conn: sqlite3.Connection, sv: StoredView, chunk: list[int], arg: str) -> int:
    where = f"{sv.id_column} IN (SELECT value FROM json_each(:ids))"
    fresh = {r[sv.doc]: r for r in conn.execute(sv.stored_form_sql(where), {"ids": arg})}
    stored = {r[sv.doc]: r for r in conn.execute(
        f"SELECT {', '.join(sv.stored)} FROM {sv.table} "
        f"WHERE document_id IN (SELECT value FROM json_each(?))", (arg,))}
    written = 0
    for doc_id in chunk:
        new, old = fresh.get(doc_id), stored.get(doc_id)
        if new is None and old is None:
            continue
        if new is None:
            conn.execute(f"DELETE FROM {sv.table} WHERE document_id = ?", (doc_id,))
        elif old is None:
            conn.execute(f"INSERT INTO {sv.table} ({', '.join(sv.stored)}) "
                         f"VALUES ({', '.join('?' * len(sv.stored))})", new)
        else:
            changed = [i for i, (a, b) in enumerate(zip(new, old)) if not _same(a, b)]
            if not changed:
                continue
            conn.execute(f"UPDATE {sv.table} SET {', '.join(f'{sv.stored[i]} = ?' for i in changed)} "
                         f"WHERE document_id = ?", [new[i] for i in changed] + [doc_id])
        written += 1
    return written


def touch_last_seen(conn: sqlite3.Connection, doc_id: int, last_seen: str) -> None:
    """The cheap path of an unchanged recrawl: only `last_seen` of the document's row."""
    conn.execute(f"UPDATE {TABLE} SET last_seen = ? WHERE document_id = ? AND last_seen IS NOT ?",
                 (last_seen, doc_id, last_seen))


def rebuild(conn: sqlite3.Connection) -> dict:
    """Replace every stored row by its computed definition (back-fill, repair).
    The `reports` view must already read `report_rows` when the figures are rebuilt."""
    register_functions(conn)
    counts = {}
    for sv in STORED_VIEWS:
        conn.execute(f"DELETE FROM {sv.table}")
        conn.execute(f"INSERT INTO {sv.table} ({', '.join(sv.stored)}) "
                     f"{sv.stored_form_sql('1')} ORDER BY c.document_id")
        counts[sv.table] = conn.execute(f"SELECT count(*) FROM {sv.table}").fetchone()[0]
    return counts


def _same(a, b) -> bool:
    return (a is None and b is None) or (a == b and type(a) is type(b))


def differences(conn: sqlite3.Connection, limit: int = 20, chunk: int = 2000) -> list[str]:
    """How the views differ from their computed definitions (empty = in sync).

    Compares ranges of document ids, so memory stays flat and the computed side is
    always driven by document id, at any archive size."""
    register_functions(conn)
    problems: list[str] = []
    for sv in STORED_VIEWS:
        cols = ", ".join(sv.columns)
        top = conn.execute(f"SELECT max(m) FROM (SELECT max(id) AS m FROM documents "
                           f"UNION ALL SELECT max(document_id) FROM {sv.table})").fetchone()[0] or 0
        for lo in range(0, top + 1, chunk):
            span = {"lo": lo, "hi": lo + chunk - 1}
            computed = {r[sv.doc]: r for r in conn.execute(
                f"SELECT {cols} FROM ({sv.computed(f'{sv.id_column} BETWEEN :lo AND :hi')})", span)}
            stored = {r[sv.doc]: r for r in conn.execute(
                f"SELECT {cols} FROM {sv.view} WHERE document_id BETWEEN :lo AND :hi", span)}
            for doc_id in sorted(computed.keys() | stored.keys()):
                new, old = computed.get(doc_id), stored.get(doc_id)
                if old is None:
                    problems.append(f"{sv.view}: document {doc_id} ({new[0]}) is missing from "
                                    f"{sv.table}")
                elif new is None:
                    problems.append(f"{sv.view}: document {doc_id} ({old[0]}) is in {sv.table} "
                                    f"but its computed definition has no such row")
                else:
                    changed = [c for c, a, b in zip(sv.columns, new, old) if not _same(a, b)]
                    if not changed:
                        continue
                    problems.append(f"{sv.view}: document {doc_id} ({new[0]}) differs from the "
                                    f"computed definition in {', '.join(changed)}")
                if len(problems) >= limit:
                    problems.append("stored view rows: further differences not listed")
                    return problems
    return problems
