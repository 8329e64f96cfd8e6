"""`nianbao` command line: one sub-command a module under `nianbao/commands/`.

Each command module has `NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`,
so commands stay independent and `nianbao --help` lists them all.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Order is the order `nianbao --help` shows.
COMMANDS = ["crawl", "serve", "demo", "portals", "extract", "reextract", "export_warc", "export_wacz",
            "snapshot", "check"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="Crawl, archive and publish Chinese government information-disclosure "
                    "annual reports (政府信息公开工作年度报告).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for modname in COMMANDS:
        mod = importlib.import_module(f"nianbao.commands.{modname}")
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.__doc__)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
