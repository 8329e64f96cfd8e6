"""Unattended operation of `nianbao crawl`: scheduled (`--due`), resumable (`--resume`) and
distributed (`--redis`) crawls. The crawl command adds these options and calls `plan()`
before crawling, `run_distributed()` / `run_join()` for Redis, and `finished()` after.

* `--due`: crawl only the portals whose schedule (registry `schedule:`, `crawler.schedule`)
  says so; portals whose lists are due but not their reports are crawled "lists only".
* `--resume`: journal the crawl in a job directory (`crawler.frontier`); if an unfinished
  journal is there, continue it instead of starting over. A finished crawl removes it.
* `--redis URL`: share the frontier with other crawler processes through Redis; this
  process is the archive writer (`crawler.writer`) and starts `--workers` crawler
  processes; `--join` adds workers (on any machine) to a crawl a writer prepared.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.crawler.frontier import journal_state

DEFAULT_PREFIX = "nianbao"


def add_arguments(parser) -> None:
    parser.add_argument("--due", action="store_true",
                        help="crawl only what the portals' schedules say is due (registry "
                             "'schedule: {lists: 1d, reports: 30d}', those are the defaults): "
                             "a full crawl when a portal's reports are due, its lists only when "
                             "only its lists are, nothing otherwise; for cron and systemd timers")
    parser.add_argument("--resume", action="store_true",
                        help="journal the crawl's request queue in --jobdir so that a crawl that "
                             "was interrupted (Ctrl-C, SIGTERM, SIGKILL, power loss) continues "
                             "where it stopped instead of starting over; the journal is removed "
                             "when a crawl finishes")
    parser.add_argument("--jobdir", metavar="DIR",
                        help="job directory of --resume (default: the archive path + '.job')")
    parser.add_argument("--progress", choices=["auto", "on", "off"], default=None,
                        help="live progress line on stderr: auto = only when stderr is a "
                             "terminal (default), on, off (also drops the summary line)")
    parser.add_argument("--redis", metavar="URL",
                        help="distributed crawl through Redis (redis://HOST:PORT/DB): crawler "
                             "processes share one frontier and duplicate filter; this process "
                             "writes the archive and starts --workers crawler processes")
    parser.add_argument("--redis-prefix", metavar="NAME", default=DEFAULT_PREFIX,
                        help="Redis key prefix of the crawl, so several crawls can share one "
                             "Redis (default: nianbao)")
    parser.add_argument("--workers", type=int, metavar="N", default=None,
                        help="with --redis: crawler processes to start on this machine (default 1; "
                             "0 = only write the archive while workers elsewhere --join)")
    parser.add_argument("--join", action="store_true",
                        help="with --redis: join the crawl a writer (nianbao crawl --redis URL "
                             "--db PATH) prepared, as --workers crawler processes; needs no "
                             "archive or start URLs on this machine")


@dataclass
class Plan:
    portals: list
    settings: dict
    jobdir: Path | None = None
    skipped: list = field(default_factory=list)
    lists_only: list = field(default_factory=list)


def _say(msg: str) -> None:
    print(f"nianbao crawl: {msg}", file=sys.stderr)


def plan(args, portals: list, settings: dict) -> Plan | int:
    """Apply --due, --resume and --progress; an int is an exit code (nothing to do, bad use)."""
    settings = dict(settings)
    if args.progress:
        settings["NIANBAO_PROGRESS"] = args.progress
    if (args.workers is not None or args.join) and not args.redis:
        _say("--workers and --join need --redis URL")
        return 2
    if args.workers is not None and args.workers < 0:
        _say("--workers must be 0 or more")
        return 2
    result = Plan(portals=list(portals), settings=settings)
    if args.due:
        from nianbao.due import due_plan
        dues = due_plan(portals, args.db)
        for d in dues:
            _say(f"{d.portal.name}: {d.mode} ({d.reason})")
        result.portals = [d.portal for d in dues if d.mode != "skip"]
        result.skipped = [d.portal for d in dues if d.mode == "skip"]
        result.lists_only = [d.portal for d in dues if d.mode == "lists"]
        if result.lists_only:
            settings["NIANBAO_LISTS_ONLY_SITES"] = sorted({s for p in result.lists_only for s in p.all_sites()})
        if not result.portals:
            _say("nothing is due")
            return 0
    if args.resume and not args.redis:
        jobdir = Path(args.jobdir or f"{args.db}.job")
        state = journal_state(jobdir)
        if state and state.get("status") != "finished":
            _say(f"resuming the crawl journaled in {jobdir} ({state['queued'] + state['in_flight']} "
                 f"requests to go, {state['done']} done)")
        elif state:
            shutil.rmtree(jobdir)               # a finished journal: start afresh
        settings["SCHEDULER"] = "nianbao.crawler.frontier.JournalScheduler"
        settings["JOBDIR"] = str(jobdir)
        result.jobdir = jobdir
    elif args.jobdir and not args.redis:
        _say("--jobdir only matters with --resume")
        return 2
    return result


def finished(p: Plan, result: dict) -> None:
    """A crawl that ran to its end needs no journal any more."""
    if p.jobdir is None:
        return
    state = journal_state(p.jobdir)
    if state and state.get("status") == "finished":
        shutil.rmtree(p.jobdir, ignore_errors=True)
    elif state:
        _say(f"the crawl stopped before its end; `--resume` continues it from {p.jobdir}")


# -- distributed --------------------------------------------------------------------------------
def worker_settings(redis_url: str, prefix: str, wid: str) -> dict:
    """Scrapy settings that turn a crawl into a worker of the Redis crawl `prefix`."""
    return {
        "SCHEDULER": "nianbao.crawler.distributed.frontier.RedisFrontier",
        "ITEM_PIPELINES": {"nianbao.crawler.distributed.pipeline.RedisItemPipeline": 300},
        "EXTENSIONS": {"nianbao.crawler.extensions.history.CrawlHistoryExtension": 100,
                       "nianbao.crawler.extensions.progress.CrawlProgress": 500,
                       "nianbao.crawler.distributed.frontier.WorkerCoordinator": 510},
        "NIANBAO_REDIS_URL": redis_url,
        "NIANBAO_REDIS_PREFIX": prefix,
        "NIANBAO_WORKER_ID": wid,
    }


def _worker_argv(args, n: int) -> list[str]:
    argv = [sys.executable, "-m", "nianbao.run", "--join", "--workers", "1", "--redis", args.redis,
            "--redis-prefix", args.redis_prefix]
    from nianbao.run import OPTIONS
    for name, (flag, _, _) in OPTIONS.items():
        v = getattr(args, name, None)
        if v is not None:
            argv += [flag, str(v)]
    if args.ignore_robots:
        argv.append("--ignore-robots")
    for pair in args.set:
        argv += ["--set", pair]
    argv += ["--progress", "off"]
    return argv


def _spawn_workers(args, n: int) -> list[subprocess.Popen]:
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    procs = []
    for i in range(n):
        env_i = {**env, "NIANBAO_WORKER_ID": f"{os.uname().nodename}-{os.getpid()}-w{i + 1}-{uuid.uuid4().hex[:4]}"}
        procs.append(subprocess.Popen(_worker_argv(args, n), cwd=root, env=env_i))
    return procs


def run_distributed(args, portals: list, options: dict, settings: dict) -> dict:
    """The writer here, --workers crawler processes beside it; returns the run's statistics."""
    from nianbao.crawler.distributed.writer import ArchiveWriter
    writer = ArchiveWriter(args.redis, args.redis_prefix, args.db,
                           removal_after=getattr(args, "removal_after", None) or 3)
    procs: list[subprocess.Popen] = []
    try:
        writer.prepare(portals, {**options, "robots": not args.ignore_robots}, resume=args.resume)
        n = 1 if args.workers is None else args.workers
        if n:
            writer.server.set(writer.key("expect"), n)
            procs = _spawn_workers(args, n)
        else:
            _say(f"waiting for workers: nianbao crawl --redis {args.redis} "
                 f"--redis-prefix {args.redis_prefix} --join")
        result = writer.drain(progress=_isatty(),
                              workers_exited=lambda: bool(procs) and all(p.poll() is not None for p in procs))
    except BaseException:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        writer.abort()
        raise
    for p in procs:
        p.wait()
    result["worker_exit_codes"] = [p.returncode for p in procs]
    return result


