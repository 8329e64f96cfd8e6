"""Per-portal recrawl schedules as the registry states them: intervals, checked.

A registry entry may say how often its lists and its report pages are revisited:

    schedule:
      lists: 1d        # list, section and home pages: where new reports appear
      reports: 30d     # known report pages (conditional requests, 304 when unchanged)

Intervals are a number with a unit: s, m, h, d, w (`90m`, `12h`, `1d`, `2w`); a bare
number is seconds. Defaults: lists 1d, reports 30d.

`nianbao crawl --due` decides from these which portals are due (`nianbao.due`).
"""
from __future__ import annotations

import re

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
