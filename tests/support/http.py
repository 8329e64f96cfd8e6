"""Plain HTTP to the sample portals from tests: status, headers and body, errors included.
Names under `.test` (the sample portals' host names) go to the loopback address with
their Host header, as the crawler's test resolver sends them."""
from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit


def fetch(url: str, headers: dict | None = None, *, data: bytes | None = None):
    parts = urlsplit(url)
    headers = dict(headers or {})
    if (parts.hostname or "").endswith(".test"):
        headers.setdefault("Host", parts.netloc)
        url = urlunsplit((parts.scheme, f"127.0.0.1:{parts.port or 80}", parts.path, parts.query, ""))
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
