"""HTTP validators for the sample portals: ETag / Last-Modified on every static answer, and
304 Not Modified to a conditional GET whose validators still match.

Real CMS front ends (nginx serving TRS/Hanweb static files) answer conditional requests;
incremental recrawls depend on it. The ETag is a hash of the exact body, so it changes
whenever the page changes (chrome churn included). Last-Modified is the date the portal's
current content state was published: coarser, as on real sites, so a crawler that only has
a date still refetches everything after a change of state. Following RFC 9110,
If-None-Match wins over If-Modified-Since when both are sent.

Families differ like real servers do: `Portal.validators` names which of the two headers a
portal sends (the SSI portal, like many gov.cn SSI setups, sends only Last-Modified).
Dynamic answers (POSTs, JSON list APIs, errors) carry none.
"""
from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone

from nianbao.demo.messages import Request, Response

# When each content state went live: Last-Modified of every static page in that state.
STATE_DATES = {
    "first": datetime(2024, 1, 1, 8, 0, 0, tzinfo=timezone.utc),
    "second": datetime(2024, 6, 1, 8, 0, 0, tzinfo=timezone.utc),
}
_STATIC_TYPES = ("text/html", "application/pdf", "application/msword", "text/plain",
                 "application/vnd.", "application/javascript", "text/css")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def add_validators(req: Request, resp: Response, state: str, kinds: tuple[str, ...]) -> None:
    """Give a static 200 answer its ETag / Last-Modified (in place; the answer is cached)."""
    if req.method not in ("GET", "HEAD") or resp.status != 200 or not kinds:
        return
    ctype = resp.headers.get("Content-Type", "").lower()
    if not ctype.startswith(_STATIC_TYPES):
        return
    if "etag" in kinds and "ETag" not in resp.headers:
        resp.headers["ETag"] = etag_of(resp.body)
    if "last_modified" in kinds and "Last-Modified" not in resp.headers:
        resp.headers["Last-Modified"] = format_datetime(STATE_DATES.get(state, STATE_DATES["first"]),
                                                        usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    weak = lambda t: t.strip().removeprefix("W/")  # noqa: E731  (weak comparison, RFC 9110 8.8.3.2)
    return any(weak(t) == weak(etag) for t in header.split(","))


def not_modified(req: Request, resp: Response) -> Response | None:
    """A 304 for `resp` when the request's validators match it, else None."""
    if req.method not in ("GET", "HEAD") or resp.status != 200:
        return None
    etag = resp.headers.get("ETag")
    last_modified = resp.headers.get("Last-Modified")
    inm = req.headers.get("if-none-match")
    ims = req.headers.get("if-modified-since")
    if inm is not None:
        fresh = etag is not None and _etag_matches(inm, etag)
    elif ims is not None and last_modified is not None:
        try:
            fresh = parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            fresh = False
    else:
        fresh = False
    if not fresh:
        return None
    headers = {k: v for k, v in resp.headers.items() if k in ("ETag", "Last-Modified", "Cache-Control")}
    return Response(304, b"", headers)
