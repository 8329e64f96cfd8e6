"""Pure extraction: bytes + URL in, `Document` out. No Scrapy, no database.

The small public API: `extract_document`, `looks_like_shell`, `is_report_title`,
`EXTRACTOR_VERSION` (stored with every extracted version, so re-extraction is traceable).
"""
from .document import Check, Document, Figure, FigureSet
from .metadata import is_report_title
from .pipeline import EXTRACTOR_VERSION, extract_document, extract_with_ocr
from .html.shell import looks_like_shell

__all__ = ["Check", "Document", "Figure", "FigureSet", "EXTRACTOR_VERSION", "extract_document", "extract_with_ocr",
           "is_report_title", "looks_like_shell"]
