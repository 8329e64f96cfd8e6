"""Run a report crawl from Python: `crawl(start_urls, db_path, **options) -> stats`.

Twisted's reactor cannot be restarted inside one process, so `crawl()` runs each crawl in
a fresh `python -m crawler.run …` subprocess and returns the statistics it wrote; tests
and the demo can call it as often as they like. `run_in_process()` is the same crawl in
the current process (what `nianbao crawl` uses: it is a fresh process already).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from scrapy.settings import Settings

from nianbao.crawler import settings as defaults
from nianbao.crawler.portals import Portal, RegistryError, load_registry, portals_from_urls

# option name -> (command-line flag, Scrapy setting, type); one table for both entry points
OPTIONS = {
    "render": ("--render", "NIANBAO_RENDER", str),
    "contact": ("--contact", "NIANBAO_CONTACT", str),
    "user_agent": ("--user-agent", "USER_AGENT", str),
    "concurrency": ("--concurrency", "CONCURRENT_REQUESTS_PER_DOMAIN", int),
    "render_concurrency": ("--render-concurrency", "NIANBAO_RENDER_CONCURRENCY", int),
    "max_pages": ("--max-pages", "NIANBAO_MAX_PAGES_PER_SITE", int),
    "depth": ("--depth", "DEPTH_LIMIT", int),
    "explore": ("--explore", "NIANBAO_EXPLORE_BUDGET", int),
    "delay": ("--delay", "DOWNLOAD_DELAY", float),
    "timeout": ("--timeout", "DOWNLOAD_TIMEOUT", float),
    "render_timeout": ("--render-timeout", "NIANBAO_RENDER_TIMEOUT", float),
    "log_level": ("--log-level", "LOG_LEVEL", str),
    "removal_after": ("--removal-after", "NIANBAO_REMOVAL_AFTER", int),
}


def user_agent(contact: str | None) -> str:
    """An honest User-Agent: the bot, its version, and how to reach whoever runs it."""
    return (f"nianbao/{defaults.NIANBAO_BOT_VERSION} (+{contact or defaults.NIANBAO_CONTACT}; "
            "OGI annual report archiver)")


def build_settings(db_path: str | os.PathLike, *, robots: bool = True, stats_file: str | None = None,
                   settings: dict | None = None, **options) -> Settings:
    """Scrapy settings for one crawl: project defaults, then the given options."""
    s = Settings()
    s.setmodule(defaults, priority="project")
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown crawl option(s): {sorted(unknown)}")
    for name, value in options.items():
        if value is None:
            continue
        s.set(OPTIONS[name][1], OPTIONS[name][2](value), priority="cmdline")
    if options.get("render") not in (None, "auto", "always", "never"):
        raise ValueError(f"render must be auto, always or never, not {options['render']!r}")
    if not options.get("user_agent"):
        s.set("USER_AGENT", user_agent(options.get("contact") or s.get("NIANBAO_CONTACT")), priority="cmdline")
    rc = s.getint("NIANBAO_RENDER_CONCURRENCY")
    if rc < 1:
        raise ValueError("render concurrency must be at least 1")
    s.set("PLAYWRIGHT_MAX_CONTEXTS", rc, priority="cmdline")
    s.set("ROBOTSTXT_OBEY", bool(robots), priority="cmdline")
    s.set("NIANBAO_DB", str(db_path), priority="cmdline")
    if stats_file:
        s.set("NIANBAO_STATS_FILE", str(stats_file), priority="cmdline")
    for k, v in (settings or {}).items():
        s.set(k, v, priority="cmdline")
    return s


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


def run_in_process(start_urls: list[str] | None, db_path: str | os.PathLike, *,
                   portals: str | list[Portal] | None = None, robots: bool = True,
                   settings: dict | None = None, **options) -> dict:
    """Crawl in this process (once per process: the reactor does not restart)."""
    from scrapy.crawler import CrawlerProcess

    from nianbao.crawler.spiders.reports import ReportSpider

    if isinstance(portals, list):
        plist = portals + (portals_from_urls(start_urls) if start_urls else [])
    else:
        plist = resolve_portals(start_urls, portals)
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        s = build_settings(db_path, robots=robots, stats_file=str(stats_file), settings=settings, **options)
        process = CrawlerProcess(s, install_root_handler=True)
        process.crawl(ReportSpider, portals=plist)
        process.start()
        if not stats_file.exists():
            raise RuntimeError("the crawl ended without statistics (see the log above)")
        return json.loads(stats_file.read_text(encoding="utf-8"))


def crawl(start_urls: list[str] | None, db_path: str | os.PathLike, *, portals: str | None = None,
          robots: bool = True, settings: dict | None = None, wall_timeout: float = 900,
          **options) -> dict:
    """Crawl `start_urls` (and/or a registry file) into the archive at `db_path`.

    Runs `python -m crawler.run` in a subprocess, so it can be called repeatedly from one
    process (tests, the demo). Options: render, contact, user_agent, concurrency,
    render_concurrency, max_pages, depth, explore, delay, timeout, render_timeout,
    log_level; `robots=False` ignores robots.txt; `settings` sets raw Scrapy settings.
    Returns the statistics dict (per-site rows, totals, run id).
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown crawl option(s): {sorted(unknown)}")
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        argv = [sys.executable, "-m", "nianbao.run", *(start_urls or []), "--db", str(db_path),
                "--stats-json", str(stats_file)]
        if portals:
            argv += ["--portals", str(portals)]
        if not robots:
            argv.append("--ignore-robots")
        for name, value in options.items():
            if value is not None:
                argv += [OPTIONS[name][0], str(value)]
        for k, v in (settings or {}).items():
            argv += ["--set", f"{k}={json.dumps(v)}"]
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True,
                              timeout=wall_timeout)
        if proc.returncode != 0 or not stats_file.exists():
            raise RuntimeError(f"crawl failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        result = json.loads(stats_file.read_text(encoding="utf-8"))
        result["log"] = proc.stderr
        return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    from nianbao.commands import crawl as command
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=command.__doc__)
    command.add_arguments(parser)
    return command.run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
