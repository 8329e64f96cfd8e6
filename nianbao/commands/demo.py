"""Start the sample portals, crawl them into an archive, and serve it with Datasette.

The one-command tour of nianbao: everything runs on loopback (127.0.0.1), nothing
leaves the machine. Ctrl-C stops the portals and the server.
"""
from __future__ import annotations

import argparse
import os
import sys

NAME = "demo"
HELP = "start the sample portals, crawl them into an archive, serve it with Datasette"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="data/archive.db",
                   help="archive to crawl into and serve (default: data/archive.db)")
    p.add_argument("--port", type=int, default=8001,
                   help="Datasette port on 127.0.0.1 (default: 8001)")
    p.add_argument("--portals-port", type=int, default=0,
                   help="first port of the sample portals (default: 0, any free ports)")
    p.add_argument("--no-serve", action="store_true",
                   help="crawl and exit without starting Datasette")


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.datasette.serve import serve
    from nianbao.launch import crawl
    from nianbao.demo.server import TEST_NAMES_HINT, SamplePortals

    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    with SamplePortals(port=args.portals_port) as portals:
        print("Sample portals:")
        for p in portals.portals:
            print(f"  {p.name:<12} {p.family:<16} {p.start_url}")
        print(f"  {TEST_NAMES_HINT}")
        print(f"Crawling into {args.db} ...", flush=True)
        stats = crawl(portals.start_urls, args.db)
        if stats.get("table"):
            print(stats["table"])
        failed = stats.get("failed_sites")
        if failed:
            print(f"crawl finished with failures: {failed}", file=sys.stderr)
        if args.no_serve:
            return 0
        base = f"http://127.0.0.1:{args.port}"
        name = os.path.splitext(os.path.basename(args.db))[0]
        print(f"\nServing the archive at {base}/  (Ctrl-C to stop)")
        print(f"  reports:  {base}/{name}/reports")
        print(f"  search:   {base}/{name}/reports?_search=公开")
        print(f"  figures:  {base}/{name}/report_figures")
        print(f"  JSON:     curl '{base}/{name}/reports.json'", flush=True)
        return serve(args.db, host="127.0.0.1", port=args.port)
