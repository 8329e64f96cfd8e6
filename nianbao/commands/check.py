"""Verify an archive: every blob's SHA-256, every view, and the links between tables.

Prints a short summary; exits 1 and lists each problem when anything is wrong, 2 when
the archive does not exist. Read-only apart from bringing the schema up to date.
"""
from __future__ import annotations

import argparse
import sys

NAME = "check"
HELP = "verify an archive: blob hashes, views, foreign keys"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file to verify")
    p.add_argument("--busy-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="seconds to wait for a crawl holding the write lock (default: 30)")


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.check import check_archive
    from nianbao.archive.store import Archive, ArchiveError

    try:
        with Archive(args.db, create=False, busy_timeout=args.busy_timeout) as ar:
            problems, stats = check_archive(ar.conn)
    except ArchiveError as exc:
        print(f"nianbao check: {exc}", file=sys.stderr)
        return 2
    print("  ".join(f"{k}: {v}" for k, v in stats.items()))
    if problems:
        print(f"nianbao check: {len(problems)} problem(s) in {args.db}:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"{args.db}: OK")
    return 0
