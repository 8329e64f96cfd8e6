"""`nianbao check`: passes on a healthy archive, fails loudly on damage."""
from __future__ import annotations

import argparse
import sqlite3

from nianbao.archive.store import Archive
from tests.support.archive import BASE, page, report_doc
from nianbao.commands import check


def _archive(path):
    with Archive(path) as ar:
        run = ar.start_run([BASE], {})
        ar.store_page(run, page("/r/1.html", "<html>一</html>"), report_doc())
        ar.store_page(run, page("/r/1.html", "<html>一 浏览 2</html>"), report_doc())
        ar.finish_run(run, {})


def _check(path, capsys):
    rc = check.run(argparse.Namespace(db=str(path), busy_timeout=1.0))
    return rc, capsys.readouterr()


def test_healthy_archive_passes(tmp_path, capsys):
    _archive(tmp_path / "a.db")
    rc, out = _check(tmp_path / "a.db", capsys)
    assert rc == 0, out.err
    assert "OK" in out.out and "rows in reports: 1" in out.out


def test_corrupted_blob_is_reported(tmp_path, capsys):
    _archive(tmp_path / "a.db")
    conn = sqlite3.connect(tmp_path / "a.db")
    import zstandard
    conn.execute("UPDATE blobs SET data = ? WHERE rowid = 1", (zstandard.compress(b"tampered"),))
    conn.commit()
    conn.close()
    rc, out = _check(tmp_path / "a.db", capsys)
    assert rc == 1
    assert "content hash is" in out.err


def test_dangling_reference_and_broken_view_are_reported(tmp_path, capsys):
    _archive(tmp_path / "a.db")
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("UPDATE captures SET body_sha256 = 'f00' WHERE id = 1")
    conn.execute("CREATE VIEW broken AS SELECT nope FROM documents")
    conn.commit()
    conn.close()
    rc, out = _check(tmp_path / "a.db", capsys)
    assert rc == 1
    assert "capture 1: body blob missing" in out.err
    assert "view broken: not queryable" in out.err


def test_missing_archive_is_a_clear_error(tmp_path, capsys):
    rc, out = _check(tmp_path / "none.db", capsys)
    assert rc == 2 and "no archive at" in out.err
    assert not (tmp_path / "none.db").exists()


def test_a_file_that_is_not_an_archive_is_a_clear_error_and_stays_untouched(tmp_path, capsys):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    rc, out = _check(junk, capsys)
    assert rc == 2 and "not a usable SQLite archive" in out.err
    assert junk.read_bytes() == b"this is not sqlite" * 100


def test_check_runs_while_a_crawl_holds_the_write_lock(tmp_path, capsys):
    _archive(tmp_path / "a.db")
    writer = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO sites (host, first_seen) VALUES ('busy.test', 'now')")
    try:
        rc, out = _check(tmp_path / "a.db", capsys)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert rc == 0, out.err
