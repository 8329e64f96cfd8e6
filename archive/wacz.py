"""Export an archive as WACZ 1.1 (Web Archive Collection Zipped) for archivists' tools.

The WARC comes from archive/warc.py (every capture; a 304 recrawl is a `revisit`
record). `pages/pages.jsonl` lists each report at the capture that first showed its
current version, with its title and text (Simplified, as the `reports` view has it), so
replay tools can search it. The index (compressed CDXJ), the datapackage and its digest
are made by the `wacz` package (webrecorder's), whose validator checks the result.
"""
from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
import warnings
from pathlib import Path

from .warc import _warc_date, export_warc


def _pages(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute(
        "SELECT r.title, r.text, coalesce(k.final_url, k.url), k.fetched_at FROM reports r "
        "JOIN versions v ON v.id = r.version_id JOIN captures k ON k.id = v.first_capture_id "
        "WHERE k.status IS NOT NULL ORDER BY r.document_id")
    return [{"url": url, "ts": _warc_date(at), "title": title or url, "text": text or ""}
            for title, text, url, at in rows]


def _wacz_main():
    """The `wacz` command's entry point. Its indexer pulls in Py3AMF, whose import of
    pkg_resources prints a setuptools deprecation notice that no user of ours can act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        from wacz.main import main
    return main


def export_wacz(conn: sqlite3.Connection, out: str | Path, title: str = "nianbao archive") -> dict:
    """Write the WACZ at `out`; returns counts (captures, records, pages)."""
    wacz_main = _wacz_main()
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="nianbao-wacz-") as tmp:
        warc = Path(tmp) / "data.warc.gz"
        counts = export_warc(conn, warc)
        pages = _pages(conn)
        pages_file = Path(tmp) / "pages.jsonl"
        with open(pages_file, "w", encoding="utf-8") as f:
            f.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Reports 报告",
                                "hasText": True}) + "\n")
            for page in pages:
                f.write(json.dumps(page, ensure_ascii=False) + "\n")
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            rc = wacz_main(["create", "-o", str(out), "-p", str(pages_file), "--title", title,
                            "--desc", "Government information-disclosure annual reports archived by nianbao",
                            str(warc)])
        if rc != 0:
            raise RuntimeError(f"wacz create failed: {log.getvalue().strip()[-500:]}")
        unmatched = log.getvalue().count("Invalid passed page")
    return {**counts, "pages": len(pages) - unmatched}


def validate_wacz(path: str | Path) -> tuple[bool, str]:
    """The `wacz` package's own validator: (valid, what it said)."""
    wacz_main = _wacz_main()

    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        rc = wacz_main(["validate", "-f", str(path)])
    return rc == 0, log.getvalue().strip().splitlines()[-1] if log.getvalue().strip() else ""
