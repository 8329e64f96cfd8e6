"""The archive's schema, brought up to date: frozen migrations for tables and indexes
(`archive/migrations.py`), then the derived objects of the live code — the contract views
and the stored rows behind them (`archive/report_rows.py`) — re-created whenever their
definition changed. `archive/schema.sql` is the result, written out by
`python -m nianbao.archive.schema_sql` (a test compares it with a fresh archive).
"""
from __future__ import annotations

import hashlib
import sqlite3

import sqlite_utils

from . import coverage, regions, report_rows
from .migrations import LEGACY_NAMES, MIGRATION_SET, migrations

DERIVED_KEY = "derived_signature"


def derived_views_sql() -> list[str]:
    """The views, as the live code defines them, in dependency order."""
    return ["DROP VIEW IF EXISTS report_coverage", "DROP VIEW IF EXISTS report_figures",
            "DROP VIEW IF EXISTS reports", "DROP VIEW IF EXISTS report_documents",
            f"CREATE VIEW report_documents AS {report_rows.report_documents_sql()}",
            report_rows.REPORTS.view_sql, report_rows.FIGURES.view_sql, coverage.VIEW_SQL]


def derived_signature() -> str:
    """What the derived objects are made from: the views' SQL, the stored rows' definitions
    and the region rule. A different signature means they must be rebuilt."""
    parts = derived_views_sql() + [sv.stored_form_sql("1") for sv in report_rows.STORED_VIEWS]
    parts.append(f"regions {regions.RULE_VERSION}")
    return hashlib.sha256("\n;\n".join(parts).encode("utf-8")).hexdigest()


def _stored_signature(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM archive_meta WHERE key = ?", (DERIVED_KEY,)).fetchone()
    except sqlite3.OperationalError:       # no archive_meta yet: migrations pending
        return None
    return row[0] if row else None


def ensure_derived(conn: sqlite3.Connection) -> bool:
    """Re-create the views and rebuild the stored rows if their definition changed;
    True when it did. Call inside a write transaction."""
    signature = derived_signature()
    if _stored_signature(conn) == signature:
        return False
    for stmt in derived_views_sql():
        conn.execute(stmt)
    report_rows.rebuild(conn)
    conn.execute("INSERT OR REPLACE INTO archive_meta (key, value) VALUES (?, ?)", (DERIVED_KEY, signature))
    return True


def _rename_legacy(db: sqlite_utils.Database) -> None:
    if not db["_sqlite_migrations"].exists():
        return
    for old, new in LEGACY_NAMES.items():
        db.execute("UPDATE _sqlite_migrations SET name = ? WHERE migration_set = ? AND name = ?",
                   [new, MIGRATION_SET, old])


def migrate(db: sqlite_utils.Database) -> None:
    """Bring any archive database to the current schema (idempotent)."""
    _rename_legacy(db)
    migrations.apply(db)
    ensure_derived(db.conn)


def needs_migration(db: sqlite_utils.Database) -> bool:
    """Whether `migrate` has anything to do (read-only)."""
    applied = {m.name for m in migrations.applied(db)}
    if applied & set(LEGACY_NAMES) or migrations.pending(db):
        return True
    return _stored_signature(db.conn) != derived_signature()


def schema_version(db: sqlite_utils.Database) -> int:
    return len(migrations.applied(db))


def dump_schema(conn: sqlite3.Connection) -> str:
    """The schema as SQL statements: tables, then indexes, then views, each by name
    (SQLite's own tables and the FTS index's shadow tables left out)."""
    order = {"table": 0, "index": 1, "view": 2, "trigger": 3}
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                        "AND name NOT LIKE 'sqlite_%'").fetchall()
    shadow = {n for t, n, s in rows if t == "table" and "VIRTUAL TABLE" in s.upper()}
    rows = [r for r in rows if not any(r[1].startswith(v + "_") and r[1] != v for v in shadow)]
    rows.sort(key=lambda r: (order.get(r[0], 9), r[1]))
    return "".join(f"{sql.strip()};\n\n" for _, _, sql in rows).rstrip() + "\n"
