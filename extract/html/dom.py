"""An HTML page as a tree we can read: tolerant parsing, a fast selector matcher, and the
whitespace rules every reader of the page shares."""
from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

_STRAY_END = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
WS = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


class SelectorSet:
    """Simple selectors matched in one pass over a tree (much faster than one XPath each)."""

    def __init__(self, selectors: list[str]):
        self.selectors = list(selectors)
        self.by_tag: dict[str, list[int]] = {}
        self.by_id: dict[str, list[int]] = {}
        self.by_class: dict[str, list[int]] = {}
        self.constraint: list[str | None] = []
        for i, sel in enumerate(self.selectors):
            m = re.fullmatch(r"([a-zA-Z][\w-]*)?(?:([.#])([\w:-]+))?", sel.strip())
            if not m:
                raise ValueError(f"unsupported selector {sel!r}")
            tag, kind, name = m.group(1), m.group(2), m.group(3)
            self.constraint.append(tag.lower() if tag and kind else None)
            if kind == "#":
                self.by_id.setdefault(name, []).append(i)
            elif kind == ".":
                self.by_class.setdefault(name, []).append(i)
            else:
                self.by_tag.setdefault(tag.lower(), []).append(i)

    def match(self, el) -> list[int]:
        tag = el.tag
        if not isinstance(tag, str):
            return []
        hits = list(self.by_tag.get(tag.lower(), ()))
        i = el.get("id")
        if i and i in self.by_id:
            hits += self.by_id[i]
        c = el.get("class")
        if c:
            for tok in c.split():
                if tok in self.by_class:
                    hits += self.by_class[tok]
        if hits and any(self.constraint[h] for h in hits):
            hits = [h for h in hits if not self.constraint[h] or self.constraint[h] == tag.lower()]
        return hits

    def find(self, root, include_root: bool = True) -> dict[int, list]:
        """Matches by selector index, in document order."""
        out: dict[int, list] = {}
        for el in root.iter():
            if el is root and not include_root:
                continue
            for h in self.match(el):
                out.setdefault(h, []).append(el)
        return out

    def matches_any(self, root, include_root: bool = False) -> list:
        return [el for el in root.iter() if (include_root or el is not root) and self.match(el)]


def repair_markup(html: str) -> str:
    """Drop `</body>`/`</html>` tags: a header include that closes the document mid-page
    makes parsers discard everything after it; parsers do not need the real ones either."""
    html = _XML_DECL.sub("", html, count=1)
    return _STRAY_END.sub("", html)


_INLINE_TAGS = re.compile(r"</?(?:font|span|b|i|u|em|strong|small|big|sup|sub|o:p|st1:[\w]+)(?:\s[^>]*)?/?>", re.I)


def parse_html(html: str):
    """lxml document for (repaired) HTML; an empty `<html>` for input with no markup.

    Word-pasted bodies can nest thousands of unclosed <font>/<span> tags; past libxml2's
    depth limit the rest of the page is dropped, so such a page is parsed again without
    its inline formatting tags (they carry no text structure)."""
    html = repair_markup(html)
    if not html.strip():
        return lxml_html.document_fromstring("<html><body></body></html>")
    parser = lxml_html.HTMLParser()
    try:
        tree = lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml_html.document_fromstring("<html><body></body></html>")
    if any("Excessive depth" in e.message for e in parser.error_log):
        try:
            tree = lxml_html.document_fromstring(_INLINE_TAGS.sub("", html), parser=lxml_html.HTMLParser(huge_tree=True))
        except (etree.ParserError, ValueError):
            pass
    return tree


def norm_inline(s: str) -> str:
    """Collapse whitespace; drop spaces between CJK characters (source line wraps)."""
    s = WS.sub(" ", s).strip()
    return _CJK_GAP.sub("", s) if " " in s else s


def text_len(el) -> int:
    """Characters of an element's text, whitespace not counted."""
    return len(WS.sub("", el.text_content()))


def drop_element(el) -> None:
    """Remove an element but keep its tail text (it belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
