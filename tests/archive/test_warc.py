"""WARC export: every capture as request/response records, re-read with warcio."""
from __future__ import annotations

import argparse
import hashlib

from warcio.archiveiterator import ArchiveIterator

from nianbao.archive.store import Archive
from tests.support.archive import BASE, page, report_doc
from nianbao.commands import export_warc


def test_warc_round_trip_matches_the_captures(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as ar:
        run = ar.start_run([BASE], {})
        ar.store_page(run, page("/r/1.html", "<html>报告一</html>",
                                headers={"content-type": "text/html; charset=utf-8",
                                         "content-encoding": "gzip", "etag": '"x"'}), report_doc())
        ar.store_page(run, page("/r/1.html", "<html>报告一 v2</html>"), report_doc(text="v2"))
        ar.store_page(run, page("/r/old.html", "<html>报告一</html>", final="/r/new.html"),
                      report_doc(BASE + "/r/new.html"))
        ar.store_page(run, page("/r/gone.html", b"", 404), None)
        ar.store_page(run, page("/r/slow.html", b"", None, error="TimeoutError"), None)
        ar.finish_run(run, {})
        captures = ar.conn.execute("SELECT id, url, final_url, status, body_sha256 FROM captures "
                                   "ORDER BY id").fetchall()
    out = tmp_path / "out.warc.gz"
    assert export_warc.run(argparse.Namespace(db=str(db), out=str(out))) == 0

    responses, requests, metadata = {}, {}, {}
    with open(out, "rb") as fh:
        for rec in ArchiveIterator(fh):
            cid = rec.rec_headers.get_header("WARC-X-Capture-Id")
            if rec.rec_type == "response":
                responses[int(cid)] = (rec.rec_headers.get_header("WARC-Target-URI"),
                                       int(rec.http_headers.get_statuscode()),
                                       rec.content_stream().read(), rec)
            elif rec.rec_type == "request":
                requests[int(cid)] = rec
            elif rec.rec_type == "metadata":
                metadata[int(cid)] = rec.content_stream().read()
    assert set(requests) == {c[0] for c in captures}
    for cid, url, final_url, status, digest in captures:
        if status is None:
            assert cid not in responses and b"TimeoutError" in metadata[cid]
            continue
        target, code, body, rec = responses[cid]
        assert target == final_url and code == status
        assert (hashlib.sha256(body).hexdigest() if body else None) == digest
        req = requests[cid]
        assert req.rec_headers.get_header("WARC-Concurrent-To") == rec.rec_headers.get_header("WARC-Record-ID")
        if final_url != url:
            assert rec.rec_headers.get_header("WARC-X-Requested-URI") == url
    # the decoded body is stored, so the original Content-Encoding is kept aside, not claimed
    first = responses[captures[0][0]][3]
    assert first.http_headers.get_header("Content-Encoding") is None
    assert first.http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert first.http_headers.get_header("Etag") == '"x"'
