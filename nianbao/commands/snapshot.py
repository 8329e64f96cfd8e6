"""Write a consistent, compacted, dated copy of an archive, to publish or offer for download.

The copy is taken with SQLite's `VACUUM INTO` from one read transaction (a crawl may keep
writing: the copy is the archive as of one moment), its search index brought up to date,
its journal switched from WAL to a plain rollback journal (so the single file is the
whole archive and `nianbao serve --immutable` can open it), and the moment recorded in
`archive_meta` (`snapshot_at`). OUT is a file, or a directory that gets
`<name>-<YYYY-MM-DD>.db`. Exits 2 for a missing archive or an existing OUT file.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

NAME = "snapshot"
HELP = "write a consistent, compacted, dated copy of the archive (serve it with --immutable)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="PATH", help="archive to copy")
    p.add_argument("out", metavar="OUT", help="file to write, or a directory for <name>-<date>.db")


def _fail(message: str) -> int:
    print(f"nianbao snapshot: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.store import Archive, ArchiveError

    src = Path(args.db)
    if not src.is_file():
        return _fail(f"no archive at {src}")
    now = datetime.now(timezone.utc)
    out = Path(args.out)
    if out.is_dir():
        out = out / f"{src.stem}-{now:%Y-%m-%d}.db"
    if out.exists():
        return _fail(f"{out} exists; a snapshot never overwrites a file")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        with Archive(src, create=False) as ar:
            ar.conn.execute("VACUUM INTO ?", (str(tmp),))
        with Archive(tmp, create=False) as copy:
            stats = copy.refresh_search()
            copy.conn.execute("INSERT OR REPLACE INTO archive_meta (key, value) VALUES ('snapshot_at', ?)",
                              (now.strftime("%Y-%m-%dT%H:%M:%SZ"),))
            reports = copy.conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
        conn.close()
        os.replace(tmp, out)
    except (ArchiveError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        return _fail(str(exc))
    print(f"wrote {out}: {reports} reports, {out.stat().st_size / 1e6:.1f} MB, taken {now:%Y-%m-%dT%H:%M:%SZ} "
          f"(search index: {stats.total} reports); serve it with: nianbao serve --db {out} --immutable")
    return 0
