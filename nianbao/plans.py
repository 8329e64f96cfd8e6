"""How a crawl runs, decided once from what was asked: a plan.

* `LocalPlan`: one crawl in this process; with `--resume` its request queue is journaled
  in a job directory (`crawler.frontier`), and an unfinished journal found there is
  continued instead of starting over (a finished crawl removes it);
* `--due` narrows the portals to those whose schedules say so (`nianbao.due`): a full
  crawl, its lists only, or nothing (then there is no plan to run);
* `DistributedPlan` (`--redis URL`): crawler processes share one frontier through Redis;
  this process is the archive writer (`crawler.distributed.writer`) and starts
  `--workers` crawler processes beside it;
* `JoinPlan` (`--join`): crawler processes for a crawl a writer prepared, on any machine;
  a worker that spent its request budget (NIANBAO_WORKER_MAX_REQUESTS) replaces itself
  with a fresh image of the same process (`exec_successor`), which bounds its memory.

`make_plan(request)` returns the plan, or an exit code when there is nothing to run.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao import options as crawl_options
from nianbao.exits import TEMP_FAIL, interrupted
from nianbao.crawler.frontier import JOURNAL_NAME, journal_state
from nianbao.crawler.portals import Portal
from nianbao.launch import CrawlJob, run_in_process

DEFAULT_PREFIX = "nianbao"
SUCCEEDS_ENV = "NIANBAO_WORKER_SUCCEEDS"


def say(msg: str) -> None:
    print(f"nianbao crawl: {msg}", file=sys.stderr)


@dataclass
class CrawlRequest:
    """What `nianbao crawl` was asked, checked: the portals, the archive and the options."""

    portals: list[Portal]
    db: str
    options: dict[str, Any] = field(default_factory=dict)    # checked crawl options
    robots: bool = True
    settings: dict[str, Any] = field(default_factory=dict)   # --set NAME=VALUE
    set_pairs: list[str] = field(default_factory=list)       # the same, as given (for workers)
    due: bool = False
    resume: bool = False
    jobdir: str | None = None
    redis: str | None = None
    redis_prefix: str = DEFAULT_PREFIX
    workers: int | None = None

    def job(self, portals: list[Portal] | None = None, settings: dict | None = None) -> CrawlJob:
        return CrawlJob(portals=list(self.portals if portals is None else portals), db=self.db,
                        options=dict(self.options), robots=self.robots,
                        settings={**self.settings, **(settings or {})})


class JournalBusy(RuntimeError):
    """Another crawl is using the job directory's journal."""


