"""The archive's history as the workers of a distributed crawl read it: a copy the archive
writer publishes to Redis before the workers start (`publish_history`), read through
`RedisHistory`, which answers like `archive.history.CrawlHistory` does for a local crawl.
"""
from __future__ import annotations

import json
from dataclasses import asdict

from nianbao.archive.history import CrawlHistory, Known
from nianbao.archive.urls import site_name


class RedisHistory:
    """The history the writer published under `prefix`."""

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
        urls = {u.decode() if isinstance(u, bytes) else u
                for u in self.redis.smembers(f"{self.prefix}:known_reports")}
        wanted = {site_name(s) for s in sites} if sites else None
        return {u for u in urls if wanted is None or site_name(u) in wanted}

    def site_names(self) -> list[tuple[str, str, str]]:
        return [tuple(x) for x in json.loads(self.redis.get(f"{self.prefix}:site_names") or "[]")]

    def close(self) -> None:
        pass


def publish_history(history: CrawlHistory, client, prefix: str) -> int:
    """Copy the archive's history to Redis for the workers of one distributed crawl."""
    known = history.all_known()
    pipe = client.pipeline(transaction=False)
    pipe.delete(f"{prefix}:history", f"{prefix}:known_reports")
    pipe.set(f"{prefix}:site_names", json.dumps(history.site_names(), ensure_ascii=False))
    items = list(known.items())
    for i in range(0, len(items), 1000):
        pipe.hset(f"{prefix}:history", mapping={u: json.dumps(asdict(k)) for u, k in items[i:i + 1000]})
    reports = sorted(history.known_reports())
    for i in range(0, len(reports), 1000):
        pipe.sadd(f"{prefix}:known_reports", *reports[i:i + 1000])
    pipe.execute()
    return len(known)
