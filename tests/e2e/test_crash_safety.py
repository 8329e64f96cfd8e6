"""SIGKILL at random moments of a real `nianbao crawl` of the sample portals: every kill
leaves an archive that passes `nianbao check`, and a rerun completes the archive (the same
reports, one version each, as a crawl that was never interrupted)."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.launch import crawl
from nianbao.demo.server import SamplePortals

from tests.support import ROOT
PORTALS = ("trs", "hanweb", "ssi")          # static families: no browser needed


def _nianbao(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, **kw)


def _check(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao", "check", "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def _reports(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT url, versions FROM reports"))
    finally:
        conn.close()


def _slow(portal, request):
    """A slow server (0.4 s a response) stretches the crawl's writes over seconds."""
    time.sleep(0.4)
    return None


def _captures(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    except sqlite3.OperationalError:          # schema not created yet
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_during_crawls_then_check_passes_and_rerun_completes(tmp_path):
    seed = int(os.environ.get("NIANBAO_CRASH_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    db = tmp_path / "archive.db"
    with SamplePortals(port=0, fault=_slow) as portals:
        start = [portals.portal(n).base_url + "/" for n in PORTALS]
        args = ["crawl", *start, "--db", str(db), "--render", "never", "--log-level", "ERROR"]
        kills = mid_crawl_kills = 0
        attempt = 0
        while attempt < 3 or (mid_crawl_kills < 2 and attempt < 6):
            before = _captures(db)
            proc = _nianbao(*args)
            if attempt == 0:
                time.sleep(rng.uniform(0.5, 4.0))          # anywhere, start-up included
            else:                                           # while it writes
                deadline = time.time() + 60
                while proc.poll() is None and _captures(db) == before and time.time() < deadline:
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.0, 0.4))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)     # the crawl and anything it started
                kills += 1
            proc.wait(timeout=30)
            attempt += 1
            if not db.exists():
                continue                                # killed before it created the archive
            res = _check(db)
            assert res.returncode == 0, f"seed {seed}, attempt {attempt}:\n{res.stdout}\n{res.stderr}"
            conn = sqlite3.connect(db)
            mid_crawl_kills += conn.execute(
                "SELECT count(*) FROM runs r WHERE r.id = (SELECT max(id) FROM runs) "
                "AND r.status = 'running' AND EXISTS (SELECT 1 FROM captures WHERE run_id = r.id)"
            ).fetchone()[0]
            conn.close()
        assert kills >= 2 and mid_crawl_kills >= 2, f"seed {seed}: kills landed outside the crawls' writes"

        # the next crawl continues and completes
        proc = _nianbao(*args)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-3000:]
        reference = tmp_path / "reference.db"
        crawl(start, str(reference), render="never")

    res = _check(db)
    assert res.returncode == 0, res.stderr
    got, want = _reports(db), _reports(reference)
    assert want and set(got) == set(want), f"seed {seed}"
    assert all(n == 1 for n in got.values()), f"seed {seed}: {got}"
    conn = sqlite3.connect(db)
    statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] == "finished"
    assert mid_crawl_kills <= statuses.count("interrupted") <= kills, statuses
    assert "running" not in statuses
    # complete captures only: a fetched 200 always has its body
    assert conn.execute("SELECT count(*) FROM captures WHERE status = 200 AND body_sha256 IS NULL "
                        "AND not_modified = 0").fetchone()[0] == 0
    conn.close()
