"""A request is done when its callback's output is consumed and its items left the
pipelines — not before, whichever comes last, sync or async callbacks, errbacks too."""
from __future__ import annotations

import asyncio

from scrapy import Request, signals
from scrapy.http import HtmlResponse

from nianbao.crawler.tracking import OutputTracker
from tests.support.crawler import project_crawler


def _setup():
    crawler = project_crawler()
    done = []
    return crawler, OutputTracker(crawler, done.append), done


def _response(request):
    return HtmlResponse(request.url, body=b"<html></html>", request=request)


def test_done_after_output_and_items():
    crawler, tracker, done = _setup()
    item = {"url": "x"}

    def parse(response):
        yield Request("http://a.test/next")
        yield item

    req = Request("http://a.test/", callback=parse)
    tracker.track(req, "k1")
    out = list(req.callback(_response(req)))
    assert len(out) == 2 and done == []           # the item is still in the pipelines
    crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=None)
    assert done == ["k1"]


def test_item_finished_before_output_closed_waits_for_the_output():
    crawler, tracker, done = _setup()
    item = {"url": "y"}

    def parse(response):
        yield item
        yield Request("http://a.test/more")

    req = Request("http://a.test/", callback=parse)
    tracker.track(req, "k2")
    gen = req.callback(_response(req))
    assert next(gen) is item
    crawler.signals.send_catch_log(signals.item_dropped, item=item, response=None, spider=None,
                                   exception=None)
    assert done == []                             # the output still yields
    list(gen)
    assert done == ["k2"]


def test_no_output_errback_and_async_callbacks():
    crawler, tracker, done = _setup()
    req = Request("http://a.test/", callback=lambda r: None, errback=lambda f: None)
    tracker.track(req, "none")
    req.callback(_response(req))
    assert done == ["none"]
    req2 = req.replace(url="http://a.test/retry")          # a re-issue keeps the tracking
    tracker.track(req2, "other")
    req2.errback(None)
    assert done == ["none", "none"]

    async def parse(response):
        yield {"n": 1}

    req3 = Request("http://a.test/async", callback=parse)
    tracker.track(req3, "k3")

    async def consume():
        return [x async for x in req3.callback(_response(req3))]
    (item,) = asyncio.run(consume())
    assert done == ["none", "none"]
    crawler.signals.send_catch_log(signals.item_error, item=item, response=None, spider=None,
                                   failure=None)
    assert done[-1] == "k3"
