"""robots.txt once per site for the whole cluster, not once per worker.

Each worker's RobotsTxtMiddleware would fetch every site's robots.txt itself: with 4
workers the sample sites of bench/scale.py got 827 robots.txt requests instead of 240, a
third more requests to every site, each one also spending the site's pace (--delay) for
the cluster. Here the first worker to need a site's rules claims the fetch
(`robots_claim:<netloc>`, SET NX with an expiry, so a claimant that dies frees it), fetches
and parses as RobotsTxtMiddleware does (RFC 9309 cap, 5xx and no answer = unreachable),
and leaves what it found in `robots:<netloc>`; the others wait for that and parse the
same text. Shared outcomes live ROBOTS_TTL (RFC 9309 §2.4: a cached robots.txt is not used
for more than 24 hours).

Settings: NIANBAO_REDIS_URL, NIANBAO_REDIS_PREFIX, NIANBAO_WORKER_ID, DOWNLOAD_TIMEOUT, RETRY_TIMES.
"""
from __future__ import annotations

import asyncio

from scrapy.exceptions import NotConfigured

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect, worker_id
from nianbao.crawler.middlewares.robots import PARSE, RobotsTxtMiddleware

ROBOTS_TTL = 24 * 3600              # seconds a shared robots.txt outcome is used
POLL_FIRST, POLL_MOST = 0.02, 0.5   # seconds between looks while another worker fetches


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose fetches are shared by every worker of a Redis crawl."""

    def __init__(self, crawler):
        s = crawler.settings
        url = s.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("SharedRobotsTxtMiddleware needs NIANBAO_REDIS_URL")
        super().__init__(crawler)
        self.server = connect(url)
        self.prefix = s.get("NIANBAO_REDIS_PREFIX")
        self.wid = worker_id(s)
        # a claim outlives the slowest fetch (every retry timing out), then frees itself
        self.claim_ttl = int(s.getfloat("DOWNLOAD_TIMEOUT") * (s.getint("RETRY_TIMES") + 1)) + 10

    async def _fetch(self, request, netloc: str):
        shared = keys.key(self.prefix, keys.ROBOTS, netloc)
        claim = keys.key(self.prefix, keys.ROBOTS_CLAIM, netloc)
        poll = POLL_FIRST
        while True:
            found = self.server.hmget(shared, "kind", "data")
            if found[0] is not None:
                self._stats.inc_value("nianbao/robots/shared")
                kind = found[0].decode()
                data = found[1] if kind == PARSE else (found[1] or b"").decode()
                return await self._rules((kind, data), request, netloc, counted=False)
            if self.server.set(claim, self.wid, nx=True, ex=self.claim_ttl):
                try:
                    outcome = await self._download(request, netloc)
                    kind, data = outcome
                    pipe = self.server.pipeline()
                    pipe.hset(shared, mapping={"kind": kind, "data": data})
                    pipe.expire(shared, ROBOTS_TTL)
                    pipe.execute()
                finally:
                    self.server.delete(claim)
                return await self._rules(outcome, request, netloc)
            await asyncio.sleep(poll)           # another worker is fetching it
            poll = min(poll * 2, POLL_MOST)
