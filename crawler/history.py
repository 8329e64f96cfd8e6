"""What earlier crawls know about a URL, for incremental recrawls: the validators of its
last good capture (ETag, Last-Modified), whether that capture needed the browser, and
which report pages the archive already holds.

Two sources with one interface:
* `ArchiveHistory(db_path)`: reads the archive directly (read-only connection), for a
  crawl on the machine that holds the archive;
* `RedisHistory(client, prefix)`: a copy the archive writer publishes to Redis before a
  distributed crawl (`publish_history`), for workers on any machine.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Known:
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


_LAST_GOOD = ("SELECT headers, rendered, fetched_at FROM captures WHERE (url = ? OR canonical_url = ?) "
              "AND status BETWEEN 200 AND 299 AND body_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1")


def _known_from_row(row) -> Known | None:
    if row is None:
        return None
    headers = {k.lower(): v for k, v in json.loads(row[0] or "{}").items()}
    return Known(etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                 rendered=bool(row[1]), fetched_at=row[2])


class ArchiveHistory:
    """Read-only view of an archive file (absent file: nothing is known)."""

    def __init__(self, db_path: str | Path):
        self.path = Path(db_path)
        self.conn: sqlite3.Connection | None = None
        if self.path.exists():
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 10000")

    def last(self, *urls: str) -> Known | None:
        if self.conn is None:
            return None
        for u in dict.fromkeys(u for u in urls if u):
            try:
                known = _known_from_row(self.conn.execute(_LAST_GOOD, (u, u)).fetchone())
            except sqlite3.OperationalError:        # an archive without captures yet
                return None
            if known is not None:
                return known
        return None

    def known_reports(self, sites: list[str] | None = None) -> set[str]:
        """Canonical URLs of report documents not marked removed (the `reports` view)."""
        if self.conn is None:
            return set()
        try:
            rows = self.conn.execute("SELECT url, site FROM reports WHERE removed = 0").fetchall()
        except sqlite3.OperationalError:
            return set()
        wanted = {s.lower() for s in sites} if sites else None
        return {u for u, s in rows if wanted is None or s in wanted}

    def all_known(self) -> dict[str, Known]:
        """Every URL's last good capture (what the writer publishes for remote workers)."""
        if self.conn is None:
            return {}
        out: dict[str, Known] = {}
        try:
            rows = self.conn.execute(
                "SELECT url, canonical_url, headers, rendered, fetched_at FROM captures WHERE id IN "
                "(SELECT max(id) FROM captures WHERE status BETWEEN 200 AND 299 "
                "AND body_sha256 IS NOT NULL GROUP BY url)").fetchall()
        except sqlite3.OperationalError:
            return {}
        for url, canonical, headers, rendered, fetched_at in rows:
            known = _known_from_row((headers, rendered, fetched_at))
            out[url] = known
            if canonical:
                out.setdefault(canonical, known)
        return out

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class RedisHistory:
    """The history the writer published under `prefix` (see `publish_history`)."""

    def __init__(self, client, prefix: str):
        self.redis = client
        self.prefix = prefix

    def last(self, *urls: str) -> Known | None:
        for u in dict.fromkeys(u for u in urls if u):
            raw = self.redis.hget(f"{self.prefix}:history", u)
            if raw:
                return Known(**json.loads(raw))
        return None

    def known_reports(self, sites: list[str] | None = None) -> set[str]:
        from crawler.canonical import site_of
        urls = {u.decode() if isinstance(u, bytes) else u
                for u in self.redis.smembers(f"{self.prefix}:known_reports")}
        wanted = {s.lower() for s in sites} if sites else None
        return {u for u in urls if wanted is None or site_of(u) in wanted}

    def close(self) -> None:
        pass


def publish_history(archive: ArchiveHistory, client, prefix: str) -> int:
    """Copy the archive's history to Redis for the workers of one distributed crawl."""
    known = archive.all_known()
    pipe = client.pipeline(transaction=False)
    pipe.delete(f"{prefix}:history", f"{prefix}:known_reports")
    items = list(known.items())
    for i in range(0, len(items), 1000):
        pipe.hset(f"{prefix}:history", mapping={u: json.dumps(asdict(k)) for u, k in items[i:i + 1000]})
    reports = sorted(archive.known_reports())
    for i in range(0, len(reports), 1000):
        pipe.sadd(f"{prefix}:known_reports", *reports[i:i + 1000])
    pipe.execute()
    return len(known)


def history_from_settings(settings):
    """The history source a crawl's settings name (Redis for distributed workers)."""
    redis_url = settings.get("NIANBAO_REDIS_URL")
    if redis_url:
        import redis
        return RedisHistory(redis.Redis.from_url(redis_url), settings.get("NIANBAO_REDIS_PREFIX", "nianbao"))
    return ArchiveHistory(settings.get("NIANBAO_DB", "data/archive.db"))
