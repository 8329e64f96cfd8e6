"""Plain HTTP to the sample portals from tests: status, headers and body, errors included.
Names under `.test` (the sample portals' host names) go to the loopback address with
their Host header, as the crawler's test resolver sends them. The `jschallenge` portal's
challenge (a product a browser's script computes into a cookie) is answered as a browser
would, so tests about content read its pages; the crawler's way through it is tested
end to end (tests/e2e/test_real_web.py)."""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit


_CHALLENGE = re.compile(rb"var v=(\d+)\*(\d+);document\.cookie='(\w+)='")


def fetch(url: str, headers: dict | None = None, *, data: bytes | None = None):
    status, got, body = _fetch(url, headers, data)
    m = _CHALLENGE.search(body) if status == 412 else None
    if m:
        cookie = f"{m[3].decode()}={int(m[1]) * int(m[2])}"
        status, got, body = _fetch(url, {**(headers or {}), "Cookie": cookie}, data)
    return status, got, body


def _fetch(url: str, headers: dict | None, data: bytes | None):
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
