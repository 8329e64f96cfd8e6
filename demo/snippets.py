"""Bits of page markup the portal families share, and OpenCC conversion loaded on demand."""
from __future__ import annotations

import threading
from typing import Callable

from nianbao.demo.content import esc


def list_items_html(arts: list[tuple[str, str, str]], cls: str = "list") -> str:
    """<ul> of (title, href, date) the way CMS list pages print them."""
    li = "".join(f'<li><a href="{esc(h)}" target="_blank" title="{esc(t)}">{esc(t)}</a>'
                 f'<span class="date">{esc(d)}</span></li>' for t, h, d in arts)
    return f'<ul class="{cls}">{li}</ul>'


def hub_links_html(heading: str, links: list[tuple[str, str]], cls: str = "xxgk", tail: str = "") -> str:
    """The 信息公开 hub page's box: a heading and a link (title, href) a column."""
    li = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for t, h in links)
    return f'<div class="{cls}"><h2>{esc(heading)}</h2><ul>{li}{tail}</ul></div>'


Converter = Callable[[str], str]


def opencc_converter(config: str) -> Converter:
    """An OpenCC conversion loaded on first use (its dictionaries are slow to load; most
    runs never need them) and used under a lock, as portals answer from many threads."""
    conv = None
    lock = threading.Lock()

    def convert(text: str) -> str:
        nonlocal conv
        with lock:
            if conv is None:
                import opencc
                conv = opencc.OpenCC(config)
            return conv.convert(text)

    return convert
