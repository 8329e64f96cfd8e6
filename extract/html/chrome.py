"""Page furniture: elements (`rules.CHROME_SELECTORS`, the 信息公开目录 info box, hidden
blocks) removed from a tree, and short lines (`rules.CHROME_LINE_PATTERNS`) removed from
the text."""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from .. import rules
from ..script import converter
from .dom import WS, SelectorSet, drop_element, text_len

CHROME = SelectorSet(rules.CHROME_SELECTORS)
_INFO_LABEL_RES = [re.compile(p) for p in rules.INFO_LABELS.values()]
_INFO_PRIMARY = re.compile("|".join(rules.INFO_LABELS[k] for k in ("index_no", "publisher", "topic")))
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def is_info_block(el) -> bool:
    """The 信息公开目录 box (索引号 / 发布机构 / 主题分类 …) around an article."""
    text = el.text_content()
    if len(text) > 600:
        return False
    if not _INFO_PRIMARY.search(text):
        return False
    return sum(1 for r in _INFO_LABEL_RES if r.search(text)) >= rules.INFO_MIN_LABELS


def remove_chrome(root, local: bool) -> None:
    """Remove furniture elements under `root` (`local`: only descendants of root)."""
    for el in CHROME.matches_any(root):
        if el is root or el.getparent() is None:
            continue
        # Never drop a large block of prose because of a generic class name.
        if el.tag not in ("script", "style", "noscript", "template") and text_len(el) > 1500:
            continue
        drop_element(el)
    for el in _info_blocks(root):
        if el is not root and el.getparent() is not None:
            drop_element(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el is root or el.getparent() is None:
            continue
        style = el.get("style")
        if style and _HIDDEN.search(style):
            drop_element(el)
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        if el.getparent() is not None:
            drop_element(el)


_INFO_HINT_XP = etree.XPath(
    ".//text()[contains(., '索引号') or contains(., '发布机构') or contains(., '主题分类')"
    " or contains(., '发文机关') or contains(., '成文日期') or contains(., '文号')]")


def _info_blocks(root) -> list:
    """Outermost table/ul/dl/div around info labels that is still a small info box."""
    blocks = []
    seen = set()
    for t in _INFO_HINT_XP(root):
        el = t.getparent()
        best = None
        for _ in range(6):
            if el is None or el is root:
                break
            if el.tag in ("table", "ul", "dl", "div", "tbody") and is_info_block(el) and not _holds_prose(el):
                best = el
            el = el.getparent()
        if best is not None and id(best) not in seen:
            seen.add(id(best))
            blocks.append(best)
    return blocks


def _holds_prose(el) -> bool:
    return any(len(WS.sub("", p.text_content())) > 120 for p in el.iter("p"))


def is_chrome_line(line: str) -> bool:
    """A short line of page furniture (patterns in `rules`; a Traditional line is checked
    in its Simplified form too, so one pattern set serves both scripts)."""
    if len(line) > rules.CHROME_LINE_MAX:
        return False
    return _chrome_short_line(line)


@lru_cache(maxsize=16384)
def _chrome_short_line(line: str) -> bool:
    pats = rules.COMPILED_CHROME_LINES
    if any(p.search(line) for p in pats):
        return True
    if line.isascii():
        return False
    simp = converter("t2s").convert(line)
    return simp != line and any(p.search(simp) for p in pats)


_INFO_LINE = re.compile(r"^(?:%s)\s*[:：]" % "|".join(rules.INFO_LABELS.values()))


def _layout_row(line: str) -> str:
    """A short row of a layout table ("【推荐<TAB>】") read as the line it shows; "" for
    a row of real cells, which is never chrome."""
    joined = line.replace("\t", "")
    return joined if len(joined) <= 20 and not any(ch.isdigit() for ch in joined) else ""


def clean_lines(lines: list[str], title: str = "") -> list[str]:
    """Drop chrome lines, a leading repeat of the title, and repeated paragraphs (a
    repeated 信息公开目录 line, however short, too)."""
    out: list[str] = []
    seen: set[str] = set()
    tkey = WS.sub("", title)
    for line in lines:
        if is_chrome_line(line if "\t" not in line else _layout_row(line)):
            continue
        key = WS.sub("", line)
        if not key:
            continue
        if tkey and not out and key == tkey:
            continue
        if "\t" not in line and (len(key) >= 10 or _INFO_LINE.match(key)):
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return out


