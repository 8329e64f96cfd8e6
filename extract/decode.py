"""Bytes to text without mojibake.

Order of evidence: byte-order mark, then the HTTP charset, then the page's meta charset,
then UTF-8 and the Chinese encodings; each candidate must decode cleanly *and* read like
Chinese (most characters among the common ones), because a GBK decoder accepts almost any
byte string and portals often declare the wrong charset. A detector is the last resort.
"""
from __future__ import annotations

import codecs
import re
from functools import lru_cache

from .memo import Recent

# Declared names mapped to the decoder that really reads such pages: gb2312/gbk pages
# routinely contain GBK/GB18030-only characters, big5 pages HKSCS ones.
CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "cp936": "gb18030", "ms936": "gb18030", "euc-cn": "gb18030", "csgb2312": "gb18030",
    "gb18030": "gb18030", "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "big5hkscs",
    "x-big5": "big5hkscs", "utf8": "utf-8", "unicode": "utf-8", "iso-8859-1": "cp1252",
    "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
# A candidate whose text has at least this share of common characters is accepted at once.
PLAUSIBLE = 0.9
# A decode with replacement characters is considered while they are below this share of the
# non-ASCII characters: corrupt runs, not a wrong codec (which replaces nearly everything).
MAX_REPLACED = 0.25


def normalize_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name if name not in ("gb18030", "big5hkscs") else name
    except LookupError:
        return None


def header_charset(headers: dict | None) -> str | None:
    """Charset parameter of a Content-Type header (keys matched case-insensitively)."""
    if not headers:
        return None
    for k, v in headers.items():
        if str(k).lower() == "content-type":
            if isinstance(v, (list, tuple)):
                v = v[0] if v else ""
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            m = _HTTP_CHARSET.search(str(v))
            return normalize_charset(m.group(1)) if m else None
    return None


def meta_charset(body: bytes) -> str | None:
    """Charset named by `<meta charset>` / `http-equiv` or an XML declaration near the top."""
    head = body[:8192]
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return normalize_charset(m.group(1).decode("ascii", "ignore")) if m else None


@lru_cache(maxsize=1)
def _common_chars() -> frozenset:
    """The 3,755 level-1 GB2312 hanzi, their Traditional forms, and common punctuation."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    try:
        import opencc
        chars |= set(opencc.OpenCC("s2t").convert("".join(sorted(chars))))
        chars |= set(opencc.OpenCC("s2tw").convert("".join(sorted(chars))))
    except Exception:  # pragma: no cover - opencc is a hard dependency; stay usable anyway
        pass
    chars |= set("，。、；：？！“”‘’（）《》【】〔〕…—·　「」『』％＋－×÷＝／０１２３４５６７８９"
                 "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ〇\xa0©®°±")
    return frozenset(chars)


def plausibility(text: str, sample: int = 4000) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    1.0 for pure-ASCII text. Mojibake (UTF-8 read as GBK, Big5 read as GBK, …) scores low.
    """
    odd = _NON_ASCII.findall(text, 0, min(len(text), 200_000))   # a page's head is evidence enough
    if not odd:
        return 1.0
    if len(odd) > sample:
        step = len(odd) // sample
        odd = odd[::step]
    common = _common_chars()
    return sum(map(common.__contains__, odd)) / len(odd)      # (a count, without a loop in Python)


def _try(body: bytes, codec: str) -> str | None:
    """Strict decode; a multi-byte character cut off by truncation at the very end is dropped."""
    try:
        return body.decode(codec)
    except LookupError:
        return None
    except UnicodeDecodeError as e:
        if e.start >= len(body) - 3:
            try:
                return body[:e.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None


# A page is decoded by the refusal check, the shell check and the extraction in turn: the
# decodings of the last pages are kept (pages up to MEMO_BYTES; the charset is the only
# thing of the headers a decoding reads).
_RECENT: Recent[tuple[str, str]] = Recent(32)
MEMO_BYTES = 1 << 20


def decode_body(body: bytes, headers: dict | None = None) -> tuple[str, str]:
    """Decode `body`; returns (text, codec name used). Never raises on bad bytes."""
    if isinstance(body, str):
        return body, "str"
    if len(body) > MEMO_BYTES:
        return _decode(body, headers)
    return _RECENT.get((bytes(body), header_charset(headers)), lambda: _decode(body, headers))


def _decode(body: bytes, headers: dict | None) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = _try(body, codec)
            if text is not None:
                return text, codec
    candidates: list[str] = []
    for c in (header_charset(headers), meta_charset(body), "utf-8", "gb18030", "big5hkscs"):
        if c and c not in candidates:
            candidates.append(c)
    scored: list[tuple[float, int, str, str]] = []
    for i, codec in enumerate(candidates):
        text = _try(body, codec)
        if text is None:
            continue
        score = plausibility(text)
        if score >= PLAUSIBLE:
            return text, codec
        scored.append((score, -i, codec, text))
    guess = _detector_guess(body)
    if guess and guess not in candidates:
        text = _try(body, guess)
        if text is not None:
            scored.append((plausibility(text), -len(candidates), guess, text))
    # Corrupt runs in an otherwise clean page (an include saved in another encoding, a
    # broken upload): replaced, as a browser does. Replacements cost score, but a page that
    # reads as Chinese around a few hundred of them beats a single-byte codepage that
    # "decodes" anything (a detector's guess for such a page) into gibberish.
    for i, codec in enumerate(candidates):
        text = body.decode(codec, "replace")
        bad = text.count("\ufffd")
        share = bad / max(1, len(_NON_ASCII.findall(text)))
        if share < MAX_REPLACED:
            scored.append((plausibility(text.replace("\ufffd", "")) - 2 * share, -i - 10,
                           codec + "+replace", text))
    if scored:
        score, _, codec, text = max(scored)
        return text, codec
    best = max(("utf-8", "gb18030"), key=lambda c: plausibility(body.decode(c, "replace")))
    return body.decode(best, "replace"), best + "+replace"


def _detector_guess(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        return None
    best = from_bytes(body[:65536]).best()
    return normalize_charset(best.encoding) if best else None
