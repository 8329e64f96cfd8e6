"""What OCR gives for one image or PDF: pages of text lines and ruled tables, with scores.

Kept as geometry plus text (not as the final report text) so that a change in how text
is assembled never needs the images read again: the archive caches these results by the
blob's hash and the engine's version, and `extract` turns them into text and grids.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class OcrLine:
    y: float                 # bottom of the line, from the page top (pixels)
    x0: float
    x1: float
    size: float              # character height (pixels)
    text: str
    score: float


@dataclass
class OcrTable:
    x0: float
    y0: float
    x1: float
    y1: float
    keys: list[list[int]]                               # merged-cell key per grid position
    cells: dict[int, str] = field(default_factory=dict)  # key -> text ("" for a blank cell)
    scores: dict[int, float] = field(default_factory=dict)


@dataclass
class OcrPage:
    width: int
    height: int
    angle: float = 0.0                                   # skew corrected, degrees
    lines: list[OcrLine] = field(default_factory=list)
    tables: list[OcrTable] = field(default_factory=list)


@dataclass
class OcrResult:
    engine: str                                          # engine name and version
    pages: list[OcrPage] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def confidence(self) -> float | None:
        """Mean recognition score over characters read (None when nothing was read)."""
        total = n = 0.0
        for p in self.pages:
            for ln in p.lines:
                total += ln.score * len(ln.text)
                n += len(ln.text)
            for t in p.tables:
                for k, text in t.cells.items():
                    total += t.scores.get(k, 1.0) * len(text)
                    n += len(text)
        return round(total / n, 4) if n else None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, s: str) -> OcrResult:
        d = json.loads(s)
        pages = []
        for p in d.get("pages", []):
            tables = [OcrTable(t["x0"], t["y0"], t["x1"], t["y1"], t["keys"],
                               {int(k): v for k, v in t["cells"].items()},
                               {int(k): v for k, v in t["scores"].items()}) for t in p.get("tables", [])]
            pages.append(OcrPage(p["width"], p["height"], p.get("angle", 0.0),
                                 [OcrLine(**ln) for ln in p.get("lines", [])], tables))
        return cls(d["engine"], pages, d.get("seconds", 0.0))
