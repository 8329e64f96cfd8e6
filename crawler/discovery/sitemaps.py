"""Sitemaps (sitemaps.org): the URLs a site lists for crawlers, from `sitemap.xml` or the
`Sitemap:` lines of its robots.txt. Some portals link a report column from no page at
all; its sitemap still lists the reports. Parsed with Scrapy's own sitemap reader (index
files and gzip included); the caller decides which URLs are worth fetching.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

MAX_BYTES = 10 * 1024 * 1024      # a sitemap file may hold 50,000 URLs in 50 MB; we read less


@dataclass
class SitemapContent:
    urls: list[str] = field(default_factory=list)          # pages the sitemap lists
    sitemaps: list[str] = field(default_factory=list)      # further sitemaps (an index)


def read_sitemap(body: bytes, url: str, limit: int = 5000) -> SitemapContent:
    """The page URLs (or, for an index, the sitemap URLs) of a sitemap body, `limit` at most."""
    out = SitemapContent()
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=MAX_BYTES)
        except OSError:
            return out
    if not body.lstrip().startswith(b"<"):
        # a plain-text sitemap: one URL a line
        for line in body.decode("utf-8", "replace").splitlines()[:limit]:
            if line.strip().startswith(("http://", "https://")):
                out.urls.append(line.strip())
        return out
    try:
        sm = Sitemap(body[:MAX_BYTES])
    except Exception:               # not XML: nothing to read
        return out
    target = out.sitemaps if sm.type == "sitemapindex" else out.urls
    for entry in sm:
        loc = (entry.get("loc") or "").strip()
        if loc:
            target.append(urljoin(url, loc))
        if len(target) >= limit:
            break
    return out
