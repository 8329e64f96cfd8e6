"""One page image read: ruled tables cell by cell, the rest as text lines.

Whole-page OCR loses what makes a report table useful: a cell holding a single "0" is too
small for text detection and vanishes, and the row a number belongs to is lost. So the
table's rules are found first (OpenCV line morphology), each merged cell is cut out
along them and its text lines recognised on their own (a cell with no ink is blank, not
0). The prose around the tables then goes through detection and recognition.
"""
from __future__ import annotations

import re
import unicodedata

import cv2
import numpy as np

from ..tables.ruled import CellLayout, ruled_tables
from .engines import TextLine
from .image import prepare
from .result import OcrLine, OcrPage, OcrTable

_MIN_INK = 12           # ink pixels below which a cell is blank (JPEG speckle)
_PAD = 6


def _segments(mask: np.ndarray, horizontal: bool) -> dict[tuple[float, float, float], tuple[int, int, int, int]]:
    """Rule segments of a line mask, each with its box (x, y, w, h)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = {}
    for x, y, w, h, _a in stats[1:n]:
        seg = (y + h / 2, float(x), float(x + w)) if horizontal else (x + w / 2, float(y), float(y + h))
        out[seg] = (int(x), int(y), int(w), int(h))
    return out


def rule_masks(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical line candidates of an ink mask: runs longer than a stroke
    of table text (small breaks a scan leaves in a rule closed first)."""
    h, w = binary.shape
    hk, vk = max(30, w // 30), max(30, h // 70)

    def runs(kernel_close, kernel_open):
        m = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel_close))
        return cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel_open))

    return runs((7, 1), (hk, 1)), runs((1, 7), (1, vk))


def _framed(hs, vs, tol: float) -> bool:
    """A table has a frame: two rules across its whole width and two down its whole
    height (crossing strokes of large title characters have none)."""
    x0, x1 = min(a for _, a, _ in hs), max(b for _, _, b in hs)
    y0, y1 = min(a for _, a, _ in vs), max(b for _, _, b in vs)
    full_h = sum(1 for _, a, b in hs if b - a >= 0.9 * (x1 - x0) - tol)
    full_v = sum(1 for _, a, b in vs if b - a >= 0.9 * (y1 - y0) - tol)
    return full_h >= 2 and full_v >= 2 and x1 - x0 > 100 and y1 - y0 > 40


def _tables(binary: np.ndarray) -> tuple[list[CellLayout], np.ndarray]:
    """Ruled tables (crossing rules; strokes of prose never cross a table's rules) and a
    mask of their rules."""
    horiz, vert = rule_masks(binary)
    hseg, vseg = _segments(horiz, True), _segments(vert, False)
    tol = max(4.0, binary.shape[1] / 300)
    layouts = []
    rules = np.zeros_like(binary)
    for hs, vs in ruled_tables(list(hseg), list(vseg), tol):
        lay = CellLayout(hs, vs, tol)
        if len(lay.keys) < 2 or len(lay.keys[0]) < 2 or not _framed(hs, vs, tol):
            continue
        layouts.append(lay)
        for seg in hs:
            x, y, w, h = hseg[seg]
            rules[y:y + h, x:x + w] = 255
        for seg in vs:
            x, y, w, h = vseg[seg]
            rules[y:y + h, x:x + w] = 255
    return layouts, cv2.dilate(rules, np.ones((5, 5), np.uint8))


