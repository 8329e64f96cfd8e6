"""Crawl progress for people and for machines.

On a terminal (stderr is a TTY) a single status line is redrawn every second:

    1m12s  pages 812 (13.4/s)  reports 24  renders 3  not modified 40  errors 5

At the end one summary line is printed whatever stderr is. The same numbers are kept in
the Scrapy stats as `nianbao/progress/*` (pages, reports, renders, not_modified, errors,
elapsed_s, pages_per_s, peak_rss_mb), so they reach the archive's crawl log with the rest.

Setting NIANBAO_PROGRESS: auto (line only on a TTY; default), on, off (no line, no
summary; the stats are still kept).
"""
from __future__ import annotations

import resource
import sys
import time
from collections import deque

from scrapy import signals
from twisted.internet import task


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def peak_rss_mb() -> float:
    """Peak resident memory of this process. On Linux from VmHWM, the high-water mark of
    this program's own memory: ru_maxrss survives exec, so a crawl started by a large
    process (a test run, a bench, a worker supervisor) would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024          # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 ** 2)


class CrawlProgress:
    def __init__(self, crawler, stream=None):
        mode = str(crawler.settings.get("NIANBAO_PROGRESS", "auto")).lower()
        if mode not in ("auto", "on", "off"):
            raise ValueError(f"NIANBAO_PROGRESS must be auto, on or off, not {mode!r}")
        self.stream = stream or sys.stderr
        self.live = mode == "on" or (mode == "auto" and _isatty(self.stream))
        self.summary = mode != "off"
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 1.0)
        self.counts = {"pages": 0, "reports": 0, "not_modified": 0, "errors": 0}
        self.started = None
        self.window: deque[tuple[float, int]] = deque(maxlen=12)
        self.loop: task.LoopingCall | None = None
        self._width = 0
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        # the archive pipeline logs the stats before spider_closed: be current when idle
        crawler.signals.connect(lambda spider=None: self.snapshot(), signal=signals.spider_idle, weak=False)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)          # "off" silences the output; the stats are kept anyway

    # -- counting ----------------------------------------------------------------------------
    def opened(self, spider=None):
        self.started = time.monotonic()
        self.window.append((self.started, 0))
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def scraped(self, item, response=None, spider=None):
        status = getattr(item, "status", None)
        if not hasattr(item, "body"):
            return                       # a listing, not a fetch
        if getattr(item, "error", None):
            self.counts["errors"] += 1
        if status is None:
            return
        self.counts["pages"] += 1
        if status == 304:
            self.counts["not_modified"] += 1
        meta = getattr(response, "meta", None) or {}
        if 200 <= status < 300 and meta.get("nianbao_kind") == "report":
            self.counts["reports"] += 1

    def snapshot(self) -> dict:
        """The numbers of the line and the crawl log (also written to the stats)."""
        now = time.monotonic()
        elapsed = now - (self.started or now)
        pages = self.counts["pages"]
        self.window.append((now, pages))
        t0, p0 = self.window[0]
        recent = (pages - p0) / (now - t0) if now > t0 else 0.0
        snap = {**self.counts, "renders": int(self.stats.get_value("nianbao/render/rendered", 0) or 0),
                "elapsed_s": round(elapsed, 1),
                "pages_per_s": round(pages / elapsed, 2) if elapsed > 0 else 0.0,
                "recent_pages_per_s": round(recent, 2), "peak_rss_mb": round(peak_rss_mb(), 1)}
        for k, v in snap.items():
            self.stats.set_value(f"nianbao/progress/{k}", v)
        return snap

    # -- output ----------------------------------------------------------------------------------
    def line(self, s: dict) -> str:
        return (f"{format_duration(s['elapsed_s'])}  pages {s['pages']} ({s['recent_pages_per_s']:.1f}/s)"
                f"  reports {s['reports']}  renders {s['renders']}  not modified {s['not_modified']}"
                f"  errors {s['errors']}")

    def tick(self):
        s = self.snapshot()
        if self.live:
            text = self.line(s)
            pad = max(0, self._width - len(text))
            self._width = len(text)
            self.stream.write("\r" + text + " " * pad + "\r")
            self.stream.flush()

    def closed(self, spider=None, reason=None):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        s = self.snapshot()
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
        if self.summary:
            self.stream.write(
                f"crawl {reason or 'finished'} in {format_duration(s['elapsed_s'])}: {s['pages']} pages "
                f"({s['pages_per_s']:.1f}/s), {s['reports']} report pages, {s['renders']} renders, "
                f"{s['not_modified']} not modified, {s['errors']} errors, peak RSS {s['peak_rss_mb']:.0f} MB\n")
            self.stream.flush()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
