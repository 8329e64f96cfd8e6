"""When is a request done? When its callback's (or errback's) output has been consumed —
the requests it yielded are in the scheduler — and every item it yielded has left the
item pipelines (stored, or pushed to the archive writer). A crash-safe frontier may forget
a request only then: until then, a crash must fetch it again.

    tracker = OutputTracker(crawler, on_done)   # on_done(key) once per tracked request
    tracker.track(request, key)                 # wraps callback and errback

Re-issues of a tracked request (retries, renders, redirects) keep its wrapped callback, so
they are tracked as the same request.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Hashable

from scrapy import Request, signals
from twisted.python.failure import Failure


class OutputTracker:
    def __init__(self, crawler, on_done: Callable[[Hashable], None]):
        self.crawler = crawler
        self.on_done = on_done
        self._pending_items: dict[Hashable, int] = defaultdict(int)
        self._output_open: set[Hashable] = set()
        self._item_key: dict[int, Hashable] = {}
        for sig in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_finished, signal=sig)

    def track(self, request, key: Hashable) -> None:
        """Wrap callback and errback so the tracker learns when their output is consumed."""
        for attr in ("callback", "errback"):
            fn = getattr(request, attr)
            if attr == "callback" and fn is None:
                fn = getattr(self.crawler.spider, "parse", None)
            if fn is None or getattr(fn, "_nianbao_tracked", False):
                continue
            setattr(request, attr, self._wrap(fn, key))

    def _wrap(self, fn, key: Hashable):
        tracker = self

        def tracked(result, *args, **kwargs):
            tracker._output_open.add(key)
            try:
                out = fn(result, *args, **kwargs)
            except BaseException:
                tracker._output_closed(key)
                raise
            return tracker._follow_output(key, out)
        tracked._nianbao_tracked = True
        tracked.__name__ = getattr(fn, "__name__", "tracked")
        return tracked

    def _follow_output(self, key: Hashable, out):
        if out is None or isinstance(out, Failure):
            self._output_closed(key)
            return out
        if hasattr(out, "__aiter__"):
            return self._follow_async(key, out)
        if hasattr(out, "__iter__") and not isinstance(out, (Request, dict, str, bytes)):
            return self._follow_sync(key, out)
        # a single item or request returned directly
        self._count(key, out)
        self._output_closed(key)
        return out

    def _follow_sync(self, key, out):
        try:
            for x in out:
                self._count(key, x)
                yield x
        finally:
            self._output_closed(key)

    async def _follow_async(self, key, out):
        try:
            async for x in out:
                self._count(key, x)
                yield x
        finally:
            self._output_closed(key)

    def _count(self, key: Hashable, x: Any) -> None:
        if x is not None and not isinstance(x, Request):
            self._pending_items[key] += 1
            self._item_key[id(x)] = key

    def _output_closed(self, key: Hashable) -> None:
        self._output_open.discard(key)
        if not self._pending_items.get(key):
            self.on_done(key)

    def _item_finished(self, item, response=None, spider=None, **kw):
        key = self._item_key.pop(id(item), None)
        if key is None:
            return
        self._pending_items[key] -= 1
        if self._pending_items[key] <= 0:
            self._pending_items.pop(key, None)
            if key not in self._output_open:
                self.on_done(key)
