"""Serve the sample portals: simulated government sites, one per real-world page family
(TRS static lists, Hanweb datastore columns, a JavaScript single-page app, server-side
includes, a big5 gateway mirror, a Traditional-script site, a PDF-only report).

Each portal listens on its own port of 127.0.0.1 (a site is host:port): the first on
--port and the rest on the following ports, or each on a free port with --port 0.
Serves until Ctrl-C (or SIGTERM).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

NAME = "portals"
HELP = "serve the sample government portals on 127.0.0.1 (until Ctrl-C)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8100,
                   help="port of the first portal; the others take the following ports "
                        "(0: each portal on any free port; default: 8100)")
    p.add_argument("--scale", type=int, default=1,
                   help="multiply the news columns' length (1: 50 news articles a portal, "
                        "enough for several list pages; 100: about 5,000 a portal)")
    p.add_argument("--state", choices=["first", "second"], default="first",
                   help="content state: 'second' edits one report, removes one, adds one "
                        "and changes chrome elsewhere (default: first)")
    p.add_argument("--fault", metavar="MODE", action="append", default=[],
                   help="fault mode: 'all', or fault kinds separated by commas (repeatable): "
                        "timeout, reset, http-500, http-503, http-429, truncated, bad-length, "
                        "redirect-loop, huge, binary, render-crash, render-hang, empty, "
                        "gzip-bomb, long-url (each hits one report page), robots-503, "
                        "robots-huge (a whole site's robots.txt); listed at start "
                        "(see demo/faults.py)")
    p.add_argument("--fault-hang", type=float, default=40.0, metavar="SECONDS",
                   help="how long the 'timeout' fault holds a request (default: 40, past "
                        "the crawler's default 30 s timeout)")


def run(args: argparse.Namespace) -> int:
    from nianbao.demo.server import TEST_NAMES_HINT, SamplePortals

    if args.port < 0 or args.port > 65535:
        print(f"--port must be 0..65535, not {args.port}", file=sys.stderr)
        return 2
    if args.scale < 1:
        print(f"--scale must be at least 1, not {args.scale}", file=sys.stderr)
        return 2
    fault = None
    if args.fault:
        from nianbao.demo.faults import FAULTS, FaultMode
        kinds = [k.strip() for v in args.fault for k in v.split(",") if k.strip()]
        try:
            fault = FaultMode(FAULTS if "all" in kinds else kinds, hang=args.fault_hang)
        except ValueError as exc:
            print(f"--fault: {exc}", file=sys.stderr)
            return 2
    # Ctrl-C and SIGTERM stop it, also when it was started in the background (a shell's
    # `&` and nohup start it with SIGINT ignored, and Python then raises no KeyboardInterrupt)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        portals = SamplePortals(port=args.port, scale=args.scale, fault=fault).start()
    except OSError as exc:
        print(f"cannot start the portals on port {args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        portals.set_state(args.state)
        print(f"{'portal':12} {'family':14} url")
        for p in portals.portals:
            print(f"{p.name:12} {p.family:14} {p.start_url}")
        print(TEST_NAMES_HINT)
        if fault is not None:
            print(f"{'fault':14} {'times':6} url")
            for t in fault.targets(portals):
                print(f"{t.kind:14} {t.times if t.times is not None else 'always':6} {t.url}")
        print(f"{len(portals.gold_reports())} reports, {len(portals.traps())} trap pages; "
              "Ctrl-C to stop", flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        portals.stop()
    return 0
