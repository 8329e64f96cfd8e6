"""Survive broken servers and browsers: every fetch ends as a response or as a failure
whose reason says what went wrong, and the crawl goes on.

Scrapy already retries timeouts, resets and data loss (RetryMiddleware) and caps body size
(DOWNLOAD_MAXSIZE); BackoffMiddleware handles 429/503. What is left is here:

* `FaultGuardMiddleware` (runs next to the downloader, before the redirect middleware):
  - redirect loops (a chain that comes back to a URL it already visited) fail as
    `RedirectLoop` instead of bouncing until the redirect limit or vanishing in the
    duplicate filter;
  - a watchdog on every browser render: a page that hangs Chromium (a script spinning
    forever blocks even `page.evaluate`) is closed after NIANBAO_RENDER_WATCHDOG seconds,
    and a renderer crash is noticed through the page's `crash` event; the page and context
    of any failed render are closed, so its browser-context slot is freed.
* `BinaryBodyMiddleware` (after decompression, before the render middleware): binary
  bodies served as text (an image or random bytes labelled text/html) fail as
  `BinaryBody` instead of being parsed, extracted, or even rendered in a browser;
  mislabelled documents (PDF, Word, Office zip) pass, the extractor knows them by magic;
  a stray NUL byte in a text page does not make it binary.
* `FaultReasonMiddleware` (runs after RetryMiddleware has given up): turns Scrapy's terse
  exceptions into reasons a reader of the archive understands (`ResponseTooLarge`,
  `TruncatedBody`), retries a crashed render once in a fresh browser context, and reports
  a hung or crashed render as `RenderHung` / `RenderCrashed`.

Two more faults are raised elsewhere: `DecompressedTooLarge` (a body that inflates past the
size cap; crawler/middlewares/compression.py) and `UrlTooLong` (a link over URLLENGTH_LIMIT;
crawler/middlewares/urllength.py). An empty 2xx body is an error of the spider's own
(`EmptyBody`, crawler/spiders/captures.py).

The spider's errback stores each as a failed capture: "<ExceptionName>: <reason>".
Counts go to the stats as `nianbao/faults/<name>`.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from urllib.parse import urljoin

from scrapy.exceptions import DownloadCancelledError, ResponseDataLossError

logger = logging.getLogger(__name__)


class FetchFault(Exception):
    """A fetch that cannot give a usable page; the message is the reason stored."""


class BinaryBody(FetchFault):
    pass


class RedirectLoop(FetchFault):
    pass


class ResponseTooLarge(FetchFault):
    pass


class TruncatedBody(FetchFault):
    pass


class DecompressedTooLarge(FetchFault):
    """A compressed body that inflates past the size cap (crawler/middlewares/compression.py)."""


class UrlTooLong(FetchFault):
    """A link whose URL is over URLLENGTH_LIMIT, never requested (crawler/middlewares/urllength.py)."""


class RenderCrashed(FetchFault):
    pass


class RenderHung(FetchFault):
    pass


_TEXT_TYPES = (b"text/", b"application/xhtml", b"application/xml", b"application/json")
# Documents often served with a wrong type; the extractor recognises them by magic bytes.
_DOCUMENT_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"{\\rtf")
_BINARY_MAGIC = {b"\x89PNG": "PNG image", b"GIF8": "GIF image", b"\xff\xd8\xff": "JPEG image",
                 b"\x1f\x8b": "gzip data", b"Rar!": "RAR archive", b"7z\xbc\xaf": "7-Zip archive",
                 b"\x00\x00\x01\x00": "icon", b"RIFF": "RIFF media", b"\x7fELF": "executable",
                 b"MZ": "executable"}
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13, 27})


def binary_kind(body: bytes) -> str | None:
    """What binary thing `body` is ("PNG image", "binary data"), or None for text/documents."""
    head = body[:4096]
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):     # empty, or UTF-16 text
        return None
    if head.lstrip().startswith(_DOCUMENT_MAGIC):
        return None
    for magic, name in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return name
    # a stray NUL or control byte in a text page is a flaw of the page, not binary data
    controls = len(head) - len(head.translate(None, _CONTROL))     # (counted in C: every answer)
    return "binary data" if controls > len(head) * 0.05 else None


def render_watchdog(settings) -> float:
    """Seconds a render may take before the watchdog closes its page: NIANBAO_RENDER_WATCHDOG,
    or (when 0) the navigation timeout plus the render timeout plus 15 s."""
    nav = settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") / 1000
    return (settings.getfloat("NIANBAO_RENDER_WATCHDOG")
            or nav + settings.getfloat("NIANBAO_RENDER_TIMEOUT") + 15)


class BinaryBodyMiddleware:
    """Binary bodies served as text fail as BinaryBody (order ~588: after
    HttpCompressionMiddleware has decompressed the body, before the render middleware
    would open a browser on it)."""

    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        ctype = (response.headers.get(b"Content-Type") or b"").lower()
        if response.status == 200 and ctype.startswith(_TEXT_TYPES):
            kind = binary_kind(response.body)
            if kind:
                self.stats.inc_value("nianbao/faults/binary_body")
                raise BinaryBody(f"{kind} ({len(response.body)} bytes) served as "
                                 f"{ctype.decode('latin-1')}")
        return response


class FaultGuardMiddleware:
    """Redirect loops and the render watchdog (order ~960: sees answers first)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.watchdog = render_watchdog(crawler.settings)
        self._tokens = itertools.count(1)
        self._renders: dict[int, dict] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _fault(self, name: str) -> None:
        self.stats.inc_value(f"nianbao/faults/{name}")

    # -- requests: arm the watchdog of a render --------------------------------------------
    def process_request(self, request, spider=None):
        meta = request.meta
        if meta.get("playwright") and "nianbao_render_token" not in meta:
            self._arm(meta)
        return None

    def _arm(self, meta: dict) -> None:
        token = next(self._tokens)
        meta["nianbao_render_token"] = token
        # a retried render keeps the page init callback it was given first, not our wrapper
        inner = meta.setdefault("nianbao_render_init", meta.get("playwright_page_init_callback"))

        async def init(page, request):
            # a render is one request: what happened to an earlier page of it stays known
            earlier = self._renders.get(token) or {}
            state = {"page": page, "crashed": earlier.get("crashed", False),
                     "hung": earlier.get("hung", False)}
            self._renders[token] = state
            page.on("crash", lambda *_: state.update(crashed=True))
            state["timer"] = asyncio.get_running_loop().call_later(
                self.watchdog, lambda: asyncio.ensure_future(self._expire(token)))
            if callable(inner):
                await inner(page, request)

        meta["playwright_page_init_callback"] = init

    async def _expire(self, token: int) -> None:
        state = self._renders.get(token)
        if state is None:
            return
        state["hung"] = True
        logger.warning("render watchdog: %s still rendering after %.0fs, closing the page",
                       state["page"].url, self.watchdog)
        await close_render_page(state["page"])

    def _disarm(self, meta: dict) -> dict | None:
        state = self._renders.pop(meta.get("nianbao_render_token"), None)
        if state is not None and state.get("timer") is not None:
            state["timer"].cancel()
        return state

    # -- responses -------------------------------------------------------------------------
    def process_response(self, request, response, spider=None):
        state = self._disarm(request.meta)
        if state and state["hung"]:
            # the watchdog closed the page: whatever answer came back is not the content
            self.stats.inc_value("nianbao/faults/render_hung")
            raise RenderHung("the page kept the browser busy past the render watchdog "
                             f"({self.watchdog:.0f} s) and was closed")
        if state and state["crashed"]:
            self.stats.inc_value("nianbao/faults/render_crashed")
            raise RenderCrashed("the browser page crashed while rendering")
        if 300 <= response.status < 400 and response.headers.get(b"Location"):
            self._check_redirect(request, response)
        return response

    def _check_redirect(self, request, response) -> None:
        location = response.headers[b"Location"].decode("latin-1")
        target = urljoin(request.url, location)
        chain = list(request.meta.get("redirect_urls") or []) + [request.url]
        if target in chain:
            self._fault("redirect_loop")
            loop = chain[chain.index(target):] + [target]
            raise RedirectLoop("redirect loop: " + " -> ".join(loop))

    async def process_exception(self, request, exception, spider=None):
        state = self._disarm(request.meta)
        if state is not None:
            if state["crashed"] or state["hung"]:
                request.meta["nianbao_render_fault"] = "hung" if state["hung"] else "crashed"
            # a failed render never hands its page to the render middleware: close it and its
            # context here, or the context keeps one of the PLAYWRIGHT_MAX_CONTEXTS slots forever
            await close_render_page(state["page"])
        return None


