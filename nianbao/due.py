"""Which portals `nianbao crawl --due` visits now, and how: a full crawl, lists only, or
nothing, from the registry's schedules (`crawler.schedule`) and the archive's crawl log.

Its lists are due when no finished run that covered its sites started within `lists`;
its reports are due when one of its known reports was last seen (fetched, or confirmed
with a 304) longer ago than `reports`, or it has none yet. Reports due means a full crawl;
lists due only means a "lists only" crawl: known report pages are not fetched
(`NIANBAO_LISTS_ONLY_SITES`). A little slack (10% of the interval, at most an hour) keeps
a daily cron job from missing a day because yesterday's run started a few seconds later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from nianbao.archive.history import CrawlHistory
from nianbao.crawler.portals import Portal
from nianbao.crawler.schedule import DEFAULT_LISTS, DEFAULT_REPORTS, parse_interval


@dataclass(frozen=True)
class Due:
    portal: Portal
    mode: str                      # "full" | "lists" | "skip"
    reason: str


def _slack(seconds: float) -> float:
    return min(3600.0, seconds * 0.1)


def due_plan(portals: list[Portal], db_path: str | Path, now: datetime | None = None) -> list[Due]:
    """What each portal needs now: a full crawl, its lists only, or nothing."""
    now = now or datetime.now(timezone.utc)
    with CrawlHistory(db_path) as history:
        runs, seen = history.finished_runs(), history.report_last_seen()
    out = []
    for p in portals:
        sched = p.schedule or {}
        lists_s = parse_interval(sched.get("lists", DEFAULT_LISTS))
        reports_s = parse_interval(sched.get("reports", DEFAULT_REPORTS))
        sites = set(p.all_sites())
        last_run = max((t for t, s in runs if s & sites), default=None)
        report_seen = [t for s in sites for t in seen.get(s, [])]
        oldest = min(report_seen, default=None)
        if oldest is None or (now - oldest).total_seconds() >= reports_s - _slack(reports_s):
            why = ("no report archived yet" if oldest is None
                   else f"a report was last seen {_ago(now - oldest)} ago (reports every {sched.get('reports', DEFAULT_REPORTS)})")
            out.append(Due(p, "full", why))
        elif last_run is None or (now - last_run).total_seconds() >= lists_s - _slack(lists_s):
            why = ("never crawled" if last_run is None
                   else f"lists last crawled {_ago(now - last_run)} ago (lists every {sched.get('lists', DEFAULT_LISTS)})")
            out.append(Due(p, "lists", why))
        else:
            out.append(Due(p, "skip", f"lists crawled {_ago(now - last_run)} ago, reports seen "
                                      f"{_ago(now - oldest)} ago: nothing due"))
    return out


def _ago(delta: timedelta) -> str:
    s = int(delta.total_seconds())
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"
