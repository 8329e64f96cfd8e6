"""Start a crawl: in this process, or as a `nianbao crawl` subprocess.

* `CrawlJob`: what to crawl (portals), into which archive, with which checked options
  (`nianbao.options`) and extra Scrapy settings (from plans and `--set`).
* `run_in_process(job)`: a Scrapy crawl in this process, once per process (Twisted's
  reactor does not restart); returns the crawl's result, taken from its pipeline.
* `crawl(start_urls, db, **options)`: the same crawl in a fresh `python -m nianbao crawl`
  subprocess, so tests, the demo and benches can crawl as often as they like; returns the
  result the command wrote with `--stats-json`, plus the crawl's log.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from nianbao import options as crawl_options
from nianbao.crawler import settings as defaults
from nianbao.crawler.portals import Portal, RegistryError, load_registry, portals_from_urls


def user_agent(contact: str | None) -> str:
    """An honest User-Agent: the bot, its version, and how to reach whoever runs it."""
    return (f"nianbao/{defaults.NIANBAO_BOT_VERSION} (+{contact or defaults.NIANBAO_CONTACT}; "
            "OGI annual report archiver)")


def resolve_portals(start_urls: list[str] | None, portals_file: str | None) -> list[Portal]:
    """Registry entries plus plain start URLs; RegistryError with the reason when bad."""
    plist: list[Portal] = []
    if portals_file:
        plist.extend(load_registry(portals_file))
    if start_urls:
        known = {s for p in plist for s in p.all_sites()}
        plist.extend(p for p in portals_from_urls(list(start_urls)) if p.all_sites()[0] not in known)
    if not plist:
        raise RegistryError("nothing to crawl: give start URLs or --portals FILE")
    return plist


@dataclass
class CrawlJob:
    """One crawl, fully decided: portals, archive, options, extra settings."""

    portals: list[Portal]
    db: str
    options: dict[str, Any] = field(default_factory=dict)    # checked (nianbao.options.check)
    robots: bool = True
    settings: dict[str, Any] = field(default_factory=dict)   # raw Scrapy settings, applied last

    def scrapy_settings(self) -> Settings:
        """Project defaults, then the options, then the extra settings."""
        s = Settings()
        s.setmodule(defaults, priority="project")
        for name, value in crawl_options.to_settings(self.options).items():
            s.set(name, value, priority="cmdline")
        if not self.options.get("user_agent"):
            s.set("USER_AGENT", user_agent(self.options.get("contact")), priority="cmdline")
        s.set("PLAYWRIGHT_MAX_CONTEXTS", s.getint("NIANBAO_RENDER_CONCURRENCY"), priority="cmdline")
        s.set("ROBOTSTXT_OBEY", bool(self.robots), priority="cmdline")
        s.set("NIANBAO_DB", str(self.db), priority="cmdline")
        for k, v in self.settings.items():
            s.set(k, v, priority="cmdline")
        return s


def _process_class():
    """Scrapy's CrawlerProcess, remembering the first shutdown signal it received (the exit
    code says which: 130 for SIGINT, 143 for SIGTERM)."""
    from scrapy.crawler import CrawlerProcess

    class Process(CrawlerProcess):
        signal_received: int | None = None

        def _signal_shutdown(self, signum, frame):
            self.signal_received = self.signal_received or signum
            super()._signal_shutdown(signum, frame)

        def _signal_kill(self, signum, frame):
            self.signal_received = self.signal_received or signum
            super()._signal_kill(signum, frame)
    return Process


# A crawl makes and drops thousands of objects a page (requests, responses, deferreds): at
# Python's default threshold (700 new objects) the collector runs ~50 times a second, and
# every tenth of its passes walks all the crawl's long-lived objects too (~6 % of a local
# crawl's CPU). Cycles wait a little longer to be freed (peak memory is unchanged).
GC_THRESHOLD = 5000


@contextmanager
def fewer_collections():
    """Python's cyclic garbage collector at GC_THRESHOLD while a crawl runs in this process."""
    before = gc.get_threshold()
    gc.set_threshold(max(GC_THRESHOLD, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_in_process(job: CrawlJob) -> dict:
    """Crawl in this process; the result of the pipeline that stored (or pushed) the pages,
    with `signal` set when a shutdown signal stopped it."""
    from nianbao.crawler.distributed.pipeline import RedisItemPipeline
    from nianbao.crawler.pipelines.archive import ArchivePipeline
    from nianbao.crawler.spiders.reports import ReportSpider

    settings = job.scrapy_settings()
    process = _process_class()(settings)
    crawler = process.create_crawler(ReportSpider)
    process.crawl(crawler, portals=job.portals)
    # Scrapy leaves the root logger at NOTSET and filters in its handler, so every debug
    # call below LOG_LEVEL (pdfminer makes thousands a PDF) still builds a LogRecord: the
    # root logger's own level skips them (output unchanged)
    logging.root.setLevel(settings.get("LOG_LEVEL"))
    with fewer_collections():
        process.start()
    for cls in (ArchivePipeline, RedisItemPipeline):
        try:
            pipeline = crawler.get_item_pipeline(cls)
        except RuntimeError:          # the engine was never created
            break
        if pipeline is not None and pipeline.result is not None:
            # Scrapy's close reason (CloseSpider's): the stat is set after the pipelines closed
            return {**pipeline.result, "signal": process.signal_received,
                    "finish_reason": crawler.stats.get_value("finish_reason")}
    if process.signal_received:
        return {"reason": "shutdown", "signal": process.signal_received, "sites": {}, "totals": {}}
    raise RuntimeError("the crawl ended before its archive was opened (see the log above)")


def crawl(start_urls: list[str] | None, db_path: str | os.PathLike, *, portals: str | None = None,
          robots: bool = True, settings: dict | None = None, wall_timeout: float = 900,
          expect_exit: int = 0, **options) -> dict:
    """Crawl `start_urls` (and/or a registry file) into the archive at `db_path` in a fresh
    `python -m nianbao crawl` process. Options as `nianbao.options` names them (render,
    concurrency, max_pages, …); `robots=False` ignores robots.txt; `settings` sets raw
    Scrapy settings. Returns the crawl's result (per-site rows, totals, run id) and its log;
    any exit code but `expect_exit` (nianbao.exits: 1 when every site was blocked) raises."""
    values = crawl_options.check(options)
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        argv = [sys.executable, "-m", "nianbao", "crawl", *(start_urls or []), "--db", str(db_path),
                "--stats-json", str(stats_file), *crawl_options.to_argv(values)]
        if portals:
            argv += ["--portals", str(portals)]
        if not robots:
            argv.append("--ignore-robots")
        for k, v in (settings or {}).items():
            argv += ["--set", f"{k}={json.dumps(v)}"]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=wall_timeout)
        if proc.returncode != expect_exit or not stats_file.exists():
            raise RuntimeError(f"crawl failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        result = json.loads(stats_file.read_text(encoding="utf-8"))
        result["log"] = proc.stderr
        result["exit_code"] = proc.returncode
        return result
