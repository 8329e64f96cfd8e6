"""Serve an archive with Datasette: our metadata, settings, canned queries and plugin.

Read-only: the database is opened with mode=ro (or immutable=1 with --immutable), canned
queries cannot write, SQL is time-limited, raw captures are served only as downloads.
Before serving, the Chinese search index is brought up to date when it is missing or
stale (skip with --no-refresh). A busy port is a one-line error (exit 2). Search, ranked by
relevance: /<db>/reports?_search=%E5%A4%8D%E8%AE%AE (复议), or from a shell
curl -G http://127.0.0.1:8001/<db>/reports.json --data-urlencode '_search=复议'. Reading
pages: /-/nianbao/report/<id>; coverage: /-/nianbao/coverage.
"""
from __future__ import annotations

import argparse

NAME = "serve"
HELP = "publish an archive with Datasette (read-only, Chinese search, charts, diffs)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="PATH",
                   help="archive database to serve (its file name without .db is the URL name)")
    p.add_argument("--port", type=int, default=8001,
                   help="port to listen on (default: 8001; 0 picks a free port and prints it)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1; 0.0.0.0 exposes it to the network)")
    p.add_argument("--immutable", action="store_true",
                   help="open the file immutable (faster counts; only for an archive no crawl writes to)")
    p.add_argument("--no-refresh", action="store_true",
                   help="do not update the search index before serving (serve the file untouched)")


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.datasette.serve import serve

    return serve(args.db, host=args.host, port=args.port, immutable=args.immutable,
                 refresh=not args.no_refresh)
