"""Plain HTTP to the sample portals from tests: status, headers and body, errors included."""
from __future__ import annotations

import urllib.error
import urllib.request


def fetch(url: str, headers: dict | None = None, *, data: bytes | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
