"""Every Redis key of one distributed crawl, under its prefix (NIANBAO_REDIS_PREFIX).

One place, so the frontier, the politeness leases, the archive writer and the clean-up at
the end agree (the Lua scripts build the per-site names the same way: `prefix:name:site`).

Frontier (crawler.distributed.frontier, .leases):
    requests:<site>   sorted set   queued requests of a site (scrapy-redis PriorityQueue)
    sites             set          every site that ever had a queued request
    dupefilter        set          request fingerprints seen (scrapy-redis RFPDupeFilter)
    leases            sorted set   token -> expiry (ms): requests a worker took and works on
    leased            hash         token -> the request as it was queued
    leased_from       hash         token -> "<score> <site>": where it goes back to
    taken:<site>      sorted set   token -> expiry: leased requests not yet on the wire
Politeness (crawler.distributed.politeness):
    wire:<site>       sorted set   token -> expiry: requests on the wire to the site
    pace:<site>       hash         next (ms: earliest start of its next request), delay (ms)
Workers (crawler.distributed.frontier.WorkerCoordinator):
    workers, workers_started, expect, finished, worker_stats
    alive:<worker>    string       the worker's heartbeat (its pid and host), with a TTL
    busy:<worker>     string       the worker has work in hand, with a TTL
    handover:<worker> string       the worker retired (its request budget spent) and a fresh
                                   process takes its place: counted live until it joins, with a TTL
Archive writer (crawler.distributed.writer, .history):
    items             list         pickled pages and listings for the writer
    processing        list         the batch the writer is storing (back to items if it dies)
    writer            string       the writer's lock, with a TTL
    plan, ready, run_id, history, known_reports, site_names
Spider (crawler.distributed.findings):
    found             set          sites that gave any worker a report candidate
    requested         hash         site -> requests made for it by every worker (its ceiling)
    parked:<site>     list         parked links a retired worker handed over (pickled)
    parked_sites      set          the sites that have such a list
OCR (crawler.distributed.pipeline):
    ocr:<engine>:<sha256>  string  a picture's OCR result (JSON), read by any worker
    ocr:<engine>:<sha256>:claim    the worker reading it, with a TTL
JavaScript challenges (crawler.distributed.challenges):
    challenge:<site>       string  a passed challenge's clearance cookies, or that it failed (JSON)
robots.txt (crawler.distributed.robots):
    robots:<netloc>        hash    kind (parse, allow, unreachable) and data (body or reason)
    robots_claim:<netloc>  string  the worker fetching it, with a TTL
"""
from __future__ import annotations

REQUESTS, SITES, DUPEFILTER = "requests", "sites", "dupefilter"
LEASES, LEASED, LEASED_FROM, TAKEN = "leases", "leased", "leased_from", "taken"
WIRE, PACE = "wire", "pace"
WORKERS, WORKERS_STARTED, EXPECT, FINISHED, WORKER_STATS = (
    "workers", "workers_started", "expect", "finished", "worker_stats")
ALIVE, BUSY, HANDOVER = "alive", "busy", "handover"
ITEMS, PROCESSING, WRITER = "items", "processing", "writer"
PLAN, READY, RUN_ID, HISTORY, KNOWN_REPORTS, SITE_NAMES = (
    "plan", "ready", "run_id", "history", "known_reports", "site_names")
FOUND, PARKED, PARKED_SITES, REQUESTED = "found", "parked", "parked_sites", "requested"
ROBOTS, ROBOTS_CLAIM = "robots", "robots_claim"
OCR = "ocr"
CHALLENGE = "challenge"

# one key each
SINGLE = (SITES, DUPEFILTER, LEASES, LEASED, LEASED_FROM, WORKERS, WORKERS_STARTED, EXPECT,
          FINISHED, WORKER_STATS, ITEMS, PROCESSING, WRITER, PLAN, READY, RUN_ID, HISTORY,
          KNOWN_REPORTS, SITE_NAMES, FOUND, PARKED_SITES, REQUESTED)
# one key a site or a worker: `name:*`
FAMILIES = (REQUESTS, TAKEN, WIRE, PACE, ALIVE, BUSY, HANDOVER, PARKED, ROBOTS, ROBOTS_CLAIM, OCR, CHALLENGE)
# what a crawl started afresh forgets about who ran before (a resumed crawl keeps the rest)
RUN_SCOPED = (WORKERS, WORKERS_STARTED, EXPECT, FINISHED, WORKER_STATS, READY)


def key(prefix: str, name: str, *parts: str) -> str:
    return ":".join((prefix, name, *parts))


def namespace(server, prefix: str) -> list[str]:
    """Every key the crawl `prefix` has in Redis now."""
    keys = [key(prefix, k) for k in SINGLE]
    for family in FAMILIES:
        keys += [k.decode() for k in server.scan_iter(f"{key(prefix, family)}:*", count=500)]
    return keys


def queued(server, prefix: str) -> int:
    """Requests waiting in the crawl's queues, all sites."""
    sites = [site.decode() for site in server.smembers(key(prefix, SITES))]
    if not sites:
        return 0
    pipe = server.pipeline(transaction=False)
    for site in sites:
        pipe.zcard(key(prefix, REQUESTS, site))
    return sum(pipe.execute())
