"""How to cite one archived version: plain text, BibTeX and CSL-JSON.

A citation names what was read (title, agency, the original URL), when it was captured
(UTC), the SHA-256 of the raw bytes captured (anyone holding a copy can check it) and
the stable archive URL of the version. Pure functions of a `Citation`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    title: str
    agency: str | None
    year: int | None                 # the year reported on
    published: str | None            # YYYY-MM-DD
    original_url: str
    captured: str                    # UTC, YYYY-MM-DDTHH:MM:SSZ
    sha256: str | None
    archive_url: str
    version: int
    key: str                         # BibTeX key / CSL id


def utc(timestamp: str | None) -> str:
    """An archive timestamp shown to the second, in UTC (the archive stores UTC)."""
    return (timestamp or "")[:19] + "Z" if timestamp else ""


def plain(c: Citation) -> str:
    who = f"{c.agency}. " if c.agency else ""
    when = f" ({c.published})" if c.published else ""
    digest = f" SHA-256 {c.sha256}." if c.sha256 else ""
    return (f"{who}{c.title}{when}. {c.original_url}. Captured {c.captured} (UTC), "
            f"version {c.version}.{digest} Archived at {c.archive_url}")


def _bib(value: str) -> str:
    """A BibTeX field value: braces balanced, TeX specials escaped."""
    value = re.sub(r"([\\{}])", r"\\\1", value)
    return re.sub(r"([%&#$_^~])", r"\\\1", value)


def bibtex(c: Citation) -> str:
    fields = [("title", c.title), ("author", "{" + _bib(c.agency) + "}" if c.agency else None),
              ("year", str(c.published[:4]) if c.published else None),
              ("date", c.published), ("url", c.original_url), ("urldate", c.captured[:10]),
              ("note", f"Report year {c.year}. Version {c.version}, captured {c.captured} (UTC)"
                       + (f", SHA-256 {c.sha256}" if c.sha256 else "") + f". Archived at {c.archive_url}")]
    body = ",\n".join(f"  {k} = {{{v if k == 'author' else _bib(v)}}}" for k, v in fields if v)
    return f"@misc{{{c.key},\n{body}\n}}"


def _date_parts(value: str | None) -> dict | None:
    if not value or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    return {"date-parts": [[int(value[:4]), int(value[5:7]), int(value[8:10])]]}


def csl_json(c: Citation) -> str:
    item = {"id": c.key, "type": "report", "title": c.title,
            "author": [{"literal": c.agency}] if c.agency else [],
            "issued": _date_parts(c.published), "URL": c.original_url,
            "accessed": _date_parts(c.captured[:10]), "archive": "nianbao",
            "archive_location": c.archive_url, "version": str(c.version),
            "note": f"Captured {c.captured} (UTC)" + (f"; SHA-256 {c.sha256}" if c.sha256 else "")}
    return json.dumps([{k: v for k, v in item.items() if v not in (None, [])}], ensure_ascii=False, indent=2)
