"""Rebuild every version's extracted data (text, metadata, figures, checks) from the raw
bytes stored in the archive, with the current extractor. No network; captures untouched.

Run it after the extractor improves; each version records the extractor version used.
"""
from __future__ import annotations

import argparse
import sys

NAME = "reextract"
HELP = "re-run the extractor on stored raw bytes (no network)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file to re-extract")


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.reextract import reextract
    from nianbao.archive.store import Archive, ArchiveError

    try:
        with Archive(args.db, create=False) as ar:
            out = reextract(ar)
            ar.refresh_search()
    except ArchiveError as exc:
        print(f"nianbao reextract: {exc}", file=sys.stderr)
        return 2
    print(f"re-extracted {out['reextracted']} of {out['versions']} versions "
          f"({out['text_changed']} with changed text, {out['errors']} errors)")
    for line in out["failures"][:20]:
        print(f"  {line}", file=sys.stderr)
    return 1 if out["errors"] else 0
