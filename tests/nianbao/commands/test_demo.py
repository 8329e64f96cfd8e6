"""`nianbao demo --no-serve`: the sample portals crawled into an archive, in one command."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow      # a whole crawl in a subprocess


def test_demo_crawls_every_sample_portal(tmp_path):
    db = tmp_path / "demo.db"
    proc = subprocess.run([sys.executable, "-m", "nianbao", "demo", "--db", str(db), "--no-serve"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Sample portals:" in proc.stdout and proc.stdout.count("http://127.0.0.1:") >= 7
    conn = sqlite3.connect(db)
    reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    sites = conn.execute("SELECT count(DISTINCT site) FROM reports").fetchone()[0]
    conn.close()
    assert reports >= 17 and sites == 8
