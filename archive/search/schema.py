"""The search index's tables in the archive, and the cheap signature that says a report
must be indexed again."""
from __future__ import annotations

import sqlite3

# Bump when the tokenization changes: refresh() then rebuilds the index.
INDEX_FORMAT = "bigram-2"
FTS_TABLE = "search_index"
DOCS_TABLE = "search_docs"
ORPHANS_TABLE = "search_orphans"
META_TABLE = "search_meta"
# rowid = document_id + generation * GENERATION; document ids stay below it.
GENERATION = 1 << 40
# A full rebuild once orphaned rows exceed this share of live ones (and ORPHAN_MIN).
ORPHAN_SHARE = 0.25
ORPHAN_MIN = 1000


SCHEMA_SQL = [
    f"""CREATE TABLE IF NOT EXISTS {DOCS_TABLE} (
        document_id INTEGER PRIMARY KEY,
        fts_rowid INTEGER NOT NULL,       -- the report's live rowid in the FTS table
        url TEXT NOT NULL,
        signature TEXT NOT NULL
    )""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, agency, text, content='', tokenize='unicode61 remove_diacritics 0'
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ORPHANS_TABLE} (
        rowid INTEGER PRIMARY KEY,        -- an FTS rowid whose tokens are stale
        document_id INTEGER NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {ORPHANS_TABLE}_document ON {ORPHANS_TABLE}(document_id)",
    f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)",
]

# The cheap columns whose change means a report must be re-indexed: a new current version
# of the page (`version_id`) or of any attachment, or a re-extraction in place (`nianbao
# reextract` rewrites a version's text and stamps `extracted_at`).
SIGNATURE_SQL = """SELECT document_id, url,
    coalesce(version_id, '') || '|' || coalesce(versions, '') || '|'
      || coalesce(attachment_document_id, '') || '|' || coalesce(title, '') || '|'
      || coalesce(agency, '') || '|' || coalesce((SELECT v.text_hash || v.extracted_at
         FROM versions v WHERE v.id = reports.version_id), '') || '|'
      || coalesce((SELECT group_concat(a.current_version_id || ':' || av.extracted_at)
         FROM documents a JOIN versions av ON av.id = a.current_version_id
         WHERE a.parent_id = reports.document_id), '') AS signature
  FROM reports"""


def connection(conn) -> sqlite3.Connection:
    return getattr(conn, "conn", conn)   # a sqlite_utils.Database works too


def has_object(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value) -> None:
    conn.execute(f"INSERT OR REPLACE INTO {META_TABLE}(key, value) VALUES (?, ?)", (key, str(value)))
