"""Keep the search index up to date with the `reports` view (`refresh`), and say how far
behind it is (`pending`)."""
from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass

from .schema import (
    DOCS_TABLE, FTS_TABLE, GENERATION, META_TABLE, ORPHAN_MIN, ORPHAN_SHARE, ORPHANS_TABLE,
    INDEX_FORMAT, SCHEMA_SQL, SIGNATURE_SQL,
)
from .schema import connection, has_object, meta, set_meta
from .tokens import index_text


@dataclass
class RefreshStats:
    indexed: int = 0        # reports (re)indexed by this call
    dropped: int = 0        # reports no longer in the view
    rebuilt: bool = False   # the whole index was rebuilt
    total: int = 0          # reports in the index afterwards


def index_exists(conn) -> bool:
    conn = connection(conn)
    return all(has_object(conn, t) for t in (FTS_TABLE, DOCS_TABLE, ORPHANS_TABLE, META_TABLE))


def _plan(conn: sqlite3.Connection):
    current = {doc_id: (url, sig) for doc_id, url, sig in conn.execute(SIGNATURE_SQL)}
    existing = {}
    if has_object(conn, DOCS_TABLE):
        existing = {doc_id: (rowid, sig) for doc_id, rowid, sig in
                    conn.execute(f"SELECT document_id, fts_rowid, signature FROM {DOCS_TABLE}")}
    changed = [d for d, (_, sig) in current.items() if existing.get(d, (None, None))[1] != sig]
    gone = [d for d in existing if d not in current]
    return current, existing, changed, gone


def pending(conn) -> int:
    """How many reports refresh() would (re)index or drop; -1 when the index is missing."""
    conn = connection(conn)
    if not has_object(conn, "reports"):
        return 0
    if not index_exists(conn) or meta(conn, "format") != INDEX_FORMAT:
        return -1
    _, _, changed, gone = _plan(conn)
    return len(changed) + len(gone)


def refresh(conn, *, rebuild: bool = False) -> RefreshStats:
    """Bring the search index up to date with the `reports` view (idempotent).

    Reads only the view's small columns when nothing changed; indexes changed reports in
    batches; rebuilds from scratch when the format changed or orphans pile up.
    Runs inside a savepoint, so it joins a caller's transaction or commits on its own.
    """
    conn = connection(conn)
    stats = RefreshStats()
    if not has_object(conn, "reports"):
        return stats
    conn.execute("SAVEPOINT nianbao_search_refresh")
    try:
        conn.execute(SCHEMA_SQL[-1])
        if meta(conn, "format") != INDEX_FORMAT:
            # an older layout: start over with the current tables
            for table in (FTS_TABLE, DOCS_TABLE, ORPHANS_TABLE):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            rebuild = True
        for stmt in SCHEMA_SQL:
            conn.execute(stmt)
        current, existing, changed, gone = _plan(conn)
        orphans = conn.execute(f"SELECT count(*) FROM {ORPHANS_TABLE}").fetchone()[0]
        orphans += len(gone) + sum(1 for d in changed if d in existing)
        if orphans > max(ORPHAN_MIN, ORPHAN_SHARE * len(current)):
            rebuild = True
        if rebuild:
            conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
            conn.execute(f"DELETE FROM {DOCS_TABLE}")
            conn.execute(f"DELETE FROM {ORPHANS_TABLE}")
            stats.rebuilt = True
            stats.dropped = len(gone)
            _index_rows(conn, conn.execute("SELECT document_id, title, agency, text FROM reports"),
                        current, {}, stats)
        elif changed or gone:
            stale = [d for d in changed if d in existing] + gone
            conn.executemany(f"INSERT INTO {ORPHANS_TABLE}(rowid, document_id) VALUES (?, ?)",
                             [(existing[d][0], d) for d in stale])
            for i in range(0, len(gone), 500):
                chunk = gone[i:i + 500]
                conn.execute(f"DELETE FROM {DOCS_TABLE} WHERE document_id IN "
                             f"({','.join('?' * len(chunk))})", chunk)
            stats.dropped = len(gone)
            # the next free rowid of each document: above its live and orphaned ones
            last = {d: rowid for d, (rowid, _) in existing.items()}
            for d, rowid in conn.execute(f"SELECT document_id, max(rowid) FROM {ORPHANS_TABLE} "
                                         f"GROUP BY document_id"):
                last[d] = max(rowid, last.get(d, rowid))
            for i in range(0, len(changed), 200):
                chunk = changed[i:i + 200]
                rows = conn.execute(
                    "SELECT document_id, title, agency, text FROM reports WHERE document_id IN "
                    f"({','.join('?' * len(chunk))})", chunk).fetchall()
                _index_rows(conn, rows, current, last, stats)
        set_meta(conn, "format", INDEX_FORMAT)
        if stats.indexed or stats.dropped or stats.rebuilt:
            set_meta(conn, "version", uuid.uuid4().hex)    # unique: no cache confuses files
        stats.total = conn.execute(f"SELECT count(*) FROM {DOCS_TABLE}").fetchone()[0]
        conn.execute("RELEASE nianbao_search_refresh")
    except BaseException:
        try:
            conn.execute("ROLLBACK TO nianbao_search_refresh")
            conn.execute("RELEASE nianbao_search_refresh")
        except sqlite3.OperationalError:    # the failed RELEASE (a full disk) ended it already
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        raise
    return stats


def _index_rows(conn: sqlite3.Connection, rows, current: dict, last: dict,
                stats: RefreshStats) -> None:
    """Index reports under their next free rowid (`last`: a document's highest used one)."""
    for doc_id, title, agency, text in rows:
        if doc_id >= GENERATION or doc_id < 0:
            raise ValueError(f"document id {doc_id} out of the search index's range")
        url, sig = current[doc_id]
        rowid = last[doc_id] + GENERATION if doc_id in last else doc_id
        conn.execute(f"INSERT OR REPLACE INTO {DOCS_TABLE}(document_id, fts_rowid, url, signature) "
                     f"VALUES (?, ?, ?, ?)", (doc_id, rowid, url, sig))
        conn.execute(f"INSERT INTO {FTS_TABLE}(rowid, title, agency, text) VALUES (?, ?, ?, ?)",
                     (rowid, index_text(title), index_text(agency), index_text(text)))
        stats.indexed += 1
