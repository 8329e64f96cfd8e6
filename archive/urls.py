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

import tldextract
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


# Registrable domains from the public suffix list snapshot tldextract ships (never fetched:
# no network at run time). `gov.test` stands for `gov.cn` in the sample portals' world.
_REGISTRABLE = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, extra_suffixes=("gov.test",))


def site_key(site_or_url: str) -> str:
    """What makes two host names one site: the registrable domain (`xxgk.yunxi.gov.cn` and
    `www.yunxi.gov.cn` are `yunxi.gov.cn`; `www.gov.cn` is its own), or for a name without
    one (an address, `localhost`) the host without a leading `www.`; the port when it is
    not the scheme's default."""
    site = site_name(site_or_url)
    host = host_of(site)
    port = site[len(host):] if site.startswith(host) else ""
    if site.startswith("["):
        port = site[site.index("]") + 1:]
    registrable = _REGISTRABLE(host).top_domain_under_public_suffix if host and host[0].isalpha() else ""
    if not registrable:
        registrable = host[4:] if host.startswith("www.") else host
    return registrable + port


class SiteNames:
    """The names a crawl's sites go by.

    A site is known by one name (the host[:port] it was first given as). Its other names
    map to it: every host of its registrable domain (`site_key`: `www.` and the bare name,
    `xxgk.` and other subdomains), the hosts its home page redirects to (a new domain, http
    to https on another port), the registry's `sites`.
    `canonical(url)` writes a URL under any of a site's names in the site's preferred form
    (the scheme and host its home page settles on), so a report reached through two names
    is one document; `site_of(url)` gives the site a URL belongs to, so two names of one
    server share one site: its scope, its politeness slot and its counters.
    """

    def __init__(self) -> None:
        self._sites: dict[str, str] = {}              # name key -> site
        self._preferred: dict[str, tuple[str, str]] = {}  # site -> (scheme, netloc)
        self.listeners: list = []                     # f(kind, site, url) on learn/prefer

    @classmethod
    def of_portals(cls, portals) -> "SiteNames":
        """The names a crawl of these registry portals starts with: each portal's sites
        (its start URLs' sites first), its start URL's form preferred."""
        names = cls()
        for p in portals:
            first, *others = p.all_sites()
            if names.knows(f"http://{first}/"):
                first = names.site_of(f"http://{first}/")
            elif p.start_urls:
                names.prefer(first, p.start_urls[0])
            names.add(first, *others)
        return names

    def apply(self, known) -> None:
        """(site, 'learn' | 'prefer', url) learned before (archive.history.site_names), for
        sites this crawl knows."""
        for site, kind, url in known:
            if site in self.sites():
                (self.learn if kind == "learn" else self.prefer)(site, url)

    def _tell(self, kind: str, site: str, url: str) -> None:
        for listener in self.listeners:
            listener(kind, site, url)

    def add(self, site: str, *names: str) -> None:
        """`site` and its other names (host[:port] or URLs)."""
        site = site_name(site)
        self._sites.setdefault(site_key(site), site)
        for n in names:
            self._sites.setdefault(site_key(site_name(n)), site)

    def learn(self, site: str, url: str) -> bool:
        """`url`'s host is another name of `site` (its home page redirected there); True
        when that was news."""
        key = site_key(site_of(url))
        if self._sites.get(key) == site:
            return False
        self._sites[key] = site
        self._tell("learn", site, url)
        return True

    def prefer(self, site: str, url: str) -> None:
        """URLs of `site` are written with `url`'s scheme and host from now on."""
        parts = urlsplit(url)
        form = ((parts.scheme or "http").lower(), site_of(url))
        if self._preferred.get(site) != form:
            self._preferred[site] = form
            self._tell("prefer", site, url)

    def site_of(self, url: str) -> str:
        """The site `url` belongs to: a known site's name, else its own host[:port]."""
        own = site_of(url)
        return self._sites.get(site_key(own), own)

    def knows(self, url: str) -> bool:
        return site_key(site_of(url)) in self._sites

    def sites(self) -> set[str]:
        return set(self._sites.values())

    def canonical(self, url: str) -> str:
        """The identity of the document at `url` (`canonical_url`), under its site's
        preferred name and scheme."""
        c = canonical_url(url)
        site = self._sites.get(site_key(site_of(c)))
        preferred = self._preferred.get(site) if site else None
        if preferred is None:
            return c
        scheme, netloc = preferred
        parts = urlsplit(c)
        if (parts.scheme, site_of(c)) == preferred:
            return c
        userinfo = f"{parts.username}@" if parts.username else ""
        return urlunsplit((scheme, userinfo + netloc, parts.path, parts.query, parts.fragment))
