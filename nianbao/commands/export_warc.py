"""Export every capture of an archive as WARC request/response records.

The output is standard WARC 1.0 (one gzip member per record when OUT ends in .gz), read
back with warcio in the tests. Failed fetches become a request plus a metadata record
with the error. Exits 2 when the archive does not exist.
"""
from __future__ import annotations

import argparse
import sys

NAME = "export-warc"
HELP = "export every capture as WARC request/response records"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file to export")
    p.add_argument("out", metavar="OUT.warc.gz", help="WARC file to write (gzip if it ends in .gz)")


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.store import Archive, ArchiveError
    from nianbao.archive.warc import export_warc

    try:
        with Archive(args.db, create=False) as ar:
            counts = export_warc(ar.conn, args.out)
    except ArchiveError as exc:
        print(f"nianbao export-warc: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {counts['captures']} captures, {counts['response']} responses, "
          f"{counts['request']} requests, {counts['metadata']} failed fetches")
    return 0
