"""What earlier crawls know about a URL, for incremental recrawls: the validators of its
last good capture (ETag, Last-Modified), whether that capture needed the browser, and
which report pages the archive already holds.

Two sources with one interface:
* `ArchiveHistory(db_path)`: asks the archive (`Archive.validators`, `known_report_urls`,
  and whether the last good capture was rendered), for a crawl on the machine that holds
  the archive;
* `RedisHistory(client, prefix)`: a copy the archive writer publishes to Redis before a
  distributed crawl (`publish_history`), for workers on any machine.
"""
from __future__ import annotations

import json
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


# the last good capture of a URL (by its own URL, else by any URL of its document), as
# `Archive.validators` finds it; validators themselves come from that public API
_LAST_GOOD_BY_URL = ("SELECT rendered, fetched_at FROM captures WHERE url = ? AND status BETWEEN 200 AND 299 "
                     "AND body_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1")
_LAST_GOOD_BY_DOC = ("SELECT k.rendered, k.fetched_at FROM document_urls du JOIN captures k "
                     "ON k.document_id = du.document_id WHERE du.url = ? AND k.status BETWEEN 200 AND 299 "
                     "AND k.body_sha256 IS NOT NULL ORDER BY k.id DESC LIMIT 1")


class ArchiveHistory:
    """The archive file seen by a crawl (absent file: nothing is known)."""

    def __init__(self, db_path: str | Path):
        self.path = Path(db_path)
        self.archive = None
        if self.path.exists():
            from nianbao.archive.store import Archive
            self.archive = Archive(self.path)

    def last(self, *urls: str) -> Known | None:
        if self.archive is None:
            return None
        for u in dict.fromkeys(u for u in urls if u):
            row = self.archive.conn.execute(_LAST_GOOD_BY_URL, (u,)).fetchone() \
                or self.archive.conn.execute(_LAST_GOOD_BY_DOC, (u,)).fetchone()
            if row is None:
                continue
            v = self.archive.validators(u) or {}
            return Known(etag=v.get("etag"), last_modified=v.get("last_modified"),
                         rendered=bool(row[0]), fetched_at=row[1])
        return None

    def known_reports(self, sites: list[str] | None = None) -> set[str]:
        """Canonical URLs of report documents not marked removed."""
        if self.archive is None:
            return set()
        return set(self.archive.known_report_urls(sites, include_removed=False))

    def all_known(self) -> dict[str, Known]:
        """Every archived URL's last good capture (what the writer publishes for workers)."""
        if self.archive is None:
            return {}
        urls = [r[0] for r in self.archive.conn.execute(
            "SELECT DISTINCT url FROM captures WHERE status BETWEEN 200 AND 299 AND body_sha256 IS NOT NULL")]
        out = {}
        for u in urls:
            known = self.last(u)
            if known is not None:
                out[u] = known
        return out

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None


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
        from nianbao.crawler.canonical import site_of
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
