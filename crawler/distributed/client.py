"""The Redis connection of a distributed crawl's processes, a worker's name, and Redis's
clock for the Lua scripts (leases and paces are timed by Redis, never by a worker's clock)."""
from __future__ import annotations

import os
import socket
import uuid

import redis

# a Lua script's first lines: `now`, Redis's time in milliseconds
LUA_NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30,
                                retry_on_timeout=True)


def worker_id(settings) -> str:
    return settings.get("NIANBAO_WORKER_ID") or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
