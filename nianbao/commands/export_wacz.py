"""Export an archive as WACZ 1.1 (WARC, CDXJ index, pages.jsonl with each report's text),
then check it with the `wacz` package's validator.

A recrawl answered 304 Not Modified becomes a WARC `revisit` record. Exits 2 when the
archive does not exist, 1 when the file written does not validate.
"""
from __future__ import annotations

import argparse
import sys

NAME = "export-wacz"
HELP = "export the archive as a WACZ file (web archive collection) and validate it"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file to export")
    p.add_argument("out", metavar="OUT.wacz", help="WACZ file to write")


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.store import Archive, ArchiveError
    from nianbao.archive.wacz import export_wacz, validate_wacz

    if not args.out.endswith(".wacz"):
        print(f"nianbao export-wacz: {args.out}: the file name must end in .wacz", file=sys.stderr)
        return 2
    try:
        with Archive(args.db, create=False) as ar:
            counts = export_wacz(ar.conn, args.out)
    except ArchiveError as exc:
        print(f"nianbao export-wacz: {exc}", file=sys.stderr)
        return 2
    valid, said = validate_wacz(args.out)
    print(f"wrote {args.out}: {counts['captures']} captures ({counts['response']} responses, "
          f"{counts['revisit']} revisits, {counts['metadata']} failed fetches), {counts['pages']} report pages; "
          f"validator: {said}")
    return 0 if valid else 1