def run_join(args) -> int:
    """Crawler process(es) for the Redis crawl a writer prepared."""
    from nianbao.crawler.distributed.frontier import connect
    from nianbao.crawler.distributed.writer import read_plan
    n = 1 if args.workers is None else args.workers
    if n < 1:
        _say("--join needs --workers 1 or more")
        return 2
    if n > 1:
        procs = _spawn_workers(args, n)
        codes = [p.wait() for p in procs]
        return max(codes)
    from nianbao.commands.crawl import _raw_settings
    from nianbao.run import OPTIONS, run_in_process
    raw = _raw_settings(args.set)
    server = connect(args.redis)
    deadline = time.monotonic() + float(raw.get("NIANBAO_JOIN_WAIT", 120))
    while not server.get(f"{args.redis_prefix}:ready"):
        if time.monotonic() > deadline:
            _say(f"no writer prepared a crawl under {args.redis_prefix!r} in {args.redis}")
            return 1
        time.sleep(0.2)
    portals = read_plan(server, args.redis_prefix)
    wid = os.environ.get("NIANBAO_WORKER_ID") or f"{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    settings = {**raw, **worker_settings(args.redis, args.redis_prefix, wid)}
    if args.progress:
        settings["NIANBAO_PROGRESS"] = args.progress
    options = {name: getattr(args, name) for name in OPTIONS if getattr(args, name, None) is not None}
    result = run_in_process(None, "(redis)", portals=portals, robots=not args.ignore_robots,
                            settings=settings, **options)
    return 0 if result.get("reason", "finished") == "finished" else 1


def _isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False

