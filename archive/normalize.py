"""What counts as "the same text" for versioning.

A version is a change of the extracted text a reader would notice, not of chrome that
slipped through extraction: view counters (浏览次数：123), whitespace, full-width vs
half-width forms. The normalized form is only hashed, never shown.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

# Counters and timestamps that change on every fetch without changing the report.
_CHURN = re.compile(
    r"(浏览次数|瀏覽次數|浏览量|瀏覽量|阅读次数|閱讀次數|阅读量|閱讀量|点击数|點擊數|点击量|點擊量|"
    r"访问量|訪問量|访问次数|訪問次數|访问人数|浏览|瀏覽|阅读|閱讀|点击|點擊)\s*[:：]?\s*\d+\s*(次|人次)?"
)
_SPACE = re.compile(r"\s+")


def normalize_text(text: str | None) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    t = _CHURN.sub("", t)
    return _SPACE.sub("", t)


def text_hash(text: str | None) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
