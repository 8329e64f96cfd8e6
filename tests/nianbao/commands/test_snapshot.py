"""`nianbao snapshot` and `nianbao export-wacz` as a person runs them."""
from __future__ import annotations

import sqlite3

from nianbao.cli import main
from tests.support import publish as sample


def test_snapshot_is_a_dated_single_file_copy_never_overwritten(tmp_path, capsys):
    db = tmp_path / "archive.db"
    sample.build(db)
    out = tmp_path / "snaps"
    out.mkdir()
    assert main(["snapshot", "--db", str(db), str(out)]) == 0
    [copy] = list(out.glob("archive-*.db"))
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == len(sample.SAMPLES)
    assert conn.execute("SELECT value FROM archive_meta WHERE key = 'snapshot_at'").fetchone()[0].endswith("Z")
    assert conn.execute("SELECT count(*) FROM search_docs").fetchone()[0] == len(sample.SAMPLES)
    conn.close()
    assert main(["snapshot", "--db", str(db), str(copy)]) == 2          # never overwrites
    assert main(["snapshot", "--db", str(tmp_path / "none.db"), str(out)]) == 2
    assert "never overwrites" in capsys.readouterr().err


def test_export_wacz_command(tmp_path, capsys):
    db = tmp_path / "archive.db"
    sample.build(db)
    assert main(["export-wacz", "--db", str(db), str(tmp_path / "a.wacz")]) == 0
    assert "the passed WACZ is valid" in capsys.readouterr().out
    assert main(["export-wacz", "--db", str(db), str(tmp_path / "a.zip")]) == 2
