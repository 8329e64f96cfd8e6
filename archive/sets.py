"""Content-addressed sets of rows that repeat across recrawls: the report links a list page
showed, and the headers a request sent. An unchanged recrawl then costs one small row
(a listing, a capture) pointing at a set stored once."""
from __future__ import annotations

import hashlib
import json


def link_set_id(conn, links) -> int:
    """The id of the set of these URLs (created once, shared by every list page that
    shows exactly these links)."""
    urls = sorted(set(links or []))
    digest = hashlib.sha256("\n".join(urls).encode("utf-8")).hexdigest()
    row = conn.execute("SELECT id FROM link_sets WHERE sha256 = ?", (digest,)).fetchone()
    if row:
        return row[0]
    sid = conn.execute("INSERT INTO link_sets (sha256, size) VALUES (?, ?)",
                       (digest, len(urls))).lastrowid
    conn.executemany("INSERT INTO link_set_urls (set_id, url) VALUES (?, ?)",
                     [(sid, u) for u in urls])
    return sid


def header_set_id(conn, headers: dict | None) -> int | None:
    """The id of this header set (None for no headers)."""
    if not headers:
        return None
    text = json.dumps(dict(sorted(headers.items())), ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = conn.execute("SELECT id FROM header_sets WHERE sha256 = ?", (digest,)).fetchone()
    if row:
        return row[0]
    return conn.execute("INSERT INTO header_sets (sha256, json) VALUES (?, ?)",
                        (digest, text)).lastrowid
