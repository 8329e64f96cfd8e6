"""`nianbao reextract`: versions rebuilt from stored raw bytes; captures untouched."""
from __future__ import annotations

import argparse
from pathlib import Path

from nianbao.archive.store import Archive
from tests.support.archive import BASE, page, report_doc
from nianbao.commands import reextract
from nianbao.extract import EXTRACTOR_VERSION, extract_document

from tests.support import REAL_PAGES


def _captures(conn):
    return conn.execute("SELECT * FROM captures ORDER BY id").fetchall()


def test_reextract_rebuilds_versions_from_raw_bytes(tmp_path, capsys):
    db = tmp_path / "a.db"
    real = (REAL_PAGES / "deqing-gov-article.html").read_bytes()
    url = BASE + "/art/2022/1/1/art_1_1.html"
    with Archive(db) as ar:
        run = ar.start_run([BASE], {})
        # an "old extractor" got this page wrong: a stale text and title
        ar.store_page(run, page(url, real), report_doc(url, "旧提取器的错误正文", title="旧标题"))
        ar.finish_run(run, {})
        before = _captures(ar.conn)
        vid = ar.conn.execute("SELECT id FROM versions").fetchone()[0]

    assert reextract.run(argparse.Namespace(db=str(db))) == 0
    assert "re-extracted 1 of 1 versions (1 with changed text" in capsys.readouterr().out

    expected = extract_document(real, url, {"content-type": "text/html; charset=utf-8"})
    with Archive(db) as ar:
        assert _captures(ar.conn) == before
        row = ar.conn.execute("SELECT id, title, text, extractor_version, is_report FROM versions").fetchone()
        assert row == (vid, expected.title, expected.text, EXTRACTOR_VERSION, int(expected.is_report))
        assert "旧" not in row[1]


def test_reextract_keeps_going_after_one_bad_body(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as ar:
        run = ar.start_run([BASE], {})
        ar.store_page(run, page("/r/1.html", "<html>一</html>"), report_doc(BASE + "/r/1.html"))
        ar.store_page(run, page("/r/2.html", "<html>二</html>"), report_doc(BASE + "/r/2.html"))

        from nianbao.archive.reextract import reextract as rx

        def picky(body, url, headers):
            if url.endswith("1.html"):
                raise ValueError("cannot parse")
            return extract_document(body, url, headers)

        out = rx(ar, picky)
        assert out["errors"] == 1 and out["reextracted"] == 1
        assert "cannot parse" in out["failures"][0]
        versions = dict(ar.conn.execute(
            "SELECT d.url, v.extractor_version FROM versions v JOIN documents d ON d.id = v.document_id"))
        assert versions == {BASE + "/r/1.html": "test", BASE + "/r/2.html": EXTRACTOR_VERSION}
