"""A resolver for crawls of test sites: every name under `.test` (reserved for testing by
RFC 2606, never a real site) resolves to the loopback address, so the sample portals can
live under several names — `hongqiao.gov.test` and `www.hongqiao.gov.test`, a file host
`files.hongqiao.gov.test` — as real portals do, while every socket stays on 127.0.0.1.
Other names resolve as usual.

It is the crawler's resolver (`TWISTED_DNS_RESOLVER` in crawler/settings.py): a real crawl never
meets a `.test` name, and the sample portals then need no setting of their own.
"""
from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

SUFFIX = ".test"
LOOPBACK = "127.0.0.1"


def is_test_host(name: str) -> bool:
    return name.lower().rstrip(".").endswith(SUFFIX)


class LoopbackTestHostsResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, with `*.test` answered by the loopback address."""

    def getHostByName(self, name: str, timeout=()):
        if is_test_host(name):
            return defer.succeed(LOOPBACK)
        return super().getHostByName(name, timeout)
