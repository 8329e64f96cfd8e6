"""Captures from what the downloader gave: a response (any status), or a failure with its
reason. Body bytes are kept exactly as received."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from nianbao.archive.capture import Capture
from nianbao.archive.urls import SiteNames
from nianbao.crawler import meta as M

from .state import ATTACHMENT


def now() -> str:
    """UTC time of a fetch or listing, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def http_error(response) -> str | None:
    """Why an answer is not a page: a refusal (its reason, judged by the refusal middleware,
    also for a firewall page served with 200), an HTTP error status, or a 2xx with an empty body."""
    refused = response.meta.get(M.REFUSED)
    if refused:
        return refused
    if response.status >= 400:
        return f"HTTP {response.status}"
    if 200 <= response.status < 300 and not response.body:
        return f"EmptyBody: the server answered {response.status} with an empty body (0 bytes)"
    return None


def header_dict(h) -> dict[str, str]:
    """Scrapy headers as one string per lower-case name."""
    out = {}
    for k, vs in h.items():
        name = k.decode("latin-1").lower()
        out[name] = ", ".join(v.decode("latin-1") for v in vs)
    return out


def from_response(response, error: str | None, names: SiteNames) -> Capture:
    meta = response.meta
    requested = (meta.get("redirect_urls") or [response.request.url])[0]
    final = response.url
    # a browser keeps SPA route fragments in its final URL; an HTTP fetch never sends them
    ident = final if (urlsplit(final).fragment or not urlsplit(requested).fragment) else requested
    return Capture(
        url=requested, final_url=final, canonical_url=names.canonical(ident),
        redirect_urls=list(meta.get("redirect_urls") or [])[1:] + ([final] if meta.get("redirect_urls") else []),
        site=meta.get(M.SITE) or names.site_of(requested), status=response.status,
        headers=header_dict(response.headers), body=response.body,
        rendered=bool(meta.get(M.RENDERED)), fetched_at=now(),
        kind="attachment" if meta.get(M.KIND) == ATTACHMENT else "page",
        parent_url=meta.get(M.PARENT_URL), link_text=meta.get(M.LINK_TEXT, ""),
        error=error, not_modified=response.status == 304,
        request_headers=header_dict(response.request.headers),
    )


def from_failure(request, site: str, reason: str, names: SiteNames) -> Capture:
    meta = request.meta
    chain = list(meta.get("redirect_urls") or [])
    return Capture(
        url=chain[0] if chain else request.url, final_url=request.url,
        canonical_url=names.canonical(chain[0] if chain else request.url),
        redirect_urls=chain[1:] + [request.url] if chain else [],
        site=site, status=None, rendered=bool(meta.get("playwright")), fetched_at=now(),
        kind="attachment" if meta.get(M.KIND) == ATTACHMENT else "page",
        parent_url=meta.get(M.PARENT_URL), link_text=meta.get(M.LINK_TEXT, ""),
        error=reason, request_headers=header_dict(request.headers),
    )
