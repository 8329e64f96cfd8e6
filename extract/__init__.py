"""Pure extraction: bytes + URL in, `Document` out. No Scrapy, no database."""
from .document import Check, Document, Figure, FigureSet

__all__ = ["Check", "Document", "Figure", "FigureSet"]
