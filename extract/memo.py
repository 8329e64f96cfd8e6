"""The last few results of a pure function, by value.

A crawled page is read in turn by several readers of `extract` (the refusal check, the
shell check, the extraction), each of which would decode the same bytes again and check
the same text again: kept for the pages of the last moments, those results are asked for
once. Only for pure functions: a cached result is handed out to every later caller.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """Results of the last `size` distinct keys (thread-safe: extraction runs in threads)."""

    def __init__(self, size: int):
        self.size = size
        self._results: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept for `key`, or `make()` (kept from then on)."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = make()
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > self.size:
                self._results.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._results.clear()
