"""What the sample portals know about their own reports: the gold the crawler and the
extractor are judged against.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from nianbao.extract.report_schema import WIDE_COLUMNS

FigureKey = tuple[int, str, str]        # (table, row_key, col_key) as in extract.report_schema


@dataclass(frozen=True)
class GoldReport:
    """One annual report as a portal publishes it in the current state.

    `text` is clean Simplified text: paragraphs one a line, table rows one a line with the
    published cells joined by a tab (empty rows left out), no chrome. For a scanned PDF
    (`no_text_layer`) it is what OCR should read (empty when the scan holds no text). `figures` maps
    (table, row_key, col_key) to the published value, None for a blank cell.
    """

    url: str                            # canonical, absolute
    portal: str                         # portal name, e.g. "trs"
    family: str                         # e.g. "trs-static"
    title: str                          # Simplified, without the site suffix
    agency: str
    year: int                           # the year reported on
    published: str                      # YYYY-MM-DD
    text: str
    script: str = "simplified"          # of the source page: 'simplified' | 'traditional'
    format: str | None = None           # '2019' | '2021' | None (free-form)
    figures: dict[FigureKey, float | int | None] = field(default_factory=dict)
    identity_ok: bool | None = None     # 一+二 = 三（七）+四 for every column; None: no table
    robots_disallowed: bool = False     # under a path robots.txt disallows
    attachment_url: str | None = None   # the report lives in this attachment (PDF)
    no_text_layer: bool = False         # the attachment is a scanned PDF
    encoding: str = "utf-8"             # how the page is encoded
    aliases: tuple[str, ...] = ()       # other URLs serving the same report (big5 gateway)
    source: str = ""                    # 'seed:000' or 'generated'
    title_original: str = ""            # the title as the page shows it (original script)
    # The text (and figures) are read by OCR: 'scanned-pdf', 'image-page' (图片版), 'image-tables'.
    ocr: str | None = None

    def wide(self) -> dict[str, float | int | None]:
        """The `report_figures` columns of this report (empty when it has no tables)."""
        if self.format is None or not self.figures:
            return {}
        out: dict[str, float | int | None] = {}
        for name, (table, rows, col) in WIDE_COLUMNS.items():
            vals = [self.figures[(table, r, col)] for r in rows if (table, r, col) in self.figures]
            if not vals:
                continue
            out[name] = None if any(v is None for v in vals) else sum(vals)
        return out


def bigram_prf(out: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of `out` against `gold` over character bigrams, whitespace
    ignored: how extracted (or OCRed) text is scored against the gold text, in tests and
    benches alike (Chinese has no words to count)."""
    def bigrams(text: str) -> Counter:
        t = re.sub(r"\s+", "", text or "")
        return Counter(t[i:i + 2] for i in range(len(t) - 1))
    a, b = bigrams(out), bigrams(gold)
    hit = sum((a & b).values())
    p, r = hit / max(1, sum(a.values())), hit / max(1, sum(b.values()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bigram_f1(out: str, gold: str) -> float:
    return bigram_prf(out, gold)[2]
