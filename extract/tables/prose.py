"""Figures of reports without tables (up to 2018): the one their prose states, how many
disclosure applications were received."""
from __future__ import annotations

import re

from ..document import Figure

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(\d[\d,，]*|[零〇一二两三四五六七八九十百千]+)"
_KIND = r"(?:政府信息公开|信息公开|依申请公开)"
_PROSE = [
    re.compile(r"(?:收到|受理|接收|接到)[^。；;，,\d]{0,12}?" + _KIND + r"[^。；;\d]{0,4}?申请[^。；;\d]{0,6}?"
               + _NUM + r"\s*(?:件|个|份|宗|条|次)"),
    re.compile(r"(?:收到|受理|接收|接到)[^。；;，,\d]{0,6}?" + _NUM + r"\s*(?:件|个|份|宗|条)[^。；;，,\d]{0,8}?"
               + _KIND + r"[^。；;，,\d]{0,4}?申请"),
    re.compile(_KIND + r"申请[^。；;，,\d]{0,6}?(?:共计|共|合计|总计)" + _NUM + r"\s*(?:件|个|份|宗|条)"),
    re.compile(r"(?:收到|受理|接收|接到)[^。；;，,\d]{0,12}?(?:依申请公开|申请公开)(?:的)?(?:政府)?信息"
               r"[^。；;，,\d]{0,4}?" + _NUM + r"\s*(?:件|个|份|宗|条)"),
]
_PROSE_NONE = re.compile(r"(?:未|没有)(?:收到|受理|接到|发生)[^。；;，,\d]{0,8}?" + _KIND
                         + r"[^。；;，,\d]{0,4}?申请(?:的情况)?(?=[。；;，,]|$)")
_SENTENCE = re.compile(r"[^。；;！!\n]+[。；;！!]?")


def _zh_number(s: str) -> int | None:
    s = s.replace(",", "").replace("，", "")
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            cur = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (cur or 1) * _ZH_UNITS[ch]
            cur = 0
        else:
            return None
    return total + cur


def prose_requests_received(text: str) -> Figure | None:
    """The first sentence stating how many disclosure applications were received."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0).strip()
        if "申请" not in sentence:
            continue
        for pat in _PROSE:
            hit = pat.search(sentence)
            if hit:
                value = _zh_number(hit.group(1))
                if value is not None:
                    return Figure(table=0, row_key="requests_new", col_key="total", value=value,
                                  raw=hit.group(1), row_label=hit.group(0), col_label="", source=sentence)
        hit = _PROSE_NONE.search(sentence)
        if hit:
            return Figure(table=0, row_key="requests_new", col_key="total", value=0, raw=hit.group(0),
                          row_label=hit.group(0), source=sentence)
    return None


