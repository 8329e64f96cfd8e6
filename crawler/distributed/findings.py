"""What the workers of one distributed crawl found out about its sites, shared through
Redis: which sites gave a report candidate to any worker (`<prefix>:found`).

The report spider explores a site's parked links (links that say nothing) only when the
site gave no report; a worker knows only the pages it fetched itself, so without this a
worker that saw none of a site's report links would explore a site another worker had
already found reports on: requests a one-process crawl never sends, and an archive that
depends on how pages fell to workers.
"""
from __future__ import annotations

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect


class SitesWithReports:
    """The crawl's sites with a report candidate, as every worker sees them."""

    def __init__(self, client, prefix: str):
        self.redis = client
        self.key = keys.key(prefix, keys.FOUND)
        self._told: set[str] = set()          # sites this worker already announced

    @classmethod
    def from_settings(cls, settings) -> "SitesWithReports | None":
        """The shared set of a worker (NIANBAO_REDIS_URL set); None for a local crawl."""
        url = settings.get("NIANBAO_REDIS_URL")
        return cls(connect(url), settings.get("NIANBAO_REDIS_PREFIX")) if url else None

    def add(self, site: str) -> None:
        if site not in self._told:
            self.redis.sadd(self.key, site)
            self._told.add(site)

    def has(self, site: str) -> bool:
        return site in self._told or bool(self.redis.sismember(self.key, site))
