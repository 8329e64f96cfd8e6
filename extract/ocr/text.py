"""An `OcrResult` as the rest of `extract` reads a document: paragraphs and table rows in
reading order, span-expanded grids, and the recognition score of every grid cell.

Lines become paragraphs by the same margin rules as a PDF's text layer
(`attachments.pdf.paragraphs`), tables are written as rows in `rules.TEXT_TABLE_CELLS`
mode at their place on the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import rules
from ..attachments.pdf import Line, Page, paragraphs
from ..tables.ruled import table_text_and_grid
from .result import OcrResult


@dataclass
class OcrText:
    lines: list[str] = field(default_factory=list)
    grids: list[list[list[str]]] = field(default_factory=list)
    scores: list[list[list[float | None]]] = field(default_factory=list)   # per grid cell
    confidence: float | None = None


def ocr_text(results: list[OcrResult]) -> OcrText:
    """Text, grids and cell scores of one or more OCR results, in order."""
    out = OcrText()
    pages: list[Page] = []
    weight = total = 0.0
    for res in results:
        conf = res.confidence
        if conf is not None:
            n = sum(len(l.text) for p in res.pages for l in p.lines) + sum(
                len(t) for p in res.pages for tb in p.tables for t in tb.cells.values())
            total += conf * n
            weight += n
        for p in res.pages:
            page = Page()
            for ln in p.lines:
                page.lines.append(Line(ln.y, ln.x0, ln.x1, ln.size, ln.text))
            text_lines = list(page.lines)
            for t in p.tables:
                rows, grid = table_text_and_grid(t.keys, t.cells, rules.TEXT_TABLE_CELLS)
                if not rows:
                    continue
                page.lines.append(Line(t.y0, t.x0, t.x1, 0.0, "", table=rows))
                out.grids.append(grid)
                kept = [row for row in t.keys if any(t.cells.get(k, "") for k in row)]
                out.scores.append([[t.scores.get(k) for k in row] for row in kept])
            page.lines.sort(key=lambda l: l.y)
            if text_lines:
                page.left = min(l.x0 for l in text_lines)
                page.right = max(l.x1 for l in text_lines)
            pages.append(page)
    out.lines = paragraphs(pages)
    out.confidence = round(total / weight, 4) if weight else None
    return out
