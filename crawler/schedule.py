"""Per-portal recrawl schedules: which portals `nianbao crawl --due` visits now, and how.

A registry entry may say how often its lists and its report pages are revisited:

    schedule:
      lists: 1d        # list, section and home pages: where new reports appear
      reports: 30d     # known report pages (conditional requests, 304 when unchanged)

Intervals are a number with a unit: s, m, h, d, w (`90m`, `12h`, `1d`, `2w`); a bare
number is seconds. Defaults: lists 1d, reports 30d.

When is a portal due? From the archive's crawl log: its lists are due when no finished
run that covered its sites started within `lists`; its reports are due when one of its
known reports was last seen (fetched, or confirmed with a 304) longer ago than `reports`,
or it has none yet. Reports due means a full crawl; lists due only means a "lists only"
crawl: known report pages are not fetched (`NIANBAO_LISTS_ONLY_SITES`). A little slack
(10% of the interval, at most an hour) keeps a daily cron job from missing a day because
yesterday's run started a few seconds later.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEFAULT_LISTS = "1d"
DEFAULT_REPORTS = "30d"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_interval(value) -> float:
    """Seconds in `value` ("90m", "12h", "1d", "2w", or a number of seconds)."""
    if isinstance(value, bool):
        raise ValueError(f"not an interval: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value))
        if not m:
            raise ValueError(f"not an interval: {value!r} (use a number with s, m, h, d or w, e.g. 12h, 1d)")
        seconds = float(m.group(1)) * _UNITS.get(m.group(2) or "s", 1)
    if seconds <= 0:
        raise ValueError(f"an interval must be positive, not {value!r}")
    return seconds


def validate_schedule(value, where: str = "schedule") -> dict:
    """The registry's `schedule` mapping checked and normalised ({"lists":…, "reports":…})."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where}: schedule must be a mapping with 'lists' and/or 'reports'")
    unknown = set(value) - {"lists", "reports"}
    if unknown:
        raise ValueError(f"{where}: unknown schedule key(s) {sorted(unknown)}; allowed: lists, reports")
    out = {}
    for k, v in value.items():
        try:
            parse_interval(v)
        except ValueError as exc:
            raise ValueError(f"{where}: schedule.{k}: {exc}") from None
        out[k] = v
    if "lists" in out and "reports" in out and parse_interval(out["reports"]) < parse_interval(out["lists"]):
        raise ValueError(f"{where}: schedule.reports ({out['reports']}) is shorter than schedule.lists "
                         f"({out['lists']}); report pages are revisited less often than lists")
    return out


@dataclass(frozen=True)
class Due:
    portal: object                 # crawler.portals.Portal
    mode: str                      # "full" | "lists" | "skip"
    reason: str


def _parse_time(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _slack(seconds: float) -> float:
    return min(3600.0, seconds * 0.1)


def _history(db_path: str | Path) -> tuple[list[tuple[datetime, set[str]]], dict[str, list[datetime]]]:
    """Finished runs (start time, sites) and, per site, last_seen of its live reports."""
    path = Path(db_path)
    if not path.exists():
        return [], {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        runs = []
        for started, sites in conn.execute("SELECT started_at, sites FROM runs WHERE status = 'finished'"):
            t = _parse_time(started)
            if t is not None:
                runs.append((t, {s.lower() for s in json.loads(sites or "[]")}))
        seen: dict[str, list[datetime]] = {}
        for site, last_seen in conn.execute("SELECT site, last_seen FROM reports WHERE removed = 0"):
            t = _parse_time(last_seen)
            if t is not None:
                seen.setdefault(site, []).append(t)
        return runs, seen
    except sqlite3.OperationalError:        # an archive from before any crawl
        return [], {}
    finally:
        conn.close()


def due_plan(portals: list, db_path: str | Path, now: datetime | None = None) -> list[Due]:
    """What each portal needs now: a full crawl, its lists only, or nothing."""
    now = now or datetime.now(timezone.utc)
    runs, seen = _history(db_path)
    out = []
    for p in portals:
        sched = getattr(p, "schedule", None) or {}
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
