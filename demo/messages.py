"""A request as a sample portal receives it and the response it gives, as plain data
(the HTTP server in demo/server.py turns them into bytes on the wire)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str                   # path only, percent-decoded as received
    query: dict[str, list[str]]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    client: tuple[str, int] | None = None   # the peer's (host, port), for the fault mode

    def arg(self, name: str, default: str = "") -> str:
        v = self.query.get(name)
        return v[0] if v else default

    @classmethod
    def from_target(cls, method: str, target: str, body: bytes = b"", headers=None) -> "Request":
        parts = urlsplit(target)
        q = parse_qs(parts.query, keep_blank_values=True)
        ctype = (headers or {}).get("content-type", "")
        if method == "POST" and body and "x-www-form-urlencoded" in ctype:
            for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                q.setdefault(k, []).extend(v)
        return cls(method, parts.path or "/", q, body, dict(headers or {}))


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def html(cls, text: str, encoding: str = "utf-8", http_charset: bool = True, status: int = 200):
        ctype = f"text/html; charset={encoding}" if http_charset else "text/html"
        return cls(status, text.encode(encoding, errors="xmlcharrefreplace"), {"Content-Type": ctype})
