"""A JavaScript challenge passed once for the whole cluster, not once per worker.

RenderOnDemandMiddleware renders a site's challenge once a process and keeps the cookies it
was given; in a distributed crawl every worker (and every fresh image of a retired one)
met the challenge again and gave it to its own browser: a render and the challenge's
requests to the site again each time. Here the worker that passed it leaves the site's
clearance cookies in `challenge:<site>` (or that the challenge failed in the browser, so
no other worker renders it again this crawl), and a worker that meets the challenge first
looks there: with cookies, its request goes again plainly with them.

Shared outcomes live CHALLENGE_TTL: a firewall's clearance cookie is short-lived (minutes to
hours); one that expired meets the challenge again, as in a one-process crawl.

Settings: NIANBAO_REDIS_URL, NIANBAO_REDIS_PREFIX.
"""
from __future__ import annotations

import json

from scrapy.exceptions import NotConfigured

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import connect
from nianbao.crawler.middlewares.render import RenderOnDemandMiddleware

CHALLENGE_TTL = 1800                # seconds a shared outcome is used


class SharedRenderMiddleware(RenderOnDemandMiddleware):
    """RenderOnDemandMiddleware whose challenge outcomes every worker of a Redis crawl shares."""

    def __init__(self, crawler):
        url = crawler.settings.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("SharedRenderMiddleware needs NIANBAO_REDIS_URL")
        super().__init__(crawler)
        self.server = connect(url)
        self.prefix = crawler.settings.get("NIANBAO_REDIS_PREFIX")

    def _key(self, site: str) -> str:
        return keys.key(self.prefix, keys.CHALLENGE, site)

    def shared_outcome(self, site: str) -> dict[str, str] | bool | None:
        raw = self.server.get(self._key(site))
        if raw is None:
            return None
        found = json.loads(raw)
        return found["cookies"] if found["passed"] else False

    def share_outcome(self, site: str, outcome: dict[str, str] | bool) -> None:
        passed = outcome is not False
        self.server.set(self._key(site), json.dumps({"passed": passed, "cookies": outcome if passed else {}}),
                        ex=CHALLENGE_TTL)