async def close_render_page(page) -> None:
    """Close a render's page and its own context (each render has one)."""
    try:
        context = page.context
        if not page.is_closed():
            await page.close()
        await context.close()
    except Exception as exc:  # already gone with its browser
        logger.debug("closing a failed render: %s", exc)


class FaultReasonMiddleware:
    """Clear reasons for what RetryMiddleware gave up on; one retry for a crashed render
    (order ~540, below RetryMiddleware)."""

    def __init__(self, crawler):
        s = crawler.settings
        self.stats = crawler.stats
        self.maxsize = s.getint("DOWNLOAD_MAXSIZE")
        self.render_retries = s.getint("NIANBAO_RENDER_CRASH_RETRIES")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception, spider=None):
        meta = request.meta
        render_fault = meta.get("nianbao_render_fault")
        if render_fault == "crashed" or (meta.get("playwright") and "crash" in str(exception).lower()):
            tries = meta.get("nianbao_render_crashes", 0)
            self.stats.inc_value("nianbao/faults/render_crashed")
            if tries < self.render_retries:
                logger.info("render of %s crashed, retrying in a fresh context", request.url)
                retry = request.replace(dont_filter=True)
                retry.meta["nianbao_render_crashes"] = tries + 1
                retry.meta.pop("nianbao_render_token", None)
                retry.meta.pop("nianbao_render_fault", None)
                if retry.meta.get("playwright_context"):
                    retry.meta["playwright_context"] = f"{retry.meta['playwright_context']}-r{tries + 1}"
                self.stats.inc_value("nianbao/faults/render_retried")
                return retry
            raise RenderCrashed(f"the browser page crashed while rendering ({tries + 1} attempts): "
                                f"{_first_line(exception)}") from exception
        if render_fault == "hung":
            self.stats.inc_value("nianbao/faults/render_hung")
            raise RenderHung("the page kept the browser busy past the render watchdog and was "
                             f"closed: {_first_line(exception)}") from exception
        if isinstance(exception, DownloadCancelledError):
            size = meta.get("download_maxsize", self.maxsize)
            self.stats.inc_value("nianbao/faults/too_large")
            raise ResponseTooLarge(f"body larger than the size cap (DOWNLOAD_MAXSIZE = {size} bytes)"
                                   + (f": {exception}" if str(exception) else "")) from exception
        if isinstance(exception, ResponseDataLossError):
            self.stats.inc_value("nianbao/faults/truncated")
            raise TruncatedBody("the connection closed before the whole body arrived (shorter than "
                                "its Content-Length or chunking)"
                                + (f": {exception}" if str(exception) else "")) from exception
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]

