"""Traditional vs Simplified: detect by ratio, convert with the OpenCC config the text calls for.

A page counts as Traditional when a real share of its Han characters change under t2s (a
strict character-set test would misfire on the odd 乾/著/覆 of Simplified text). Taiwan
phrasing (網際網路, 最佳化, 入口網站) means the page was converted with s2twp, so `tw2sp`
undoes the phrases too; otherwise `t2s`, which maps characters and never rewrites words.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import rules

_HAN = re.compile(r"[\u4e00-\u9fff]")
TRADITIONAL_SHARE = 0.06   # share of Han characters that t2s changes
_SAMPLE = 6000


@lru_cache(maxsize=8)
def converter(config: str):
    import opencc
    return opencc.OpenCC(config)


@lru_cache(maxsize=65536)
def _is_traditional_char(c: str) -> bool:
    return converter("t2s").convert(c) != c


def traditional_share(text: str) -> float:
    han = _HAN.findall(text[: _SAMPLE * 3])[:_SAMPLE]
    if not han:
        return 0.0
    return sum(1 for c in han if _is_traditional_char(c)) / len(han)


def detect_script(text: str) -> str:
    """'traditional' or 'simplified' (of the source text)."""
    return "traditional" if traditional_share(text) >= TRADITIONAL_SHARE else "simplified"


def choose_config(text: str) -> str:
    """`tw2sp` when Taiwan phrases are present, else `t2s`."""
    return "tw2sp" if any(p in text for p in rules.TAIWAN_PHRASES) else "t2s"


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations ("發(fā)" -> "發"); keeps "(GDP)", "（一）" and the like."""
    return rules.PINYIN_ANNOTATION.sub("", text)


def to_simplified(text: str, config: str) -> str:
    return converter(config).convert(text) if text else text
