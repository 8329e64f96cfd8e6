"""Hostile robots.txt files, by a real `nianbao crawl` process against one sample portal
(trs): its normal robots.txt, then one of `--mb` MB (the fault mode's `robots-huge`: the
real rules first, then line after line of Disallow rules), then one that answers 503
(`robots-503`, on the pdf portal). Per case: the crawl process's peak resident memory
(its own high-water mark, as the crawl logs it in `runs.stats`: ru_maxrss from wait4 would
include this process's memory, which survives fork and exec), its wall time, the robots.txt bytes the portal was asked for and
the reports archived. Prints one table.

    python bench/robots.py [--mb 50]
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nianbao.demo.faults import FaultMode  # noqa: E402
from nianbao.demo.server import SamplePortals  # noqa: E402


class Asked:
    """Requests for robots.txt per portal (the fault hook's view, before the fault answers)."""

    def __init__(self, fault: FaultMode | None):
        self.fault = fault
        self.lock = threading.Lock()
        self.robots: dict[str, int] = {}

    def __call__(self, portal, req):
        if req.path == "/robots.txt":
            with self.lock:
                self.robots[portal.name] = self.robots.get(portal.name, 0) + 1
        return self.fault(portal, req) if self.fault is not None else None


def crawl_peak(url: str, db: Path) -> tuple[int, float, float]:
    """Exit code, peak RSS (MB, the crawl's own) and wall seconds of one `nianbao crawl` of `url`."""
    argv = [sys.executable, "-m", "nianbao", "crawl", url, "--db", str(db), "--progress", "off",
            "--set", "AUTOTHROTTLE_ENABLED=false"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    conn = sqlite3.connect(db)
    try:
        (stats,) = conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return proc.returncode, json.loads(stats)["ops"]["nianbao/progress/peak_rss_mb"], wall


def measure(case: str, portal: str, fault: FaultMode | None, workdir: Path) -> dict:
    asked = Asked(fault)
    with SamplePortals(port=0, fault=asked) as portals:
        p = portals.portal(portal)
        db = workdir / f"{case}.db"
        rc, peak, wall = crawl_peak(p.start_url, db)
        conn = sqlite3.connect(db)
        reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        conn.close()
    return {"case": case, "portal": portal, "rc": rc, "peak": peak, "wall": wall,
            "robots": asked.robots.get(portal, 0), "reports": reports}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=50, help="size of the huge robots.txt in MB (default 50)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        rows.append(measure("normal robots.txt", "trs", None, Path(tmp)))
        rows.append(measure(f"robots.txt of {args.mb} MB", "trs",
                            FaultMode(["robots-huge"], robots_bytes=args.mb * 1024 * 1024), Path(tmp)))
        rows.append(measure("robots.txt answers 503", "pdf", FaultMode(["robots-503"]), Path(tmp)))
    print(f"{'case':<24} {'portal':<7} {'exit':>4} {'peak RSS MB':>11} {'wall s':>7} "
          f"{'robots asks':>11} {'reports':>7}")
    for r in rows:
        print(f"{r['case']:<24} {r['portal']:<7} {r['rc']:>4} {r['peak']:>11.0f} {r['wall']:>7.1f} "
              f"{r['robots']:>11} {r['reports']:>7}")
    normal, huge, closed = rows
    misses = []
    if huge["peak"] > 1.5 * normal["peak"] or huge["reports"] != normal["reports"]:
        misses.append(f"the huge robots.txt cost {huge['peak']:.0f} MB (normal {normal['peak']:.0f} MB) "
                      f"and found {huge['reports']} reports (normal {normal['reports']})")
    if closed["reports"]:
        misses.append(f"a robots.txt answering 503 let {closed['reports']} reports be archived")
    for m in misses:
        print("MISS:", m)
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
