"""Chinese text as the search index stores it: Han runs as overlapping character bigrams
(公开信息 -> 公开 开信 信息 息), everything else as unicode61 sees it; queries tokenized
the same way, and tried in Simplified script too (OpenCC t2s and tw2sp)."""
from __future__ import annotations

import functools
import operator
import re
import unicodedata

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
# What unicode61 keeps as a token: letters and digits (underscore is a separator).
_WORD = re.compile(r"[^\W_]+")


def _bigram_run(run: str) -> str:
    """公开信息 -> '公开 开信 信息 息': one token per character, the last one alone."""
    return " ".join(map(operator.add, run[:-1], run[1:])) + " " + run[-1] if len(run) > 1 else run


def index_text(text: str | None) -> str:
    """The form a column is stored in the index: Han runs as bigram tokens, rest as is."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return _HAN_RUN.sub(lambda m: " " + _bigram_run(m.group()) + " ", text)


def query_tokens(term: str) -> tuple[list[str], bool]:
    """Tokens of one query term in index order, and whether the last one is a prefix.

    A term ending in a Han run of two or more characters drops the run's lone last
    character (the bigram before it already pins it); a term that is one Han character
    at its end becomes a prefix token, matching that character before anything.
    """
    term = unicodedata.normalize("NFKC", term)
    tokens: list[str] = []
    prefix = False
    words = list(_WORD.finditer(term))
    for i, m in enumerate(words):
        word = m.group()
        last_word = i == len(words) - 1
        # Split a word into Han runs and other runs, the way index_text separates them.
        pos = 0
        for run in _HAN_RUN.finditer(word):
            if run.start() > pos:
                tokens.append(word[pos:run.start()].lower())
            r = run.group()
            at_end = last_word and run.end() == len(word)
            if at_end:
                if len(r) == 1:
                    tokens.append(r)
                    prefix = True
                else:
                    tokens.extend(a + b for a, b in zip(r, r[1:]))
            else:
                tokens.extend(a + b for a, b in zip(r, r[1:]))
                tokens.append(r[-1])
            pos = run.end()
        if pos < len(word):
            tokens.append(word[pos:].lower())
    return tokens, prefix


@functools.lru_cache(maxsize=4)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(f"{config}.json")


def simplified_variants(text: str) -> list[str]:
    """The text as typed plus its Simplified forms (t2s, Taiwan phrases), deduplicated."""
    out = [text]
    for config in ("t2s", "tw2sp"):
        converted = _converter(config).convert(text)
        if converted not in out:
            out.append(converted)
    return out


