"""Crawl portals for OGI annual reports (政府信息公开工作年度报告) into the archive.

Starts from each URL's home page (or the portals of a --portals registry), stays inside
those sites (a site is host:port), prefers disclosure sections and report columns, follows
list paging of every CMS family, and stores every fetched page, extracted, in the SQLite
archive. robots.txt is obeyed by default; each site gets at most --concurrency requests at
once with AutoThrottle and backs off on 429/503 (Retry-After). Pages that are JavaScript
loading shells are re-fetched through Chromium (--render auto). Ends with one statistics
line per site, also written to the archive's crawl log (runs table).
"""
from __future__ import annotations

import json
import sys

from nianbao import operations
from nianbao.crawler.portals import RENDER_MODES, RegistryError

NAME = "crawl"
HELP = "crawl portals for annual reports into the archive"


def add_arguments(parser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL",
                        help="start URL(s), usually a portal's home page; the crawl stays on their sites")
    parser.add_argument("--db", default="data/archive.db", metavar="PATH",
                        help="archive database to create or update (default: data/archive.db)")
    parser.add_argument("--portals", metavar="FILE",
                        help="portal registry (YAML or TOML) with start URLs and hints; "
                             "see crawler/portals.example.yaml")
    parser.add_argument("--render", choices=RENDER_MODES, default=None,
                        help="when to use the browser: auto = only for loading-shell pages "
                             "(default), always, never")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="do not obey robots.txt (obeyed by default; only for sites you run)")
    parser.add_argument("--contact", metavar="URL_OR_EMAIL",
                        help="contact put in the User-Agent so site operators can reach you")
    parser.add_argument("--user-agent", metavar="UA",
                        help="replace the whole User-Agent string (default: nianbao/0.1 (+CONTACT; ...))")
    parser.add_argument("--concurrency", type=int, metavar="N",
                        help="concurrent requests per site (default: 2)")
    parser.add_argument("--render-concurrency", type=int, metavar="N",
                        help="browser pages open at once, all sites together (default: 2)")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="request ceiling per site (default: 400)")
    parser.add_argument("--depth", type=int, metavar="N",
                        help="maximum link depth from the start URL (default: 8)")
    parser.add_argument("--explore", type=int, metavar="N",
                        help="links with no disclosure/report hint tried per site that showed no "
                             "report (default: 6)")
    parser.add_argument("--delay", type=float, metavar="SECONDS",
                        help="minimum delay between requests to one site; AutoThrottle adapts "
                             "above it (default: 0)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="download timeout per request (default: 30)")
    parser.add_argument("--render-timeout", type=float, metavar="SECONDS",
                        help="how long the browser waits for a shell's content to show (default: 15)")
    parser.add_argument("--removal-after", type=int, metavar="N",
                        help="consecutive crawls a report must fail transiently (timeouts, 5xx) before "
                             "it is marked removed; a 404 gone from its list counts at once (default: 3)")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], default=None,
                        help="Scrapy log level (default: INFO)")
    parser.add_argument("--stats-json", metavar="FILE",
                        help="also write the end-of-crawl statistics as JSON to FILE")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="set a raw Scrapy setting (VALUE parsed as JSON when it can be); repeatable")
    operations.add_arguments(parser)


def _raw_settings(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"--set needs NAME=VALUE, got {pair!r}")
        k, v = pair.split("=", 1)
        try:
            out[k.strip()] = json.loads(v)
        except ValueError:
            out[k.strip()] = v
    return out


def run(args) -> int:
    from nianbao.run import OPTIONS, resolve_portals, run_in_process

    for name in ("concurrency", "render_concurrency", "max_pages", "depth", "removal_after"):
        v = getattr(args, name)
        if v is not None and v < 1:
            print(f"nianbao crawl: --{name.replace('_', '-')} must be at least 1", file=sys.stderr)
            return 2
    if args.join:
        return operations.run_join(args)
    try:
        portals = resolve_portals(args.urls, args.portals)
        settings = _raw_settings(args.set)
    except (RegistryError, ValueError) as exc:
        print(f"nianbao crawl: {exc}", file=sys.stderr)
        return 2
    options = {name: getattr(args, name) for name in OPTIONS if getattr(args, name, None) is not None}
    plan = operations.plan(args, portals, settings)
    if isinstance(plan, int):
        return plan
    if args.redis:
        result = operations.run_distributed(args, plan.portals, options, plan.settings)
    else:
        result = run_in_process(None, args.db, portals=plan.portals, robots=not args.ignore_robots,
                                settings=plan.settings, **options)
    operations.finished(plan, result)
    if args.stats_json:
        with open(args.stats_json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
    t = result.get("totals", {})
    print(f"archive {result.get('db')}: run {result.get('run_id')}, {t.get('fetched', 0)} pages, "
          f"{t.get('reports', 0)} reports ({t.get('new', 0)} new, {t.get('changed', 0)} changed), "
          f"{t.get('failed', 0)} failed, {t.get('rendered', 0)} rendered")
    return 0 if t.get("fetched", 0) else 1
