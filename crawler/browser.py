"""Debian's Chromium as nianbao launches it, in one place: the crawler's scrapy-playwright
settings, the browser tests and the benches all start the same binary with the same flags.

Playwright's bundled browsers are not used (no download at install time); a missing
/usr/bin/chromium is a clear FileNotFoundError, so a browser test fails instead of skipping.
"""
from __future__ import annotations

from pathlib import Path

CHROMIUM_PATH = "/usr/bin/chromium"
# Headless in a container, no phoning home: no sandbox, no GPU, no background updates or
# sync that would add requests we did not make. Names under `.test` (reserved for testing,
# RFC 2606: the sample portals' names) go to the loopback address, as the crawler's own
# resolver sends them (crawler/resolver.py); no real site has such a name.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.test 127.0.0.1",
)


def require_chromium() -> str:
    """The Chromium path, or FileNotFoundError saying what to install."""
    if not Path(CHROMIUM_PATH).exists():
        raise FileNotFoundError(f"{CHROMIUM_PATH} is missing: install Debian's chromium")
    return CHROMIUM_PATH


def launch_options(*extra_args: str) -> dict:
    """Keyword arguments for `playwright.chromium.launch` (sync or async API)."""
    return {"executable_path": CHROMIUM_PATH, "headless": True,
            "args": [*CHROMIUM_ARGS, *extra_args]}


def launch(playwright, **options):
    """Debian's Chromium from a sync Playwright (`with sync_playwright() as p: launch(p)`)."""
    require_chromium()
    return playwright.chromium.launch(**launch_options(), **options)


def render_html(urls: list[str]) -> dict[str, bytes]:
    """The rendered DOM (UTF-8) of each URL once the network is idle, one page reused."""
    if not urls:
        return {}
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            for url in urls:
                page.goto(url, wait_until="networkidle")
                out[url] = page.content().encode("utf-8")
        finally:
            browser.close()
    return out