def _runs(profile: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """Runs of non-zero entries separated by at least `min_gap` zeros."""
    idx = np.flatnonzero(profile)
    if idx.size == 0:
        return []
    out = [[int(idx[0]), int(idx[0])]]
    for i in idx[1:]:
        if i - out[-1][1] > min_gap:
            out.append([int(i), int(i)])
        else:
            out[-1][1] = int(i)
    return [(a, b + 1) for a, b in out]


def _text_rows(ink: np.ndarray) -> list[tuple[int, int]]:
    """Text lines of a cell by its row profile; slivers (a stray quote mark, a stroke of
    一 or 二 standing alone) join the line next to them."""
    runs = _runs(ink.any(axis=1), 2)
    if len(runs) <= 1:
        return runs
    tall = max(b - a for a, b in runs)
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and (b - a < 0.45 * tall or merged[-1][1] - merged[-1][0] < 0.45 * tall):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _crop(img: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    c = img[max(0, y0):y1, max(0, x0):x1]
    h = c.shape[0]
    pad = max(_PAD, h // 4)
    return cv2.copyMakeBorder(c, pad, pad, pad * 2, pad * 2, cv2.BORDER_CONSTANT, value=255)


_NUMERIC = re.compile(r"^[0-9OoIl|,.\s%+-]+$")
_DASHES = {"一", "-", "－", "_", "—", "——", "一一", "--", "―", "─"}


def cell_text(t: str) -> str:
    """A recognised cell cleaned: widths normalised, digits misread as letters mended in
    an all-numeric cell, a lone dash (often read as 一) written as the dash it is."""
    t = unicodedata.normalize("NFKC", t).strip()
    if t in _DASHES:
        return "—"
    if _NUMERIC.match(t) and any(c.isdigit() for c in t):
        t = t.translate(str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})).replace(" ", "")
    return cjk_punct(t)


_PUNCT_MAP = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_ASCII_PUNCT = re.compile(r"(?<=[\u3400-\u9fff\uff00-\uffef“”、。）（])\s*([,;:()!?])|([,;:()!?])\s*(?=[\u3400-\u9fff“”（])")


_ITEM_SPACE = re.compile(r"(?<=\d[.、])\s+(?=[\u3400-\u9fff])")


def cjk_punct(t: str) -> str:
    """ASCII punctuation next to Chinese written full-width, as the report prints it; no
    space after an item number ("1. 申请人" is printed "1.申请人")."""
    return _ITEM_SPACE.sub("", _ASCII_PUNCT.sub(lambda m: _PUNCT_MAP[m.group(1) or m.group(2)], t))


def _read_table(lay: CellLayout, gray: np.ndarray, ink: np.ndarray, engine) -> OcrTable:
    crops, owners = [], []
    cells: dict[int, list[tuple[str, float]]] = {}
    for k, (x0, y0, x1, y1) in lay.boxes().items():
        x0, y0, x1, y1 = int(x0) + 3, int(y0) + 3, int(x1) - 3, int(y1) - 3
        sub = ink[y0:y1, x0:x1]
        cells[k] = []
        if sub.size == 0 or int(np.count_nonzero(sub)) < _MIN_INK:
            continue
        for a, b in _text_rows(sub):
            cols = np.flatnonzero(sub[a:b].any(axis=0))
            if cols.size == 0 or np.count_nonzero(sub[a:b]) < _MIN_INK:
                continue
            crops.append(_crop(gray, x0 + int(cols[0]) - 2, y0 + a - 2, x0 + int(cols[-1]) + 3, y0 + b + 2))
            owners.append(k)
    for k, (t, s) in zip(owners, engine.read_lines(crops)):
        cells[k].append((t, s))
    table = OcrTable(lay.xs[0], lay.ys[0], lay.xs[-1], lay.ys[-1], lay.keys)
    for k, parts in cells.items():
        table.cells[k] = cell_text("".join(t for t, _ in parts))
        table.scores[k] = round(min((s for _, s in parts), default=1.0), 4)
    return table


def _line_text(boxes: list[TextLine]) -> str:
    boxes = sorted(boxes, key=lambda b: b.box[0])
    out = boxes[0].text
    for prev, b in zip(boxes, boxes[1:]):
        h = b.box[3] - b.box[1]
        gap = b.box[0] - prev.box[2]
        if gap > 0.5 * h and out[-1:].isascii() and b.text[:1].isascii():
            out += " "
        out += b.text
    return cjk_punct(out.strip())


def _lines(found: list[TextLine]) -> list[OcrLine]:
    """Detected boxes grouped into printed lines (boxes that overlap vertically)."""
    groups: list[list[TextLine]] = []
    for b in sorted(found, key=lambda b: (b.box[1] + b.box[3]) / 2):
        cy = (b.box[1] + b.box[3]) / 2
        if groups:
            g = groups[-1]
            top = min(x.box[1] for x in g)
            bottom = max(x.box[3] for x in g)
            if top <= cy <= bottom:
                g.append(b)
                continue
        groups.append([b])
    out = []
    for g in groups:
        text = _line_text(g)
        if not text:
            continue
        n = sum(len(b.text) for b in g) or 1
        out.append(OcrLine(y=max(b.box[3] for b in g), x0=min(b.box[0] for b in g), x1=max(b.box[2] for b in g),
                           size=0.7 * sorted(b.box[3] - b.box[1] for b in g)[len(g) // 2], text=text,
                           score=round(sum(b.score * len(b.text) for b in g) / n, 4)))
    return out


def read_page(bgr: np.ndarray, engine) -> OcrPage:
    """Tables and text lines of one page or picture."""
    gray, ink, angle = prepare(bgr)
    layouts, rules = _tables(ink)
    clean = gray.copy()
    clean[rules > 0] = 255
    ink = cv2.bitwise_and(ink, cv2.bitwise_not(rules))
    page = OcrPage(width=int(gray.shape[1]), height=int(gray.shape[0]), angle=angle)
    prose = clean.copy()
    for lay in layouts:
        page.tables.append(_read_table(lay, clean, ink, engine))
        prose[int(lay.ys[0]) - 2:int(lay.ys[-1]) + 3, int(lay.xs[0]) - 2:int(lay.xs[-1]) + 3] = 255
    if np.count_nonzero(prose < 128) > _MIN_INK:
        page.lines = _lines(engine.detect(prose))
    return page
