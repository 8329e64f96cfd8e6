"""A request whose URL is over URLLENGTH_LIMIT fails through its errback with UrlTooLong (the
spider stores a failed capture with that reason) instead of being dropped without a record.
In a real crawl: tests/e2e/test_hostile.py."""
from __future__ import annotations

import asyncio

from scrapy import Request

from nianbao.crawler.middlewares.faults import UrlTooLong
from nianbao.crawler.middlewares.urllength import UrlLengthMiddleware
from tests.support.crawler import project_crawler


class Errback:
    """What the spider's errback is given, answering with one item per failure."""

    def __init__(self):
        self.failures = []

    def __call__(self, failure):
        self.failures.append(failure)
        yield {"failed": failure.request.url, "reason": f"{failure.type.__name__}: {failure.getErrorMessage()}"}


def _output(limit: int):
    crawler = project_crawler(URLLENGTH_LIMIT=limit)
    errback = Errback()
    short = Request("http://a.test/r.html", errback=errback)
    long = Request("http://a.test/upload/" + "%E9%99%84" * 20_000 + ".pdf", errback=errback)
    silent = Request("http://a.test/" + "x" * 200_000)                      # no errback: dropped
    return UrlLengthMiddleware.from_crawler(crawler), crawler, errback, [short, long, silent, {"item": 1}]


def test_a_url_over_the_limit_fails_with_its_reason_through_the_errback():
    mw, crawler, errback, result = _output(8192)
    out = list(mw.process_spider_output(None, iter(result)))
    short, long, _, item = result
    assert out[0] is short and out[2] is item and len(out) == 3
    assert out[1] == {"failed": long.url, "reason": f"UrlTooLong: URL of {len(long.url)} characters, "
                      "over the limit of 8192 (URLLENGTH_LIMIT): not requested"}
    (failure,) = errback.failures
    assert failure.check(UrlTooLong) and failure.request is long
    assert crawler.stats.get_value("urllength/request_ignored_count") == 2


def test_the_async_output_and_the_start_requests_are_checked_alike():
    mw, _, errback, result = _output(8192)

    async def gen():
        for o in result:
            yield o

    async def collect(agen):
        return [o async for o in agen]

    out = asyncio.run(collect(mw.process_spider_output_async(None, gen())))
    assert [o if not isinstance(o, dict) or "failed" not in o else "failed" for o in out] == \
        [result[0], "failed", result[3]]
    start = asyncio.run(collect(mw.process_start(gen())))
    assert len(start) == 3 and len(errback.failures) == 2