def lock_jobdir(jobdir: Path) -> int:
    """Hold the job directory for this crawl (an flock, released when the process ends),
    so a second `--resume` crawl cannot take or delete the journal the first one uses."""
    jobdir.mkdir(parents=True, exist_ok=True)
    fd = os.open(jobdir / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise JournalBusy(f"another crawl (pid {holder}) is using the journal in {jobdir}; "
                          "wait for it to end") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    return fd


def _remove_journal(jobdir: Path) -> None:
    for name in (JOURNAL_NAME, JOURNAL_NAME + "-wal", JOURNAL_NAME + "-shm"):
        (jobdir / name).unlink(missing_ok=True)


@dataclass
class LocalPlan:
    job: CrawlJob
    jobdir: Path | None = None
    lock_fd: int | None = None

    def run(self) -> dict:
        try:
            result = run_in_process(self.job)
            if self.jobdir is not None:
                state = journal_state(self.jobdir)
                if state and state.get("status") == "finished":
                    shutil.rmtree(self.jobdir, ignore_errors=True)   # nothing left to resume
                elif state:
                    say(f"the crawl stopped before its end; `--resume` continues it from {self.jobdir}")
            return result
        finally:
            if self.lock_fd is not None:
                os.close(self.lock_fd)


def make_plan(req: CrawlRequest) -> "LocalPlan | DistributedPlan | int":
    """The plan for a request, or an exit code (0: nothing is due)."""
    portals, extra = list(req.portals), {}
    if req.due:
        from nianbao.due import due_plan
        dues = due_plan(portals, req.db)
        for d in dues:
            say(f"{d.portal.name}: {d.mode} ({d.reason})")
        portals = [d.portal for d in dues if d.mode != "skip"]
        lists_only = [d.portal for d in dues if d.mode == "lists"]
        if lists_only:
            extra["NIANBAO_LISTS_ONLY_SITES"] = sorted({s for p in lists_only for s in p.all_sites()})
        if not portals:
            say("nothing is due")
            return 0
    if req.redis:
        return DistributedPlan(req, req.job(portals, extra))
    jobdir = lock = None
    if req.resume:
        jobdir = Path(req.jobdir or f"{req.db}.job")
        lock = lock_jobdir(jobdir)                 # JournalBusy when another crawl holds it
        state = journal_state(jobdir)
        if state and state.get("status") != "finished":
            say(f"resuming the crawl journaled in {jobdir} ({state['queued'] + state['in_flight']} "
                f"requests to go, {state['done']} done)")
        elif state:
            _remove_journal(jobdir)             # a finished journal: start afresh
        extra["SCHEDULER"] = "nianbao.crawler.frontier.JournalScheduler"
        extra["JOBDIR"] = str(jobdir)
    return LocalPlan(req.job(portals, extra), jobdir, lock)


# -- distributed --------------------------------------------------------------------------------
def worker_settings(redis_url: str, prefix: str, wid: str) -> dict:
    """Scrapy settings that turn a crawl into a worker of the Redis crawl `prefix`."""
    from nianbao.crawler import settings as defaults
    leased = "nianbao.crawler.distributed.politeness.LeasedDownloadHandler"
    # each site's robots.txt fetched, and its JavaScript challenge rendered, once for the cluster
    shared = {"nianbao.crawler.middlewares.robots.RobotsTxtMiddleware":
              "nianbao.crawler.distributed.robots.SharedRobotsTxtMiddleware",
              "nianbao.crawler.middlewares.render.RenderOnDemandMiddleware":
              "nianbao.crawler.distributed.challenges.SharedRenderMiddleware"}
    return {
        "SCHEDULER": "nianbao.crawler.distributed.frontier.RedisFrontier",
        "ITEM_PIPELINES": {"nianbao.crawler.distributed.pipeline.RedisItemPipeline": 300},
        "EXTENSIONS": {**defaults.EXTENSIONS,
                       "nianbao.crawler.distributed.politeness.SiteLeases": 505,
                       "nianbao.crawler.distributed.frontier.WorkerCoordinator": 510},
        # every download inside a lease of its site, shared by all workers
        "DOWNLOAD_HANDLERS": {**defaults.DOWNLOAD_HANDLERS, "http": leased, "https": leased},
        "DOWNLOADER_MIDDLEWARES": {shared.get(k, k): v for k, v in defaults.DOWNLOADER_MIDDLEWARES.items()},
        "NIANBAO_REDIS_URL": redis_url,
        "NIANBAO_REDIS_PREFIX": prefix,
        "NIANBAO_WORKER_ID": wid,
        "NIANBAO_WORKER_SUCCEEDS": os.environ.get(SUCCEEDS_ENV),
    }


def successor_id(wid: str) -> str:
    """The name of the process that takes a retired worker's place: `<name>~<generation>`."""
    base, _, gen = wid.partition("~")
    return f"{base}~{int(gen) + 1 if gen.isdigit() else 1}"


def exec_successor(wid: str) -> None:
    """Become a fresh worker of the same crawl (a retired worker's memory goes with its
    process image): same pid and arguments, so whoever started it (the writer, `--join
    --workers N`, systemd) sees one process throughout; the new image tells the crawl
    whom it succeeds (NIANBAO_WORKER_SUCCEEDS)."""
    env = {**os.environ, "NIANBAO_WORKER_ID": successor_id(wid), SUCCEEDS_ENV: wid}
    say(f"worker {wid} retired (request budget spent); {env['NIANBAO_WORKER_ID']} takes its place")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
    except OSError as exc:      # its hand-over mark expires; the writer then decides
        say(f"could not start the worker that takes {wid}'s place: {exc}")


def _worker_argv(redis: str, prefix: str, options: dict, robots: bool, set_pairs: list[str]) -> list[str]:
    argv = [sys.executable, "-m", "nianbao", "crawl", "--join", "--workers", "1", "--redis", redis,
            "--redis-prefix", prefix, *crawl_options.to_argv({**options, "progress": "off"})]
    if not robots:
        argv.append("--ignore-robots")
    for pair in set_pairs:
        argv += ["--set", pair]
    return argv


def spawn_workers(n: int, argv: list[str]) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        env = {**os.environ, "NIANBAO_WORKER_ID":
               f"{os.uname().nodename}-{os.getpid()}-w{i + 1}-{uuid.uuid4().hex[:4]}"}
        procs.append(subprocess.Popen(argv, env=env))
    return procs


def _isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class DistributedPlan:
    """The archive writer here, `workers` crawler processes beside it."""

    req: CrawlRequest
    job: CrawlJob

    def run(self) -> dict:
        from nianbao.crawler.distributed.writer import ArchiveWriter
        req = self.req
        settings = self.job.scrapy_settings()
        writer = ArchiveWriter(req.redis, req.redis_prefix, req.db,
                               removal_after=settings.getint("NIANBAO_REMOVAL_AFTER"),
                               busy_timeout=settings.getfloat("NIANBAO_BUSY_TIMEOUT"),
                               batch=settings.getint("NIANBAO_REDIS_WRITE_BATCH"))
        procs: list[subprocess.Popen] = []
        try:
            writer.prepare(self.job.portals, {**req.options, "robots": req.robots}, resume=req.resume)
            n = 1 if req.workers is None else req.workers
            if n:
                writer.server.set(writer.key("expect"), n)
                procs = spawn_workers(n, _worker_argv(req.redis, req.redis_prefix, req.options,
                                                      req.robots, req.set_pairs))
            else:
                say(f"waiting for workers: nianbao crawl --redis {req.redis} "
                    f"--redis-prefix {req.redis_prefix} --join")
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
        if result["reason"] == "incomplete":
            say(f"every crawler process stopped with {result['left']} requests left in Redis; "
                f"`--resume` continues the crawl")
        return result


@dataclass
class JoinPlan:
    """Crawler process(es) for the Redis crawl a writer prepared."""

    redis: str
    prefix: str
    workers: int
    options: dict
    robots: bool
    settings: dict
    set_pairs: list[str]

    def run(self) -> int:
        from nianbao.crawler.distributed.frontier import RECYCLED, connect
        from nianbao.crawler.distributed.writer import read_plan
        if self.workers > 1:
            procs = spawn_workers(self.workers, _worker_argv(self.redis, self.prefix, self.options,
                                                             self.robots, self.set_pairs))
            return max(p.wait() for p in procs)
        from nianbao.crawler import settings as defaults
        server = connect(self.redis)
        wait = float(self.settings.get("NIANBAO_JOIN_WAIT", defaults.NIANBAO_JOIN_WAIT))
        deadline = time.monotonic() + wait
        while not server.get(f"{self.prefix}:ready"):
            if time.monotonic() > deadline:
                say(f"no writer prepared a crawl under {self.prefix!r} in {self.redis}")
                return 1
            time.sleep(0.2)
        portals = read_plan(server, self.prefix)
        wid = os.environ.get("NIANBAO_WORKER_ID") or f"{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        job = CrawlJob(portals=portals, db="(redis)", options=self.options, robots=self.robots,
                       settings={**self.settings, **worker_settings(self.redis, self.prefix, wid)})
        result = run_in_process(job)
        reason = result.get("finish_reason") or "finished"
        if result.get("signal"):
            return interrupted(result["signal"])
        if reason == RECYCLED:
            exec_successor(wid)             # returns only when it could not
            return TEMP_FAIL
        return 0 if reason == "finished" else 1
