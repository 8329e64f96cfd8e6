"""Traditional vs Simplified: detect by ratio, convert with the OpenCC config the text calls for.

A page counts as Traditional when a real share of its Han characters change under t2s (a
strict character-set test would misfire on the odd 乾/著/覆 of Simplified text). Taiwan
phrasing (網際網路, 最佳化, 入口網站) means the page went through s2twp: its phrases are
mapped back with a conservative table (`rules.TAIWAN_PHRASE_MAP`) and the characters with
`tw2s`; OpenCC's `tw2sp` is not used because it also rewrites words mainland reports use
(執行 -> 运行, 指標 -> 指针). Otherwise `t2s`, which maps characters and never rewrites words.
In both cases a Traditional 著 becomes 着 unless it is part of a 著-word (著作, 显著, …).
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
    """'tw2s+phrases' when Taiwan phrases are present, else 't2s'."""
    return "tw2s+phrases" if any(p in text for p in rules.TAIWAN_PHRASES) else "t2s"


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations ("發(fā)" -> "發"); keeps "(GDP)", "（一）" and the like."""
    return rules.PINYIN_ANNOTATION.sub("", text)


_ZHU_KEEP = re.compile("|".join(map(re.escape, rules.ZHU_KEEP_WORDS)))


def _zhu(text: str) -> str:
    """著 -> 着 outside the 著-words."""
    if "著" not in text:
        return text
    out, pos = [], 0
    for m in _ZHU_KEEP.finditer(text):
        out.append(text[pos:m.start()].replace("著", "着"))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].replace("著", "着"))
    return "".join(out)


def to_simplified(text: str, config: str) -> str:
    """Simplified text of a Traditional `text` with the config `choose_config` picked."""
    if not text:
        return text
    if config == "tw2s+phrases":
        for tw, cn in rules.TAIWAN_PHRASE_MAP:
            text = text.replace(tw, cn)
        return _zhu(converter("tw2s").convert(text))
    return _zhu(converter(config).convert(text))
