"""Start the sample portals, crawl them into an archive, and serve it with Datasette.

The one-command tour of nianbao: everything runs on loopback (127.0.0.1), nothing
leaves the machine. The portals listen on fixed ports (from 8100 on by default, one a portal; the first seven as in
crawler/portals.example.yaml), so a second run recrawls the same sites and the archive
keeps its counts; every port is taken before the crawl, so a busy one is a one-line
error (exit 2) with nothing crawled. Ctrl-C stops the portals and the server.
"""
from __future__ import annotations

import argparse
import os
import sys

NAME = "demo"
HELP = "start the sample portals, crawl them into an archive, serve it with Datasette"
DEFAULT_PORTALS_PORT = 8100


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="data/archive.db",
                   help="archive to crawl into and serve (default: data/archive.db)")
    p.add_argument("--port", type=int, default=8001,
                   help="Datasette port on 127.0.0.1 (default: 8001)")
    p.add_argument("--portals-port", type=int, default=DEFAULT_PORTALS_PORT,
                   help=f"first port of the sample portals, the others on the following ports "
                        f"(default: {DEFAULT_PORTALS_PORT}; 0: any free ports, a new site identity each run)")
    p.add_argument("--no-serve", action="store_true",
                   help="crawl and exit without starting Datasette")


def _fail(message: str) -> int:
    print(f"nianbao demo: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from nianbao.archive.datasette.serve import bind, examples, serve
    from nianbao.demo.server import TEST_NAMES_HINT, SamplePortals, build_portals
    from nianbao.launch import crawl

    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    sock = None
    if not args.no_serve:
        try:
            sock = bind("127.0.0.1", args.port)
        except OSError as exc:
            return _fail(f"port {args.port} is not free ({exc.strerror}): choose another with --port")
    try:
        portals = SamplePortals(port=args.portals_port).start()
    except OSError as exc:
        if sock is not None:
            sock.close()
        last = args.portals_port + len(build_portals()) - 1
        return _fail(f"a sample portal port in {args.portals_port}-{last} is not free ({exc.strerror}): "
                     f"choose another range with --portals-port")
    try:
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
        for line in examples(base, name):
            print(f"  {line}")
        sys.stdout.flush()
        return serve(args.db, host="127.0.0.1", port=args.port, sock=sock)
    finally:
        portals.stop()
        if sock is not None:
            sock.close()
