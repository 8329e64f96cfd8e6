"""Back off when a site says so: 429 and 503 pause the whole site, honouring Retry-After.

The stock RetryMiddleware retries at once; a site that answers 429 (or 503 under load)
asks for less traffic, not for the same request again. This middleware pauses the site's
download slot for the Retry-After delay (seconds or an HTTP date; exponential when absent),
sets a modest slot delay that AutoThrottle eases back down, and retries the request
up to RETRY_TIMES. After that the response goes to the spider, which stores the failure.
"""
from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from time import monotonic

logger = logging.getLogger(__name__)

# signal (site, seconds): a site asked for a pause; a distributed crawl makes every worker
# wait it out (crawler.distributed.politeness)
site_paused = object()


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class BackoffMiddleware:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.codes = set(int(c) for c in s.getlist("NIANBAO_BACKOFF_CODES", [429, 503]))
        self.base = s.getfloat("NIANBAO_BACKOFF_BASE", 2.0)
        self.max_wait = s.getfloat("NIANBAO_BACKOFF_MAX", 120.0)
        self.max_retries = s.getint("RETRY_TIMES", 2)
        self.max_delay = s.getfloat("AUTOTHROTTLE_MAX_DELAY", 30.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def wait_for(self, response, attempt: int) -> float:
        ra = retry_after_seconds(response.headers.get(b"Retry-After"))
        wait = ra if ra is not None else self.base * (2 ** attempt)
        return min(wait, self.max_wait)

    def pause_slot(self, key: str | None, wait: float) -> None:
        if key:
            self.crawler.signals.send_catch_log(site_paused, site=key, seconds=wait)
        try:
            engine = self.crawler.engine
        except RuntimeError:          # not crawling (unit use): nothing to pause
            return
        slot = engine.downloader.slots.get(key) if engine and key else None
        if slot is None:
            return
        # the slot's next download waits (jittered) `delay` after `lastseen`: pushing
        # lastseen `wait` into the future pauses every request of the site that long;
        # after it, a modest delay that AutoThrottle then eases as answers come back fine
        slot.lastseen = max(slot.lastseen, monotonic() + wait)
        slot.delay = max(slot.delay, min(wait, 1.0, self.max_delay))

    def process_response(self, request, response, spider=None):
        if response.status not in self.codes or request.meta.get("dont_retry"):
            return response
        attempt = request.meta.get("nianbao_backoff_times", 0)
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/backoff/{response.status}")
        if attempt >= self.max_retries:
            logger.warning("gave up on %s after %d backoffs (HTTP %d)", request.url, attempt, response.status)
            return response
        wait = self.wait_for(response, attempt)
        self.pause_slot(request.meta.get("download_slot"), wait)
        logger.info("HTTP %d from %s: pausing the site %.1fs (retry %d)", response.status,
                    request.url, wait, attempt + 1)
        retry = request.replace(dont_filter=True)
        retry.meta["nianbao_backoff_times"] = attempt + 1
        retry.priority = request.priority - 1
        return retry
