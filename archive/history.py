"""The read side a crawl needs from the archive: what earlier crawls know about a URL.

* `last_good(conn, url)`: the last good capture of a URL (by its own URL, else by any URL
  of its document): its validators (ETag, Last-Modified), whether it needed the browser,
  when it was fetched; a recrawl asks conditionally with these;
* `known_report_urls(conn, sites)`: canonical URLs of the report documents, so a crawl
  revisits them and notices a removal;
* `finished_runs(conn)` and `report_last_seen(conn)`: the crawl log and the freshness of
  each site's reports, for schedules (`nianbao crawl --due`).

`CrawlHistory(path)` answers the same questions from its own read-only connection, for a
crawl whose archive is written by another connection (or does not exist yet). Only this
module (and the archive's writer) run SQL on the archive's tables for a crawl.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .urls import site_name

_LAST_GOOD = ("SELECT headers, rendered, fetched_at FROM captures WHERE url = ? "
              "AND status BETWEEN 200 AND 299 AND body_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1")
_LAST_GOOD_OF_DOCUMENT = (
    "SELECT k.headers, k.rendered, k.fetched_at FROM document_urls du JOIN captures k "
    "ON k.document_id = du.document_id WHERE du.url = ? AND k.status BETWEEN 200 AND 299 "
    "AND k.body_sha256 IS NOT NULL ORDER BY k.id DESC LIMIT 1")


@dataclass(frozen=True)
class Known:
    """The last good capture of a URL, as far as a recrawl cares."""

    etag: str | None
    last_modified: str | None
    rendered: bool
    fetched_at: str

    def headers(self) -> dict[str, str]:
        """Conditional request headers; none for a page that needed the browser (its HTML
        shell stays the same while the content it loads changes)."""
        if self.rendered:
            return {}
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    def validators(self) -> dict | None:
        """{"etag", "last_modified"} of the capture, None when it had neither."""
        out = {"etag": self.etag, "last_modified": self.last_modified}
        return out if any(out.values()) else None


def last_good(conn: sqlite3.Connection, url: str) -> Known | None:
    """The last successful capture of `url` (or of its document under another URL)."""
    row = conn.execute(_LAST_GOOD, (url,)).fetchone() \
        or conn.execute(_LAST_GOOD_OF_DOCUMENT, (url,)).fetchone()
    if row is None:
        return None
    headers = {k.lower(): v for k, v in json.loads(row[0] or "{}").items()}
    return Known(etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                 rendered=bool(row[1]), fetched_at=row[2])


def known_report_urls(conn: sqlite3.Connection, sites: list[str] | None = None,
                      include_removed: bool = True) -> list[str]:
    """Canonical URLs of report documents, of `sites` (all when None)."""
    sql = "SELECT url, site FROM reports" + ("" if include_removed else " WHERE removed = 0")
    wanted = {site_name(s) for s in sites} if sites else None
    return [u for u, s in conn.execute(sql) if wanted is None or s in wanted]


def site_names(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(site, 'learn' | 'prefer', url) the archive knows, oldest first (a later 'prefer'
    replaces an earlier one)."""
    return conn.execute("SELECT s.host, n.kind, n.url FROM site_names n JOIN sites s ON s.id = n.site_id "
                        "ORDER BY n.rowid").fetchall()


def captured_urls(conn: sqlite3.Connection) -> list[str]:
    """Every URL with a good capture (what a distributed crawl publishes to its workers)."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT url FROM captures WHERE status BETWEEN 200 AND 299 AND body_sha256 IS NOT NULL")]


def _parse_time(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def finished_runs(conn: sqlite3.Connection) -> list[tuple[datetime, set[str]]]:
    """(start time, sites) of every crawl that ran to its end."""
    out = []
    for started, sites in conn.execute("SELECT started_at, sites FROM runs WHERE status = 'finished'"):
        t = _parse_time(started)
        if t is not None:
            out.append((t, {s.lower() for s in json.loads(sites or "[]")}))
    return out


def report_last_seen(conn: sqlite3.Connection) -> dict[str, list[datetime]]:
    """Per site, when each of its live reports was last seen (fetched or confirmed by 304)."""
    seen: dict[str, list[datetime]] = {}
    for site, last in conn.execute("SELECT site, last_seen FROM reports WHERE removed = 0"):
        t = _parse_time(last)
        if t is not None:
            seen.setdefault(site, []).append(t)
    return seen


class CrawlHistory:
    """The archive at `path` as a crawl reads it: read-only, and empty when there is no file
    (or no crawl has written to it yet)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn: sqlite3.Connection | None = None
        if self.path.exists():
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30,
                                        check_same_thread=False)
            names = {n for (n,) in self.conn.execute("SELECT name FROM sqlite_master")}
            if not {"captures", "reports", "runs"} <= names:
                self.close()

    def last(self, *urls: str) -> Known | None:
        """The last good capture of the first of `urls` that has one."""
        if self.conn is None:
            return None
        for u in dict.fromkeys(u for u in urls if u):
            known = last_good(self.conn, u)
            if known is not None:
                return known
        return None

    def known_reports(self, sites: list[str] | None = None) -> set[str]:
        """Canonical URLs of report documents not marked removed."""
        if self.conn is None:
            return set()
        return set(known_report_urls(self.conn, sites, include_removed=False))

    def all_known(self) -> dict[str, Known]:
        """Every captured URL's last good capture."""
        if self.conn is None:
            return {}
        out = {}
        for u in captured_urls(self.conn):
            known = last_good(self.conn, u)
            if known is not None:
                out[u] = known
        return out

    def finished_runs(self) -> list[tuple[datetime, set[str]]]:
        return finished_runs(self.conn) if self.conn is not None else []

    def site_names(self) -> list[tuple[str, str, str]]:
        if self.conn is None or not self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'site_names'").fetchone():
            return []
        return site_names(self.conn)

    def report_last_seen(self) -> dict[str, list[datetime]]:
        return report_last_seen(self.conn) if self.conn is not None else {}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self) -> "CrawlHistory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
