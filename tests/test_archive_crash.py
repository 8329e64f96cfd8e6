"""SIGKILL at random moments while a real process writes the sample portals into the
archive: every kill leaves an archive that passes `nianbao check`, and a rerun completes it."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.store import Archive
from demo.server import SamplePortals

ROOT = Path(__file__).resolve().parents[1]
WRITER = Path(__file__).resolve().parent / "archive_writer.py"


def _check(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "check", "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.slow
def test_sigkill_at_random_points_then_check_passes_and_rerun_completes(tmp_path):
    seed = int(os.environ.get("NIANBAO_CRASH_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    db = tmp_path / "archive.db"
    with SamplePortals(port=0) as portals:
        gold = portals.gold_reports()
        urls = [["page", u, None] for u in portals.start_urls]
        urls += [["page", g.url, None] for g in gold]
        urls += [["attachment", g.attachment_url, g.url] for g in gold if g.attachment_url]
        urls += [["page", t, None] for t in portals.traps()]
        urls_file = tmp_path / "urls.json"
        urls_file.write_text(json.dumps(urls))

        kills = 0
        for attempt in range(4):
            proc = subprocess.Popen([sys.executable, str(WRITER), str(db), str(urls_file), "1000"],
                                    cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.8, 3.0) if attempt else 2.5)
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
            res = _check(db)
            assert res.returncode == 0, f"seed {seed}, kill {kills}:\n{res.stdout}\n{res.stderr}"

        # the next run continues and completes
        done = subprocess.run([sys.executable, str(WRITER), str(db), str(urls_file), "1"], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "done" in done.stdout, done.stderr[-2000:]
    res = _check(db)
    assert res.returncode == 0, res.stderr

    with Archive(db) as ar:
        c = ar.conn
        statuses = [r[0] for r in c.execute("SELECT status FROM runs ORDER BY id")]
        assert statuses[-1] == "finished"
        assert statuses.count("interrupted") + statuses.count("running") >= kills - 1
        # every fetched report URL is a document with exactly one version: restarts and
        # repeated passes never duplicate documents or versions of unchanged pages
        stored = {u: n for u, n in c.execute(
            "SELECT d.url, count(v.id) FROM documents d JOIN versions v ON v.document_id = d.id "
            "GROUP BY d.id")}
        for g in gold:
            assert stored.get(g.url) == 1, (seed, g.url)
        # complete captures only: a 200 capture always has its body
        assert c.execute("SELECT count(*) FROM captures WHERE status = 200 AND body_sha256 IS NULL "
                         "AND not_modified = 0").fetchone()[0] == 0
        assert c.execute("SELECT count(*) FROM reports").fetchone()[0] >= 1
