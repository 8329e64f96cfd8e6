"""A readable diff of two report texts: changed lines, with the changed characters marked.

Report text has one paragraph or table row a line, so a line diff finds the changed
paragraphs; inside a replaced pair of lines a character diff marks what changed (Chinese
has no spaces, so a word diff would mark whole paragraphs). Output is plain data; the
page template escapes it.

Diffs are bounded and kept off the event loop (`diff_cached`): at most `MAX_LINES` lines
a side are compared, characters are compared only in lines of up to `MAX_LINE_CHARS`
and for at most `MAX_CHAR_BUDGET` characters a diff (two long versions once took 10 s
of a request loop everyone waits on), and the result is cached by the versions' keys.
"""
from __future__ import annotations

import asyncio
import difflib
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

MAX_LINES = 20_000
MAX_LINE_CHARS = 3_000
MAX_CHAR_BUDGET = 200_000
CACHE_SIZE = 64


@dataclass
class DiffLine:
    kind: str                                  # 'same' | 'removed' | 'added'
    old_no: int | None
    new_no: int | None
    pieces: list[tuple[str, bool]] = field(default_factory=list)   # (text, changed)


@dataclass
class Hunk:
    lines: list[DiffLine]
    skipped_before: int = 0                    # unchanged lines not shown above this hunk


@dataclass
class TextDiff:
    hunks: list[Hunk]
    added: int                                 # lines
    removed: int
    chars_added: int
    chars_removed: int
    truncated: bool = False                    # longer than MAX_LINES: the rest not compared

    @property
    def unchanged(self) -> bool:
        return not self.hunks


def _char_pieces(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]], int, int]:
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    a_pieces: list[tuple[str, bool]] = []
    b_pieces: list[tuple[str, bool]] = []
    added = removed = 0
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            a_pieces.append((old[i1:i2], False))
            b_pieces.append((new[j1:j2], False))
        else:
            if i2 > i1:
                a_pieces.append((old[i1:i2], True))
                removed += i2 - i1
            if j2 > j1:
                b_pieces.append((new[j1:j2], True))
                added += j2 - j1
    return a_pieces, b_pieces, added, removed


def diff_texts(old: str | None, new: str | None, context: int = 2) -> TextDiff:
    """Line diff of two texts with `context` unchanged lines around each change."""
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    truncated = len(a) > MAX_LINES or len(b) > MAX_LINES
    a, b = a[:MAX_LINES], b[:MAX_LINES]
    budget = MAX_CHAR_BUDGET
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks: list[Hunk] = []
    lines_added = lines_removed = chars_added = chars_removed = 0
    for group in sm.get_grouped_opcodes(context):
        hunk = Hunk(lines=[])
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    hunk.lines.append(DiffLine("same", i1 + k + 1, j1 + k + 1, [(a[i1 + k], False)]))
                continue
            old_lines, new_lines = a[i1:i2], b[j1:j2]
            lines_removed += len(old_lines)
            lines_added += len(new_lines)
            # Pair replaced lines one to one for a character diff; the rest stand whole.
            paired = min(len(old_lines), len(new_lines)) if tag == "replace" else 0
            removed_out, added_out = [], []
            for k in range(paired):
                size = len(old_lines[k]) + len(new_lines[k])
                if size > 2 * MAX_LINE_CHARS or size > budget:       # whole lines, not characters
                    ap, bp = [(old_lines[k], True)], [(new_lines[k], True)]
                    ca, cr = len(new_lines[k]), len(old_lines[k])
                else:
                    budget -= size
                    ap, bp, ca, cr = _char_pieces(old_lines[k], new_lines[k])
                chars_added += ca
                chars_removed += cr
                removed_out.append(DiffLine("removed", i1 + k + 1, None, ap))
                added_out.append(DiffLine("added", None, j1 + k + 1, bp))
            for k in range(paired, len(old_lines)):
                chars_removed += len(old_lines[k])
                removed_out.append(DiffLine("removed", i1 + k + 1, None, [(old_lines[k], True)]))
            for k in range(paired, len(new_lines)):
                chars_added += len(new_lines[k])
                added_out.append(DiffLine("added", None, j1 + k + 1, [(new_lines[k], True)]))
            hunk.lines.extend(removed_out + added_out)
        hunks.append(hunk)
    # How many unchanged lines each hunk skips, for "… N unchanged lines …" markers.
    prev_end = 0
    for hunk in hunks:
        first_old = next((ln.old_no for ln in hunk.lines if ln.old_no), prev_end + 1)
        hunk.skipped_before = max(0, first_old - 1 - prev_end)
        prev_end = max((ln.old_no for ln in hunk.lines if ln.old_no), default=prev_end)
    return TextDiff(hunks, lines_added, lines_removed, chars_added, chars_removed, truncated)


_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-diff")
_cache: OrderedDict[tuple, TextDiff] = OrderedDict()
_lock = threading.Lock()


async def diff_cached(key: tuple, old: str | None, new: str | None, context: int = 2) -> TextDiff:
    """`diff_texts` in a worker thread, cached by `key` (say the two versions' ids: a
    version's text never changes)."""
    full = (*key, context)
    with _lock:
        if full in _cache:
            _cache.move_to_end(full)
            return _cache[full]
    result = await asyncio.get_running_loop().run_in_executor(_POOL, diff_texts, old, new, context)
    with _lock:
        _cache[full] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result
