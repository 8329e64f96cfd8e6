"""Export every capture as WARC request/response records (warcio), for standard tools.

The body is stored decoded (Scrapy undoes Content-Encoding and chunking), so those
headers are renamed `X-Archive-Orig-*` and Content-Length is set to the stored body:
the records then replay correctly in standard WARC readers. A recrawl answered 304 Not
Modified is a `revisit` record (WARC 1.1 profile server-not-modified) that refers to the
last response of the same URL.
"""
from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from . import blobs

_REWRITE = {"content-encoding", "transfer-encoding", "content-length"}
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def _warc_date(iso: str) -> str:
    """WARC 1.0 WARC-Date (second precision, UTC) from the capture's ISO 8601 time."""
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def export_warc(conn: sqlite3.Connection, out: str | Path) -> dict:
    """Write all captures to `out` (gzip per record when it ends in .gz); return counts."""
    out = Path(out)
    counts = {"captures": 0, "request": 0, "response": 0, "metadata": 0, "revisit": 0}
    last_response: dict[str, tuple[str, str, str]] = {}     # URL -> (record id, WARC-Date, payload digest)
    with open(out, "wb") as fh:
        writer = WARCWriter(fh, gzip=out.suffix == ".gz")
        writer.write_record(writer.create_warcinfo_record(
            out.name, {"software": "nianbao archive export", "format": "WARC File Format 1.0"}))
        rows = conn.execute(
            "SELECT k.id, k.url, k.final_url, k.fetched_at, k.status, k.headers, h.json, k.rendered, "
            "k.not_modified, k.body_sha256, k.error FROM captures k "
            "LEFT JOIN header_sets h ON h.id = k.request_headers_id ORDER BY k.id")
        for (cid, url, final_url, fetched_at, status, headers, req_headers, rendered,
             not_modified, digest, error) in rows:
            counts["captures"] += 1
            target = final_url or url
            date = _warc_date(fetched_at)
            extra = {"WARC-Date": date, "WARC-X-Capture-Id": str(cid)}
            if target != url:
                extra["WARC-X-Requested-URI"] = url
            parts = urlsplit(target)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            rh = [(k, v) for k, v in json.loads(req_headers or "{}").items()
                  if k.lower() != "host"]
            req = StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", parts.netloc), *rh],
                                   is_http_request=True)
            request = writer.create_warc_record(target, "request", http_headers=req,
                                                warc_headers_dict=dict(extra))
            if status is None:
                writer.write_record(request)
                counts["request"] += 1
                meta = json.dumps({"error": error, "requested": url}, ensure_ascii=False).encode()
                writer.write_record(writer.create_warc_record(
                    target, "metadata", payload=BytesIO(meta), warc_content_type="application/json",
                    warc_headers_dict=dict(extra)))
                counts["metadata"] += 1
                continue
            body = blobs.read(conn, digest) if digest else b""
            hdrs = []
            for k, v in json.loads(headers or "{}").items():
                name = "-".join(p.capitalize() for p in k.split("-"))
                hdrs.append((f"X-Archive-Orig-{name}" if k.lower() in _REWRITE else name, str(v)))
            hdrs.append(("Content-Length", str(len(body))))
            http = StatusAndHeaders(f"{status} {_reason(status)}", hdrs, protocol="HTTP/1.1")
            resp_extra = dict(extra)
            if rendered:
                resp_extra["WARC-X-Rendered"] = "browser"
            earlier = last_response.get(target)
            if not_modified and earlier and not body:
                response = writer.create_revisit_record(
                    target, digest=earlier[2], refers_to_uri=target, refers_to_date=earlier[1],
                    http_headers=http, warc_headers_dict={**resp_extra, "WARC-Refers-To": earlier[0]})
                response.rec_headers.replace_header("WARC-Profile", NOT_MODIFIED_PROFILE)
                kind = "revisit"
            else:
                if not_modified:
                    resp_extra["WARC-X-Not-Modified"] = "true"
                response = writer.create_warc_record(target, "response", payload=BytesIO(body),
                                                     length=len(body), http_headers=http,
                                                     warc_headers_dict=resp_extra)
                last_response[target] = (response.rec_headers.get_header("WARC-Record-ID"), date,
                                         "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode())
                kind = "response"
            request.rec_headers.add_header("WARC-Concurrent-To",
                                           response.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(response)
            writer.write_record(request)
            counts[kind] += 1
            counts["request"] += 1
    return counts
