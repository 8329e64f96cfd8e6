"""Storage cost of the archive: bytes on disk per report after a first crawl of the sample
portals and after ten unchanged recrawls, and the compression of raw bodies (ours: zstd
with deltas between captures of one URL; baseline: zlib level 6 of every distinct body,
measured in the same run), also for one recrawl of the portals' second state, whose
chrome churns on every page. Prints one table.

    python bench/storage.py [--recrawls 10] [--via crawl|fetch]

`--via crawl` (the default) runs real Scrapy crawls (`nianbao.launch.crawl`);
`--via fetch` fetches the portals' known URLs (start pages, reports, attachments, traps)
and stores them through `Archive`, isolating the archive from crawler behaviour.
"""
from __future__ import annotations

import argparse
import importlib.util
import sqlite3
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nianbao.archive import blobs  # noqa: E402
from nianbao.archive.store import Archive  # noqa: E402
from nianbao.demo.server import SamplePortals  # noqa: E402


def used_bytes(db: Path) -> int:
    """Bytes the database occupies once the WAL is folded in (free pages not counted)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, free, size = (conn.execute(f"PRAGMA {p}").fetchone()[0]
                         for p in ("page_count", "freelist_count", "page_size"))
    conn.close()
    return (pages - free) * size


def counts(db: Path) -> dict:
    conn = sqlite3.connect(db)
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("captures", "blobs", "versions", "documents", "reports")}
    conn.close()
    return out


def fetch_store(portals: SamplePortals, db: Path) -> None:
    from nianbao.archive.capture import Capture
    from nianbao.extract import extract_document

    urls = [("page", u, None) for u in portals.start_urls]
    for g in portals.gold_reports():
        urls.append(("page", g.url, None))
        if g.attachment_url:
            urls.append(("attachment", g.attachment_url, g.url))
    urls += [("page", t, None) for t in portals.traps()]
    with Archive(db) as ar:
        run = ar.start_run(sorted({u.split("/")[2] for _, u, _ in urls}), {"via": "fetch"})
        for kind, url, parent in urls:
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    status, headers, body, final = r.status, dict(r.headers.items()), r.read(), r.url
            except urllib.error.HTTPError as e:
                status, headers, body, final = e.code, dict(e.headers.items()), e.read(), url
            headers = {k.lower(): v for k, v in headers.items()}
            doc = extract_document(body, final, headers) if status == 200 else None
            ar.store_page(run, Capture(url=url, final_url=final, canonical_url=final,
                                        site=url.split("/")[2], status=status, headers=headers,
                                        body=body, kind=kind, parent_url=parent,
                                        fetched_at=datetime.now(timezone.utc).isoformat()), doc)
        ar.finish_run(run, {})


def blob_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    out = {r[0] for r in conn.execute("SELECT sha256 FROM blobs")}
    conn.close()
    return out


def compression(db: Path, exclude: set[str] = frozenset()) -> dict:
    conn = sqlite3.connect(db)
    raw = stored = zl = 0
    full = delta = 0
    for digest, size, codec, data_len in conn.execute(
            "SELECT sha256, size, codec, length(data) FROM blobs"):
        if digest in exclude:
            continue
        body = blobs.read(conn, digest)
        raw += size
        stored += data_len
        zl += len(zlib.compress(body, 6))
        full += codec == "zstd"
        delta += codec == "zstd-delta"
    conn.close()
    return {"raw": raw, "stored": stored, "zlib": zl, "full": full, "delta": delta}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recrawls", type=int, default=10, help="unchanged recrawls after the first")
    ap.add_argument("--via", choices=["crawl", "fetch"],
                    default="crawl" if importlib.util.find_spec("nianbao.launch") else "fetch",
                    help="real Scrapy crawls, or fetch-and-store of the portals' known URLs")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp, SamplePortals(port=0) as portals:
        db = Path(tmp) / "bench.db"
        if args.via == "crawl":
            from nianbao.launch import crawl

            def once():
                crawl(portals.start_urls, str(db))
        else:
            def once():
                fetch_store(portals, db)

        once()
        first_bytes, first = used_bytes(db), counts(db)
        for _ in range(args.recrawls):
            once()
        last_bytes, last = used_bytes(db), counts(db)
        comp = compression(db)
        # one recrawl after the portals' second state: chrome churn on every page (plus one
        # edit, one removal, one addition) — what the deltas are for
        seen = blob_ids(db)
        portals.set_state("second")
        once()
        churn = compression(db, exclude=seen)
        churn_versions = counts(db)["versions"] - last["versions"]

    reports = max(first["reports"], 1)
    pages_per_crawl = first["captures"]
    added_captures = last["captures"] - first["captures"]
    per_page = (last_bytes - first_bytes) / max(added_captures, 1)
    rows = [
        ("crawl method", args.via, ""),
        ("reports / pages per crawl", f"{first['reports']} / {pages_per_crawl}", ""),
        ("first crawl: bytes on disk per report", f"{first_bytes / reports:,.0f}",
         f"{first_bytes:,} B total"),
        (f"after {args.recrawls} unchanged recrawls: bytes per report", f"{last_bytes / reports:,.0f}",
         f"{last_bytes:,} B total"),
        ("recrawl: bytes added per page per recrawl", f"{per_page:,.0f}",
         "target < 1024: " + ("PASS" if per_page < 1024 else "FAIL")),
        ("recrawls: rows added (captures / versions / blobs)",
         f"{added_captures} / {last['versions'] - first['versions']} / {last['blobs'] - first['blobs']}",
         "only captures expected"),
        ("raw bodies: distinct / full / delta blobs", f"{first['blobs']} -> {last['blobs']}",
         f"{comp['full']} full, {comp['delta']} delta"),
        ("compression ratio raw:stored (ours, zstd+delta)", f"{comp['raw'] / max(comp['stored'], 1):.2f}",
         f"{comp['raw']:,} -> {comp['stored']:,} B"),
        ("compression ratio raw:stored (baseline zlib-6)", f"{comp['raw'] / max(comp['zlib'], 1):.2f}",
         f"ours is {comp['zlib'] / max(comp['stored'], 1):.2f}x smaller"),
        ("churned recrawl (state 2): new bodies, full / delta", f"{churn['full'] + churn['delta']}",
         f"{churn['full']} full, {churn['delta']} delta; {churn_versions} new versions"),
        ("churned recrawl: stored bytes per new body (ours)",
         f"{churn['stored'] / max(churn['full'] + churn['delta'], 1):,.0f}",
         f"raw {churn['raw'] / max(churn['full'] + churn['delta'], 1):,.0f} B"),
        ("churned recrawl: stored bytes per new body (zlib-6)",
         f"{churn['zlib'] / max(churn['full'] + churn['delta'], 1):,.0f}",
         f"ours is {churn['zlib'] / max(churn['stored'], 1):.1f}x smaller"),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"{'metric':<{w0}}  {'value':>{w1}}  note")
    print(f"{'-' * w0}  {'-' * w1}  ----")
    for a, b, c in rows:
        print(f"{a:<{w0}}  {b:>{w1}}  {c}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
