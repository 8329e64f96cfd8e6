"""scrapy-playwright's download handler, bounded: a browser download ends, always.

Two changes to `ScrapyPlaywrightDownloadHandler`, both for pages that hang Chromium:

* no silent retries: scrapy-playwright re-runs a download whose page was closed under it
  ("Target closed", up to 3 times) in a new page of the same context. Our render
  watchdog closes a hung page and its context on purpose, so the retry ran into a context
  being closed, where `new_page()` sometimes never returned (the crawl hung for good) or,
  when it did, rendered the hanging page again and stored it as `200 ok`. Here a closed
  page fails its download, and `FaultReasonMiddleware` says why (RenderHung, or one
  retry in a fresh context for a crash);
* an overall deadline on every browser download (NIANBAO_RENDER_DEADLINE seconds; 0 =
  the render watchdog's time plus 15 s, so the watchdog names a hang first): a download
  past it is cancelled, its page and context are closed, and it fails as RenderHung.
"""
from __future__ import annotations

import asyncio
import logging

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from nianbao.crawler.middlewares.faults import RenderHung, close_render_page, render_watchdog

logger = logging.getLogger(__name__)


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.config.target_closed_max_retries = 0
        s = crawler.settings
        self.deadline = s.getfloat("NIANBAO_RENDER_DEADLINE") or render_watchdog(s) + 15

    async def _download_request(self, request, spider=None):
        try:
            return await asyncio.wait_for(super()._download_request(request, spider), self.deadline)
        except asyncio.TimeoutError:
            self.stats.inc_value("nianbao/faults/render_deadline")
            logger.warning("browser download of %s passed its %.0f s deadline; cancelled",
                           request.url, self.deadline)
            page = request.meta.get("playwright_page")
            if page is not None:
                await close_render_page(page)
            raise RenderHung(f"the browser download did not end within {self.deadline:.0f} s "
                             "and was cancelled") from None
