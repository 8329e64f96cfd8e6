"""What the workers of one distributed crawl found out about its sites, shared through
Redis: which sites gave a report candidate to any worker (`<prefix>:found`), how many
requests all workers made for each site (`<prefix>:requested`, against its ceiling), and
the parked links a worker handed over when it retired (`<prefix>:parked:<site>`).

The report spider explores a site's parked links (links that say nothing) only when the
site gave no report; a worker knows only the pages it fetched itself, so without this a
worker that saw none of a site's report links would explore a site another worker had
already found reports on: requests a one-process crawl never sends, and an archive that
depends on how pages fell to workers.
"""
from __future__ import annotations

import pickle

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect

# Signal: this worker spent its request budget (NIANBAO_WORKER_MAX_REQUESTS) and takes no
# more requests from Redis; it finishes what it holds, hands over what only it knows, and
# a fresh process takes its place (crawler.distributed.frontier).
worker_retiring = object()
# Signal: the whole crawl is idle (nothing queued or leased, no worker busy), the moment a
# one-process crawl's spider_idle comes: a worker's own idle only means it has nothing in
# hand while others may still be working, too early to explore or ask for sitemaps.
cluster_idle = object()


class SitesWithReports:
    """The crawl's sites with a report candidate, as every worker sees them."""

    def __init__(self, client, prefix: str):
        self.redis = client
        self.key = keys.key(prefix, keys.FOUND)
        self.requested_key = keys.key(prefix, keys.REQUESTED)
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

    def count_request(self, site: str) -> int:
        """Count one more request for `site`; the requests every worker (and every retired
        one) made for it, so a site's ceiling holds for the crawl, not for each process."""
        return int(self.redis.hincrby(self.requested_key, site, 1))


class HandedOverLinks:
    """Parked links of a retired worker, for the next worker that goes idle.

    Parked links (links that say nothing, explored only for a site with no report, when
    everything better is done) live in the memory of the worker that parsed their page;
    a worker retiring before that moment would take them with it, and the crawl would
    explore less than a one-process crawl does."""

    def __init__(self, client, prefix: str):
        self.redis = client
        self.prefix = prefix
        self.sites_key = keys.key(prefix, keys.PARKED_SITES)

    @classmethod
    def from_settings(cls, settings) -> "HandedOverLinks | None":
        url = settings.get("NIANBAO_REDIS_URL")
        return cls(connect(url), settings.get("NIANBAO_REDIS_PREFIX")) if url else None

    def hand_over(self, site: str, explored: int, parked: list) -> None:
        """`parked`: the site's parked entries; `explored`: how many of its links this
        worker explored (the site's budget goes on counting from there)."""
        pipe = self.redis.pipeline()
        pipe.rpush(keys.key(self.prefix, keys.PARKED, site), pickle.dumps((explored, parked), protocol=4))
        pipe.sadd(self.sites_key, site)
        pipe.execute()

    def adopt(self) -> dict[str, tuple[int, list]]:
        """Take every handed-over site's links (each hand-over goes to one worker):
        site -> (links explored before, parked entries)."""
        taken: dict[str, tuple[int, list]] = {}
        for raw in self.redis.smembers(self.sites_key):
            site = raw.decode()
            key = keys.key(self.prefix, keys.PARKED, site)
            pipe = self.redis.pipeline()            # MULTI: a hand-over lands before or after
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            pipe.srem(self.sites_key, site)
            blobs = pipe.execute()[0]
            explored, entries = 0, []
            for blob in blobs:
                e, parked = pickle.loads(blob)
                explored += e
                entries += parked
            if blobs:
                taken[site] = (explored, entries)
        return taken
