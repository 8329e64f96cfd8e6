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

import argparse
import json
import sys

from nianbao import options as crawl_options
from nianbao.crawler.portals import RegistryError
from nianbao.launch import resolve_portals
from nianbao.plans import DEFAULT_PREFIX, CrawlRequest, JoinPlan, make_plan, say

NAME = "crawl"
HELP = "crawl portals for annual reports into the archive"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL",
                        help="start URL(s), usually a portal's home page; the crawl stays on their sites")
    parser.add_argument("--db", default="data/archive.db", metavar="PATH",
                        help="archive database to create or update (default: data/archive.db)")
    parser.add_argument("--portals", metavar="FILE",
                        help="portal registry (YAML or TOML) with start URLs and hints; "
                             "see crawler/portals.example.yaml")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="do not obey robots.txt (obeyed by default; only for sites you run)")
    crawl_options.add_arguments(parser)
    parser.add_argument("--stats-json", metavar="FILE",
                        help="also write the end-of-crawl statistics as JSON to FILE")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="set a raw Scrapy setting (VALUE parsed as JSON when it can be); repeatable")
    plans = parser.add_argument_group("scheduled, resumable and distributed crawls")
    plans.add_argument("--due", action="store_true",
                       help="crawl only what the portals' schedules say is due (registry "
                            "'schedule: {lists: 1d, reports: 30d}', those are the defaults): "
                            "a full crawl when a portal's reports are due, its lists only when "
                            "only its lists are, nothing otherwise; for cron and systemd timers")
    plans.add_argument("--resume", action="store_true",
                       help="journal the crawl's request queue in --jobdir so that a crawl that "
                            "was interrupted (Ctrl-C, SIGTERM, SIGKILL, power loss) continues "
                            "where it stopped instead of starting over; the journal is removed "
                            "when a crawl finishes")
    plans.add_argument("--jobdir", metavar="DIR",
                       help="job directory of --resume (default: the archive path + '.job')")
    plans.add_argument("--redis", metavar="URL",
                       help="distributed crawl through Redis (redis://HOST:PORT/DB): crawler "
                            "processes share one frontier and duplicate filter; this process "
                            "writes the archive and starts --workers crawler processes")
    plans.add_argument("--redis-prefix", metavar="NAME", default=DEFAULT_PREFIX,
                       help="Redis key prefix of the crawl, so several crawls can share one "
                            f"Redis (default: {DEFAULT_PREFIX})")
    plans.add_argument("--workers", type=int, metavar="N", default=None,
                       help="with --redis: crawler processes to start on this machine (default 1; "
                            "0 = only write the archive while workers elsewhere --join)")
    plans.add_argument("--join", action="store_true",
                       help="with --redis: join the crawl a writer (nianbao crawl --redis URL "
                            "--db PATH) prepared, as --workers crawler processes; needs no "
                            "archive or start URLs on this machine")


def _check_modes(args) -> None:
    if (args.workers is not None or args.join) and not args.redis:
        raise crawl_options.OptionError("--workers and --join need --redis URL")
    if args.workers is not None and args.workers < (1 if args.join else 0):
        raise crawl_options.OptionError(f"--workers must be {1 if args.join else 0} or more"
                                        + (" with --join" if args.join else ""))
    if args.jobdir and not args.resume:
        raise crawl_options.OptionError("--jobdir only matters with --resume")


def run(args) -> int:
    try:
        _check_modes(args)
        values = crawl_options.check({o.name: getattr(args, o.name) for o in crawl_options.OPTIONS})
        raw = crawl_options.parse_set(args.set)
        if args.join:
            plan = JoinPlan(args.redis, args.redis_prefix, args.workers or 1, values,
                            not args.ignore_robots, raw, list(args.set))
            return plan.run()
        request = CrawlRequest(portals=resolve_portals(args.urls, args.portals), db=args.db,
                               options=values, robots=not args.ignore_robots, settings=raw,
                               set_pairs=list(args.set), due=args.due, resume=args.resume,
                               jobdir=args.jobdir, redis=args.redis, redis_prefix=args.redis_prefix,
                               workers=args.workers)
    except (RegistryError, crawl_options.OptionError) as exc:
        say(str(exc))
        return 2
    plan = make_plan(request)
    if isinstance(plan, int):
        return plan
    result = plan.run()
    if args.stats_json:
        with open(args.stats_json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
    t = result.get("totals", {})
    print(f"archive {result.get('db')}: run {result.get('run_id')}, {t.get('fetched', 0)} pages, "
          f"{t.get('reports', 0)} reports ({t.get('new', 0)} new, {t.get('changed', 0)} changed), "
          f"{t.get('failed', 0)} failed, {t.get('rendered', 0)} rendered")
    if result.get("reason") == "incomplete":      # a distributed crawl whose workers all died
        return 1
    return 0 if t.get("fetched", 0) else 1
