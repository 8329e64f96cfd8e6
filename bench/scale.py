"""Scale-out through Redis: the sample portals scaled up to thousands of pages, crawled by 1
and by 2 worker processes sharing one frontier in a real redis-server (plus a local crawl
without Redis for reference); pages per second, peak memory, and whether the archives are
identical (same documents, versions and text hashes), in one table.

    .venv/bin/python bench/scale.py [--scale 18] [--workers 1,2] [--no-local]

The crawl walks every page of the static portals (registry `follow: ['.']`, no request
ceiling) and stores every page (NIANBAO_STORE_ALL), so workers extract thousands of pages
and the single archive writer stores them all; the single-page-app portal is crawled as
usual (each of its pages costs a browser render). Politeness is off (it is our own
server): no AutoThrottle, --concurrency 4 per site and worker process.

Memory is sampled every 0.2 s over the whole process tree (writer, workers, their
Chromium): "peak PSS" is the largest total proportional set size seen (shared pages
counted once), "max python RSS" the resident size of the largest writer or worker.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from nianbao.demo.server import SamplePortals  # noqa: E402
from tests.support.ops import redis_server  # noqa: E402


def tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB; PSS shares pages between the processes that map them,
    so the PSS of a process tree adds up without counting shared Chromium pages N times."""
    rss = pss = 0.0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def is_python(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"python" in fh.read().split(b"\0")[0]
    except OSError:
        return False


class MemorySampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_total = 0.0          # PSS of the whole tree, MB
        self.peak_python = 0.0         # RSS of the largest Python process (writer or worker), MB
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            pids = tree(self.pid)
            sizes = {p: memory_mb(p) for p in pids}
            self.peak_total = max(self.peak_total, sum(pss for _, pss in sizes.values()))
            self.peak_python = max([self.peak_python] + [sizes[p][0] for p in pids if is_python(p)])
            self.stop.wait(0.2)


def archive_fingerprint(db: Path) -> dict:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            "documents": sorted(r[0] for r in c.execute("SELECT url FROM documents WHERE merged_into IS NULL")),
            "versions": sorted(c.execute("SELECT d.url, v.seq, v.text_hash FROM versions v "
                                         "JOIN documents d ON d.id = v.document_id")),
            "reports": sorted(c.execute("SELECT url, title, year, versions FROM reports")),
        }
    finally:
        c.close()


def crawl(label: str, argv: list[str], db: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    log = db.with_suffix(".log")
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "nianbao", "crawl", *argv, "--db", str(db)],
                                cwd=ROOT, env=env, stdout=fh, stderr=fh)
        sampler = MemorySampler(proc.pid)
        sampler.start()
        code = proc.wait()
        sampler.stop.set()
        sampler.join()
    wall = time.monotonic() - start
    if code != 0:
        raise SystemExit(f"{label}: crawl failed (exit {code}), see {log}")
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    fetched = c.execute("SELECT count(*) FROM captures WHERE status IS NOT NULL").fetchone()[0]
    failed = c.execute("SELECT count(*) FROM captures WHERE status IS NULL OR status >= 400").fetchone()[0]
    reports = c.execute("SELECT count(*) FROM reports").fetchone()[0]
    c.close()
    return {"label": label, "wall": wall, "pages": fetched, "failed": failed, "reports": reports,
            "peak_total": sampler.peak_total, "peak_python": sampler.peak_python,
            "fingerprint": archive_fingerprint(db)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=18, help="sample portal scale (18: ~5,900 pages crawled)")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare (default: 1,2)")
    ap.add_argument("--no-local", action="store_true", help="skip the reference crawl without Redis")
    ap.add_argument("--keep", metavar="DIR", help="keep the archives and logs in DIR")
    args = ap.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    common = ["--depth", "100000", "--max-pages", "100000", "--concurrency", "4", "--progress", "off",
              "--render-timeout", "40",
              "--set", "NIANBAO_STORE_ALL=true", "--set", "AUTOTHROTTLE_ENABLED=false",
              "--log-level", "WARNING"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nianbao-scale-") as tmp, \
            SamplePortals(port=0, scale=args.scale) as portals:
        tmp = Path(args.keep) if args.keep else Path(tmp)
        tmp.mkdir(parents=True, exist_ok=True)
        entries = []
        for p in portals.portals:
            e = {"name": p.name, "start_urls": [p.base_url + "/"]}
            if p.family != "spa":             # every page of the static portals
                e.update(follow=["."], max_pages=100000)
            entries.append(e)
        registry = tmp / "portals.yaml"
        registry.write_text(yaml.safe_dump({"portals": entries}), encoding="utf-8")
        served = sum(len(p.paths("first")) + sum(c.pages("first") for c in p.columns.values())
                     for p in portals.portals)
        print(f"sample portals at scale {args.scale}: {served} pages served", file=sys.stderr)
        with redis_server(tmp) as url:
            for n in counts:
                print(f"crawling with {n} worker(s) through Redis ...", file=sys.stderr)
                rows.append(crawl(f"redis, {n} worker{'s' if n > 1 else ''}",
                                  ["--portals", str(registry), *common, "--redis", url,
                                   "--redis-prefix", f"bench{n}", "--workers", str(n)], tmp / f"w{n}.db"))
        if not args.no_local:
            print("crawling locally without Redis ...", file=sys.stderr)
            rows.append(crawl("local, no Redis", ["--portals", str(registry), *common], tmp / "local.db"))

    base = rows[0]
    head = (f"{'crawl':<20} {'pages':>7} {'failed':>6} {'reports':>7} {'wall s':>7} {'pages/s':>8} "
            f"{'speedup':>7} {'peak PSS MB':>11} {'max python RSS':>14} {'archive = 1 worker':>18}")
    print(head)
    for r in rows:
        same = r["fingerprint"] == base["fingerprint"]
        print(f"{r['label']:<20} {r['pages']:>7} {r['failed']:>6} {r['reports']:>7} {r['wall']:>7.1f} "
              f"{r['pages'] / r['wall']:>8.1f} {base['wall'] / r['wall']:>6.2f}x {r['peak_total']:>11.0f} "
              f"{r['peak_python']:>14.0f} {'identical' if same else 'DIFFERENT':>18}")
    load = os.getloadavg()
    print(f"(machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
          f"at the end)")
    fp = base["fingerprint"]
    print(f"(archive: {len(fp['documents'])} documents, {len(fp['versions'])} versions, "
          f"{len(fp['reports'])} reports; identical = same documents, versions and text hashes)")
    for r in rows[1:]:
        for key in ("reports", "documents", "versions"):
            a, b = set(fp[key]), set(r["fingerprint"][key])
            if a != b:
                print(f"{r['label']}: {key} only with 1 worker: {sorted(a - b)[:5]}; only here: "
                      f"{sorted(b - a)[:5]}")
    if args.keep:
        print(f"(archives kept in {args.keep})")
    return 0 if all(r["fingerprint"] == base["fingerprint"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
