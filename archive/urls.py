"""URL identity, owned by the archive: one report is one document, however it was linked.

A report is reached with share-tracking parameters, with `#fragments`, through the big5
gateway mirror (`http://big5.example.gov.cn/gate/big5/www.example.gov.cn/a/b.html`), or
with an upper-case host. The archive keys documents by `canonical_url()` and sites by
`site_of()`; the crawler's duplicate filter and site scope use the same functions, so all
of those are fetched and stored once.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Query parameters that only say who shared a link or which page it was clicked on.
TRACKING_PARAMS = frozenset({
    "spm", "from", "isappinstalled", "scene", "clicktime", "enterid", "wfr",
    "share_token", "sharer_sharetime", "sharer_shareid", "share_source", "share_medium",
    "share_from", "gclid", "fbclid", "msclkid", "_hsenc", "_hsmi", "mc_cid", "mc_eid",
    "vd_source", "nsukey", "tt_from", "utm",
})
TRACKING_PREFIXES = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_GATEWAY = re.compile(r"^/gate/big5/([^/?#]+)(/[^?#]*)?$", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(query: str) -> str:
    """Drop tracking parameters from a query string, leaving the others byte for byte."""
    if not query:
        return ""
    kept = [p for p in query.split("&")
            if p and not is_tracking_param(unquote_plus(p.split("=", 1)[0]))]
    return "&".join(kept)


def netloc_of(scheme: str, host: str, port: int | None) -> str:
    host = host.lower().rstrip(".")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"                       # IPv6 literal
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return host
    return f"{host}:{port}"


# The same URLs come back on every page of a site (navigation, columns, pagers), and a
# crawl asks for a URL's site and forms many times: remembered (pure functions of a string)
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def site_of(url: str) -> str:
    """The site a URL belongs to: `host` or `host:port` (default ports omitted)."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return netloc_of(scheme, parts.hostname or "", port)


def site_name(site_or_url: str) -> str:
    """A site as the archive names it, given a URL or a bare site name ("example.gov.cn",
    "127.0.0.1:8001"): `host` or `host:port`, lower case, default port omitted."""
    text = (site_or_url or "").strip()
    if "//" not in text:
        return text.lower().rstrip("/")
    return site_of(text)


def host_of(site_or_url: str | None) -> str:
    """The host name of a site or URL, without its port."""
    site = site_name(site_or_url or "")
    if site.startswith("["):
        return site[1:site.index("]")] if "]" in site else site
    return site.rsplit(":", 1)[0] if site.count(":") == 1 else site


def ungateway(url: str) -> str:
    """Map a big5 gateway URL to the page it mirrors; other URLs are returned unchanged.

    `/gate/big5/HOST/PATH?Q` on any host is the Traditional-script view of
    `http://HOST/PATH?Q`. Gateways of gateways are unwrapped too.
    """
    for _ in range(5):
        parts = urlsplit(url)
        m = _GATEWAY.match(parts.path)
        if not m:
            return url
        host, path = m.group(1), m.group(2) or "/"
        url = urlunsplit(("http", host, path, parts.query, parts.fragment))
    return url


def is_gateway(url: str) -> bool:
    return bool(_GATEWAY.match(urlsplit(url).path))


def _route_fragment(fragment: str) -> bool:
    """`#/article/12` and `#!/x` are single-page-app routes: they name a page."""
    return fragment.startswith(("/", "!"))


@lru_cache(maxsize=_CACHE)
def canonical_url(url: str) -> str:
    """The identity of the document at `url`.

    Lower-case scheme and host, default port dropped, empty path as `/`, tracking
    parameters and plain fragments removed (the order of the other parameters is kept:
    some CMSs care), percent-encoding normalised, big5 gateway unwrapped.
    """
    url = safe_url_string(url.strip())
    url = ungateway(url)
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = netloc_of(scheme, parts.hostname or "", port)
    if parts.username:
        netloc = f"{parts.username}@{netloc}"     # keep, rare but meaningful
    path = parts.path or "/"
    query = strip_tracking(parts.query)
    fragment = parts.fragment if _route_fragment(parts.fragment) else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


@lru_cache(maxsize=_CACHE)
def fetch_url(url: str) -> str:
    """The URL to request: the canonical one minus nothing a server needs.

    Same as `canonical_url` except the big5 gateway is kept (a gateway-only page must be
    fetched through the gateway) and the fragment is kept for single-page-app routes.
    """
    url = safe_url_string(url.strip())
    parts = urlsplit(url)
    query = strip_tracking(parts.query)
    fragment = parts.fragment if _route_fragment(parts.fragment) else ""
    return urlunsplit((parts.scheme.lower() or "http", parts.netloc.lower(), parts.path or "/",
                       query, fragment))
