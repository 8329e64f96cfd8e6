"""Requests a worker takes from the shared frontier are leased, not popped.

Taking a request moves it, in one Lua script, from its site's queue to `leases` (token ->
expiry), `leased` (token -> the request as queued) and `leased_from` (token -> its score and
site). The worker renews its leases while it lives and gives each back (`ack`) once the
request is done: its callback's output consumed and every item it yielded pushed to the
archive writer (crawler.tracking). A lease whose worker died expires, and `requeue_expired`
(run by every live worker, and by a resumed writer) puts the request back where it was,
so the work of a SIGKILLed worker is fetched again instead of lost.

`take` also keeps the cluster's per-site politeness: it hands out a request only for a site
with no more than CONCURRENT_REQUESTS_PER_DOMAIN requests taken or on the wire across all
workers (`taken:<site>`, `wire:<site>` of crawler.distributed.politeness) and whose pace
allows a start now; otherwise it says how long until the soonest site may start.
Times are Redis's clock (TIME): the workers' clocks do not matter.
"""
from __future__ import annotations

import itertools

from nianbao.crawler.distributed import keys
from nianbao.crawler.distributed.client import LUA_NOW_MS

# put one leased request back in its site's queue and forget the lease
_REQUEUE_FN = """
local function requeue(p, token)
  local data = redis.call('HGET', p .. ':leased', token)
  local from = redis.call('HGET', p .. ':leased_from', token)
  local back = 0
  if data and from then
    local score, site = string.match(from, '^(%S+) (.+)$')
    redis.call('ZADD', p .. ':requests:' .. site, score, data)
    redis.call('SADD', p .. ':sites', site)
    redis.call('ZREM', p .. ':taken:' .. site, token)
    back = 1
  end
  redis.call('ZREM', p .. ':leases', token)
  redis.call('HDEL', p .. ':leased', token)
  redis.call('HDEL', p .. ':leased_from', token)
  return back
end
"""

# ARGV: prefix, ttl_ms, token, per-site limit, site... -> {request, site} or {'', wait_ms}
TAKE = LUA_NOW_MS + """
local p, ttl, token, limit = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local wait = -1
for i = 5, #ARGV do
  local site = ARGV[i]
  local q = p .. ':requests:' .. site
  local top = redis.call('ZRANGE', q, 0, 0, 'WITHSCORES')
  if #top > 0 then
    local busy = redis.call('ZCOUNT', p .. ':wire:' .. site, '(' .. now, '+inf')
               + redis.call('ZCOUNT', p .. ':taken:' .. site, '(' .. now, '+inf')
    if busy < limit then
      local nxt = tonumber(redis.call('HGET', p .. ':pace:' .. site, 'next') or '0')
      if nxt <= now then
        redis.call('ZREMRANGEBYRANK', q, 0, 0)
        redis.call('ZADD', p .. ':leases', now + ttl, token)
        redis.call('HSET', p .. ':leased', token, top[1])
        redis.call('HSET', p .. ':leased_from', token, top[2] .. ' ' .. site)
        redis.call('ZADD', p .. ':taken:' .. site, now + ttl, token)
        return {top[1], site}
      end
      if wait < 0 or nxt - now < wait then wait = nxt - now end
    end
  end
end
return {'', wait}
"""

# ARGV: prefix, ttl_ms, n, then n (site, token) pairs of leased requests, then (site, token)
# pairs of wire leases -> how many leases were still there to renew
RENEW = LUA_NOW_MS + """
local p, ttl, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local kept = 0
for i = 4, #ARGV, 2 do
  local site, token = ARGV[i], ARGV[i + 1]
  if i < 4 + 2 * n then
    kept = kept + redis.call('ZADD', p .. ':leases', 'XX', 'CH', now + ttl, token)
    redis.call('ZADD', p .. ':taken:' .. site, 'XX', now + ttl, token)
  else
    redis.call('ZADD', p .. ':wire:' .. site, 'XX', now + ttl, token)
  end
end
return kept
"""

# ARGV: prefix, most -> requests put back
REQUEUE_EXPIRED = LUA_NOW_MS + _REQUEUE_FN + """
local p = ARGV[1]
local back = 0
for _, token in ipairs(redis.call('ZRANGEBYSCORE', p .. ':leases', '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
  back = back + requeue(p, token)
end
return back
"""

# ARGV: prefix, token... -> requests put back
REQUEUE = _REQUEUE_FN + """
local back = 0
for i = 2, #ARGV do back = back + requeue(ARGV[1], ARGV[i]) end
return back
"""


class RequestLeases:
    """The leases one worker holds on requests of the frontier `prefix`."""

    def __init__(self, server, prefix: str, wid: str, ttl: float):
        self.server = server
        self.prefix = prefix
        self.wid = wid
        self.ttl_ms = int(ttl * 1000)
        self.held: dict[str, str] = {}          # token -> site
        self._ids = itertools.count(1)
        self._take = server.register_script(TAKE)
        self._renew = server.register_script(RENEW)
        self._requeue_expired = server.register_script(REQUEUE_EXPIRED)
        self._requeue = server.register_script(REQUEUE)

    def take(self, sites: list[str], per_site: int) -> tuple[str, str, bytes] | float:
        """(token, site, the request as queued) of the first of `sites` that may start now;
        otherwise the seconds until the soonest may (-1: none has a request it may take)."""
        if not sites:
            return -1.0
        token = f"{self.wid}:{next(self._ids)}"
        data, site_or_wait = self._take(args=[self.prefix, self.ttl_ms, token, per_site, *sites])
        if not data:
            wait = int(site_or_wait)
            return wait / 1000 if wait >= 0 else -1.0
        site = site_or_wait.decode()
        self.held[token] = site
        return token, site, data

    def ack(self, token: str) -> None:
        """The request is done: forget its lease."""
        site = self.held.pop(token, None)
        pipe = self.server.pipeline()
        pipe.zrem(keys.key(self.prefix, keys.LEASES), token)
        pipe.hdel(keys.key(self.prefix, keys.LEASED), token)
        pipe.hdel(keys.key(self.prefix, keys.LEASED_FROM), token)
        if site is not None:
            pipe.zrem(keys.key(self.prefix, keys.TAKEN, site), token)
        pipe.execute()

    def renew(self, wire: dict[str, str] | None = None) -> int:
        """Push the expiry of every lease this worker holds (and its `wire` leases: token ->
        site) one TTL ahead; returns how many request leases were still there."""
        pairs = [x for token, site in self.held.items() for x in (site, token)]
        pairs += [x for token, site in (wire or {}).items() for x in (site, token)]
        if not pairs:
            return 0
        return int(self._renew(args=[self.prefix, self.ttl_ms, len(self.held), *pairs]))

    def give_back(self) -> int:
        """Put every request this worker still holds back in the frontier (a worker that
        stops before its end: others, or a resumed crawl, fetch them)."""
        tokens, self.held = list(self.held), {}
        return int(self._requeue(args=[self.prefix, *tokens])) if tokens else 0

    def requeue_expired(self, most: int = 1000) -> int:
        """Put back the requests whose lease expired (their worker died)."""
        return int(self._requeue_expired(args=[self.prefix, most]))

    def count(self) -> int:
        """Requests leased by any worker now."""
        return self.server.zcard(keys.key(self.prefix, keys.LEASES))
