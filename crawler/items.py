"""Items the spiders yield: what was fetched, and which report links a list showed."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    """One fetch, exactly as received (body bytes untouched) plus how it was fetched."""

    url: str                         # as requested
    final_url: str                   # after redirects
    canonical_url: str               # the document identity (big5 gateway, tracking params removed)
    site: str                        # host of the portal the crawl was scoped to
    status: int | None               # None when no response arrived
    headers: dict[str, str] = field(default_factory=dict)   # response headers, lower-case names
    body: bytes = b""
    rendered: bool = False           # fetched through the browser (Playwright)
    fetched_at: str = ""             # ISO 8601 UTC
    kind: str = "page"               # 'page' | 'attachment'
    parent_url: str | None = None    # for an attachment: canonical URL of the page linking it
    link_text: str = ""              # anchor text of the link that led here
    error: str | None = None         # why the fetch failed (timeout, 5xx, too large, ...)
    not_modified: bool = False       # a 304 answer to a conditional request
    request_headers: dict[str, str] = field(default_factory=dict)
    run_id: int | None = None


@dataclass
class ListingItem:
    """The report-looking links one list page showed; the archive uses it for removals."""

    url: str
    site: str
    links: list[str] = field(default_factory=list)   # canonical URLs
    fetched_at: str = ""
