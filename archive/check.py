"""`nianbao check`: is this archive intact? Every blob's hash, every view, every link,
and the stored report rows against their computed definition.

Returns a list of problems (empty = healthy) so the CLI can print them and exit non-zero;
it never repairs anything, so a damaged archive is reported, not made worse.
"""
from __future__ import annotations

import sqlite3

from . import blobs, report_rows


def check_archive(conn: sqlite3.Connection) -> tuple[list[str], dict]:
    problems: list[str] = []
    stats: dict = {}

    result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if result != ["ok"]:
        problems += [f"sqlite integrity: {r}" for r in result[:20]]

    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall()[:50]:
        problems.append(f"{table} row {rowid}: dangling reference to {parent}")

    n = bad = 0
    for digest, size in conn.execute("SELECT sha256, size FROM blobs").fetchall():
        n += 1
        try:
            data = blobs.read(conn, digest)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding here
            problems.append(f"blob {digest}: unreadable ({exc})")
            bad += 1
            continue
        if blobs.sha256(data) != digest:
            problems.append(f"blob {digest}: content hash is {blobs.sha256(data)}")
            bad += 1
        elif len(data) != size:
            problems.append(f"blob {digest}: size {len(data)} != recorded {size}")
            bad += 1
    stats["blobs"] = n

    for (cid,) in conn.execute(
            "SELECT id FROM captures WHERE body_sha256 IS NOT NULL AND body_sha256 NOT IN "
            "(SELECT sha256 FROM blobs) LIMIT 20"):
        problems.append(f"capture {cid}: body blob missing")
    for did, vid in conn.execute(
            "SELECT d.id, d.current_version_id FROM documents d LEFT JOIN versions v "
            "ON v.id = d.current_version_id WHERE d.current_version_id IS NOT NULL "
            "AND (v.id IS NULL OR v.document_id != d.id) LIMIT 20"):
        problems.append(f"document {did}: current version {vid} is not one of its versions")
    for did, vid in conn.execute(
            "SELECT d.id, v.id FROM documents d JOIN versions v ON v.document_id = d.id "
            "WHERE d.current_version_id IS NULL LIMIT 20"):
        problems.append(f"document {did}: has version {vid} but no current version")
    for vid, cid in conn.execute(
            "SELECT v.id, v.first_capture_id FROM versions v LEFT JOIN captures k "
            "ON k.id = v.first_capture_id WHERE k.id IS NULL OR k.document_id IS NOT v.document_id "
            "LIMIT 20"):
        problems.append(f"version {vid}: first capture {cid} is missing or of another document")

    views = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view' "
                                        "ORDER BY name")]
    for required in ("reports", "report_figures"):
        if required not in views:
            problems.append(f"view {required} is missing")
    for view in views:
        try:
            stats[f"rows in {view}"] = conn.execute(
                f'SELECT count(*) FROM (SELECT * FROM "{view}")').fetchone()[0]
        except sqlite3.DatabaseError as exc:
            problems.append(f"view {view}: not queryable ({exc})")

    # the stored rows of the views must be exactly what their computed definitions give
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [sv.table for sv in report_rows.STORED_VIEWS if sv.table not in tables]
    problems += [f"table {t} is missing" for t in missing]
    if not missing:
        problems += report_rows.differences(conn)

    for table in ("captures", "documents", "versions", "figures", "runs"):
        stats[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    stats["unfinished runs"] = conn.execute(
        "SELECT count(*) FROM runs WHERE status IN ('running', 'interrupted')").fetchone()[0]
    return problems, stats
