"""robots.txt for every request, also those that arrive while robots.txt is on its way.

Scrapy 2.19's RobotsTxtMiddleware parks the requests that reach a site before its
robots.txt is parsed on one shared Deferred and awaits it once per request. Under the
asyncio reactor, awaiting a Deferred (Deferred.asFuture) consumes its result: the first
waiter gets the parser, every later one gets None, and None means "no robots.txt, allow".
So when several requests of a new site are in flight at once (a registry's list URLs
next to its start URL, a distributed worker taking a batch of one site's requests from
Redis), all but one skip robots.txt. Here each waiter gets its own Deferred, relayed
from the shared one, so the parser reaches them all.
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred = Deferred()

        def relay(result):
            mine.callback(result)
            return result           # the shared Deferred keeps its result for the next waiter
        pending.addBoth(relay)
        return await maybe_deferred_to_future(mine)
