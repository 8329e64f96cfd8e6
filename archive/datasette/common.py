"""What every page of ours needs: the archive database being served, the visitor's
permission, a document by id or URL, links, and reads that are bounded.

Pages read through Datasette's read-only connections (`db.execute`, time-limited), take
the database from `?db=` (default: the first archive database served) and escape all
text in templates. Raw bodies are read on a connection of their own (a stored body may
be longer than the value limit Datasette's connections enforce, archive/datasette/limits.py).
"""
from __future__ import annotations

import asyncio
import re
import sqlite3
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from datasette.utils.asgi import NotFound

from nianbao.archive import blobs
from nianbao.archive.datasette.databases import is_archive
from nianbao.archive.datasette.limits import MAX_ID_DIGITS, ClientError

# Raw bodies and diffs: one thread each, so neither can take Datasette's SQL threads.
BODY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nianbao-body")
_ID = re.compile(r"[0-9]{1,%d}\Z" % MAX_ID_DIGITS)


def as_id(value, what: str = "id") -> int:
    """A document, version or capture id from a URL; 404 for anything else."""
    if value is None or not _ID.match(str(value)):
        raise NotFound(f"no such {what}")
    return int(value)


async def archive_db(datasette, request):
    wanted = request.args.get("db")
    if wanted:
        if wanted not in datasette.databases:
            raise NotFound(f"no database {wanted!r}")
        db = datasette.get_database(wanted)
        if not await is_archive(db):
            raise NotFound(f"database {wanted!r} is not a nianbao archive")
    else:
        db = None
        for name, candidate in datasette.databases.items():
            if not name.startswith("_") and await is_archive(candidate):
                db = candidate
                break
        if db is None:
            raise NotFound("no nianbao archive database is being served")
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])
    return db


async def one(db, sql: str, params=()):
    rows = (await db.execute(sql, params)).rows
    return rows[0] if rows else None


async def document(db, url: str | None = None, doc_id: int | None = None):
    """The document a URL (any it was known under) or id names, following merges."""
    row = None
    if doc_id is not None:
        row = await one(db, "SELECT id, url, merged_into, parent_id, kind, link_text FROM documents "
                            "WHERE id = ?", [doc_id])
    elif url:
        row = await one(db, "SELECT d.id, d.url, d.merged_into, d.parent_id, d.kind, d.link_text "
                            "FROM document_urls du JOIN documents d ON d.id = du.document_id "
                            "WHERE du.url = ?", [url])
        if row is None:
            row = await one(db, "SELECT id, url, merged_into, parent_id, kind, link_text FROM documents "
                                "WHERE url = ?", [url])
    hops = 0
    while row is not None and row["merged_into"] and hops < 50:
        row = await one(db, "SELECT id, url, merged_into, parent_id, kind, link_text FROM documents "
                            "WHERE id = ?", [row["merged_into"]])
        hops += 1
    if row is None:
        raise NotFound("no archived document for that URL or id")
    return row


def link(datasette, path: str, **params) -> str:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return datasette.urls.path(path + ("?" + query if query else ""))


def report_path(datasette, db_name: str, first_db: str, doc_id: int, seq: int | None = None,
                suffix: str = "") -> str:
    """The stable URL of a report (or one of its versions): /-/nianbao/report/<id>[/v<seq>]."""
    path = f"/-/nianbao/report/{doc_id}" + (f"/v{seq}" if seq else "") + suffix
    return datasette.urls.path(path + ("" if db_name == first_db else "?db=" + urllib.parse.quote(db_name)))


async def first_archive_name(datasette) -> str | None:
    for name, db in datasette.databases.items():
        if not name.startswith("_") and await is_archive(db):
            return name
    return None


def absolute(request, path: str) -> str:
    """An absolute URL on the host the visitor used (for citations)."""
    return f"{request.scheme}://{request.host}{path}"


def _read_body(path: str, immutable: bool, digest: str) -> bytes:
    uri = f"file:{urllib.parse.quote(path)}?{'immutable=1' if immutable else 'mode=ro'}"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        return blobs.read(conn, digest)
    finally:
        conn.close()


async def read_body(db, digest: str) -> bytes:
    """The raw bytes of a blob, read on a connection of its own in BODY_POOL."""
    if not db.path:
        raise ClientError(404, "this database has no file")
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(BODY_POOL, _read_body, db.path, not db.is_mutable, digest)
    except KeyError as exc:
        raise NotFound(str(exc)) from None
