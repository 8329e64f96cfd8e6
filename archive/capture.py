"""What a crawl hands the archive: one `Capture` per fetch, one `Listing` per list page.

The archive owns these types (it stores them); the crawler builds them from Scrapy
responses and yields them as items. Fields left empty are derived on construction: the
final URL is the requested one, the canonical URL and the site follow from it
(`archive.urls`), the fetch time is now.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .urls import canonical_url as _canonical, site_of

if TYPE_CHECKING:
    from nianbao.extract import Document


def utc_now() -> str:
    """The archive's timestamps: UTC, ISO 8601 with microseconds."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class OcrRecord:
    """One OCR result a crawl hands in for the cache: the engine's name and version, the
    result as JSON (`extract.ocr.OcrResult.to_json`), its mean score and cost."""

    engine: str
    result: str
    confidence: float | None = None
    seconds: float | None = None


@dataclass
class CapturedImage:
    """An image of a report page, fetched with it for OCR (a 图片版 page's pages, a table
    pasted as a picture)."""

    url: str                         # absolute
    body: bytes = b""
    content_type: str = ""
    status: int | None = None


@dataclass
class Capture:
    """One fetch, exactly as received (body bytes untouched) plus how it was fetched."""

    url: str                         # as requested
    final_url: str = ""              # after redirects ("" = the requested URL)
    canonical_url: str = ""          # the document identity ("" = canonical form of final_url)
    site: str = ""                   # the crawl's site of the page ("" = site of canonical_url)
    status: int | None = None        # None when no response arrived
    headers: dict[str, str] = field(default_factory=dict)   # response headers, lower-case names
    body: bytes = b""
    rendered: bool = False           # fetched through the browser (Playwright)
    fetched_at: str = ""             # ISO 8601 UTC ("" = now)
    kind: str = "page"               # 'page' | 'attachment'
    parent_url: str | None = None    # for an attachment: canonical URL of the page linking it
    link_text: str = ""              # anchor text of the link that led here
    error: str | None = None         # why the fetch failed (timeout, 5xx, too large, ...)
    not_modified: bool = False       # a 304 answer to a conditional request
    request_headers: dict[str, str] = field(default_factory=dict)
    run_id: int | None = None
    redirect_urls: list[str] = field(default_factory=list)   # where the asked URL sent the fetch, in order
    images: list[CapturedImage] = field(default_factory=list)   # fetched for OCR, stored with it
    # The Document the crawler already extracted from this very body (the spider reads a
    # report page's pictures from it), so the pipeline need not extract it again. It stays
    # in this process: never stored, and dropped when the capture is pickled.
    extracted: Document | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "extracted": None}

    def __post_init__(self) -> None:
        self.final_url = self.final_url or self.url
        self.canonical_url = self.canonical_url or _canonical(self.final_url)
        self.site = self.site or site_of(self.canonical_url)
        self.fetched_at = self.fetched_at or utc_now()
        self.kind = self.kind or "page"
        self.not_modified = bool(self.not_modified) or self.status == 304


@dataclass
class Listing:
    """The report-looking links one list page showed; the archive uses it for removals."""

    url: str
    site: str = ""
    links: list[str] = field(default_factory=list)   # canonical URLs
    fetched_at: str = ""

    def __post_init__(self) -> None:
        self.site = self.site or site_of(self.url)
        self.fetched_at = self.fetched_at or utc_now()
