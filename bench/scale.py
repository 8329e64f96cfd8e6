"""Scale: a national crawl's costs, measured through `nianbao crawl` and its Redis writer on
the sample portals, in one run. Three tables:

1. Scale-out where the network is the bottleneck. `--sites` sample sites (all families, so
   single-page apps need Chromium renders) answer after `--latency` seconds, as across a
   network; politeness is on (`--concurrency 1`, `--delay`, AutoThrottle); each worker
   process stands for one machine whose network carries `--worker-requests` requests at once
   (NIANBAO_WIRE_REQUESTS; it may hold `--worker-taken` requests in all, CONCURRENT_REQUESTS,
   so that requests waiting out a site's pace do not keep its wire idle). The sites are crawled as a real crawl crawls them (reports found
   through the site's columns; `--every-page`: every page of the static sites), every page
   fetched stored. The crawl runs through one redis-server with 1, 2 and 4 workers:
   pages/s, speedup (of wall time, and of the crawl from its first page fetched to its last,
   without start-up), the most requests any site was answering at once (the portal server's
   own count: 1 = politeness held across the cluster), CPU seconds per page (every process
   of the crawl), peak memory (the writer's RSS, the largest worker's RSS, all Chromium
   processes' PSS), and whether the archives are identical (documents, versions, hashes).
2. The single archive writer, the ceiling of the design: what real workers pushed to Redis
   in a crawl without latency, stored by ArchiveWriter once a transaction per page (batch 1)
   and once in batches: pages per second of storing.
3. CPU per page against `scrapy bench`, in turn, twice: the full pipeline (a local crawl
   of the static portals fetching, extracting and storing every page, no politeness, no
   latency) and Scrapy's own benchmark spider (links only, nothing stored): pages/s.

`--long N` instead crawls N pages or more (renders included) with 2 workers and prints
memory at every tenth of the way: the writer, each worker, Chromium.

    .venv/bin/python bench/scale.py [--sites 240] [--latency 0.2] [--workers 1,2,4] [--only out,writer,cpu]
    .venv/bin/python bench/scale.py --long 100000

Memory is sampled every 0.5 s from /proc over the crawl's process tree; CPU is the
children's rusage of the whole tree. The sample portals' server runs in this process: its
CPU is "the network" and is not counted.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pickle
import re
import resource
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

from nianbao.crawler import settings as defaults  # noqa: E402
from nianbao.crawler.distributed import keys  # noqa: E402
from nianbao.crawler.distributed.writer import ArchiveWriter  # noqa: E402
from nianbao.demo.server import SamplePortals  # noqa: E402
from tests.support.ops import redis_server  # noqa: E402

STATIC = ("trs", "hanweb", "ssi", "big5", "tw", "pdf")


# -- processes ------------------------------------------------------------------------------
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
    """(RSS, PSS) of a process in MB; PSS shares pages between the processes mapping them,
    so the PSS of many Chromium processes adds up without counting shared pages N times."""
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


def role(pid: int, root: int) -> str:
    """writer (the process we started), worker (`--join`), browser (Chromium, Playwright)."""
    if pid == root:
        return "writer"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return "other"
    if b"--join" in argv:
        return "worker"
    if b"chrom" in argv[0] or b"playwright" in b" ".join(argv) or argv[0].endswith(b"node"):
        return "browser"
    return "other"


class MemorySampler(threading.Thread):
    """Peak memory per role over a crawl's process tree; `series` keeps a sample whenever
    `progress()` passed the next checkpoint (for --long)."""

    def __init__(self, pid: int, interval: float = 0.5, progress=None, checkpoints=()):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = {"writer": 0.0, "worker": 0.0, "browser": 0.0, "total": 0.0}
        self.progress = progress
        self.checkpoints = list(checkpoints)
        self.series: list[dict] = []
        self.window_worker = 0.0        # the largest worker since the last checkpoint
        self.stop = threading.Event()
        self.started = time.monotonic()

    def sample(self) -> dict:
        now = {"writer": 0.0, "worker": 0.0, "browser": 0.0, "total": 0.0, "workers": []}
        for p in tree(self.pid):
            rss, pss = memory_mb(p)
            r = role(p, self.pid)
            now["total"] += pss
            if r == "writer":
                now["writer"] = rss
            elif r == "worker":
                now["workers"].append(rss)
                now["worker"] = max(now["worker"], rss)
            elif r == "browser":
                now["browser"] += pss
        return now

    def run(self):
        while not self.stop.is_set():
            now = self.sample()
            for k in self.peak:
                self.peak[k] = max(self.peak[k], now[k])
            self.window_worker = max(self.window_worker, now["worker"])
            if self.progress is not None and self.checkpoints:
                done = self.progress()
                if done >= self.checkpoints[0]:
                    self.checkpoints.pop(0)
                    self.series.append({**now, "pages": done, "t": time.monotonic() - self.started,
                                        "window_worker": self.window_worker})
                    self.window_worker = 0.0
            self.stop.wait(self.interval)


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def count(db: Path, sql: str) -> int:
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return c.execute(sql).fetchone()[0]
        finally:
            c.close()
    except sqlite3.Error:
        return 0


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


def crawl(label: str, argv: list[str], db: Path, sampler_kw: dict | None = None) -> dict:
    """`nianbao crawl ARGV --db DB` in a subprocess: wall time, CPU of the whole tree, memory."""
    log = db.with_suffix(".log")
    cpu0, start = children_cpu(), time.monotonic()
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "nianbao", "crawl", *argv, "--db", str(db)],
                                cwd=ROOT, env=env(), stdout=fh, stderr=fh)
        sampler = MemorySampler(proc.pid, **(sampler_kw or {}))
        sampler.start()
        code = proc.wait()
        sampler.stop.set()
        sampler.join()
    wall, cpu = time.monotonic() - start, children_cpu() - cpu0
    if code != 0:
        raise SystemExit(f"{label}: crawl failed (exit {code}), see {log}")
    pages = count(db, "SELECT count(*) FROM captures WHERE status IS NOT NULL")
    return {"label": label, "wall": wall, "cpu": cpu, "pages": pages,
            "renders": count(db, "SELECT count(*) FROM captures WHERE rendered = 1"),
            "reports": count(db, "SELECT count(*) FROM reports"), "peak": sampler.peak,
            "series": sampler.series, "db": db}


def registry(path: Path, *portal_sets: SamplePortals, follow_all: bool) -> Path:
    """The portals as a registry; `follow_all`: every page of the static portals (a
    single-page app is crawled as usual: each of its pages is a browser render)."""
    entries = []
    for portals in portal_sets:
        for p in portals.portals:
            e = {"name": f"{p.name}@{p.base_url.rsplit(':', 1)[1]}", "start_urls": [p.base_url + "/"]}
            if follow_all and p.family != "spa":
                e.update(follow=["."], max_pages=1_000_000)
            entries.append(e)
    path.write_text(yaml.safe_dump({"portals": entries}), encoding="utf-8")
    return path


# -- 1. scale-out ---------------------------------------------------------------------------------
def scale_out(args, tmp: Path, url: str) -> list[dict]:
    rows = []
    polite = ["--depth", "100000", "--max-pages", "1000000",
              "--concurrency", "1", "--delay", str(args.delay), "--progress", "off",
              "--log-level", "WARNING", "--set", f"NIANBAO_WIRE_REQUESTS={args.worker_requests}",
              "--set", f"CONCURRENT_REQUESTS={args.worker_taken}",
              "--set", "NIANBAO_STORE_ALL=true"]
    with SamplePortals(port=0, latency=args.latency, scale=args.scale, sites=args.sites - args.spa,
                       families=STATIC) as static, \
            SamplePortals(port=0, latency=args.latency, scale=args.scale, sites=args.spa,
                          families=("spa",)) as spa:
        reg = registry(tmp / "sites.yaml", static, spa, follow_all=args.every_page)
        print(f"scale-out: {args.sites} sites ({args.spa} single-page apps), latency {args.latency:g} s, "
              f"--concurrency 1, --delay {args.delay:g}, {args.worker_requests} requests on the wire at once a worker "
              f"({args.worker_taken} taken)",
              file=sys.stderr)
        for n in args.workers:
            for p in (static, spa):
                p.reset_counts()
            print(f"  {n} worker(s) ...", file=sys.stderr)
            r = crawl(f"{n} worker{'s' if n > 1 else ''}",
                      ["--portals", str(reg), *polite, "--redis", url, "--redis-prefix", f"out{n}",
                       "--workers", str(n)], tmp / f"out{n}.db")
            r["max_in_flight"] = max(max(p.max_in_flight().values()) for p in (static, spa))
            r["robots"] = sum(sum(p.robots_served().values()) for p in (static, spa))
            r["crawl"] = fetch_span(r["db"])
            r["fingerprint"] = archive_fingerprint(r["db"])
            rows.append(r)
    return rows


def fetch_span(db: Path) -> float:
    """Seconds from the first page fetched to the last (the crawl without its start-up)."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        first, last = c.execute("SELECT min(fetched_at), max(fetched_at) FROM captures").fetchone()
    finally:
        c.close()
    from datetime import datetime
    return (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()


def print_scale_out(rows: list[dict], args) -> None:
    base = rows[0]
    print(f"\nscale-out through Redis: {args.sites} sample sites ({args.spa} of them single-page "
          f"apps: every page a render), {args.latency:g} s latency, "
          f"--concurrency 1 --delay {args.delay:g} (AutoThrottle on), {args.worker_requests} "
          f"requests on the wire at once per worker ({args.worker_taken} taken)")
    head = (f"{'workers':<10} {'pages':>6} {'renders':>7} {'reports':>7} {'wall s':>7} {'pages/s':>8} "
            f"{'speedup':>7} {'crawl s':>7} {'speedup':>7} {'max/site':>8} {'robots':>6} {'CPU ms/page':>11} {'writer MB':>9} {'worker MB':>9} "
            f"{'Chromium MB':>11} {'archive':>10}")
    print(head)
    for r in rows:
        same = r["fingerprint"] == base["fingerprint"]
        print(f"{r['label']:<10} {r['pages']:>6} {r['renders']:>7} {r['reports']:>7} {r['wall']:>7.1f} "
              f"{r['pages'] / r['wall']:>8.1f} {base['wall'] / r['wall']:>6.2f}x {r['crawl']:>7.0f} "
              f"{base['crawl'] / r['crawl']:>6.2f}x {r['max_in_flight']:>8} {r['robots']:>6} "
              f"{1000 * r['cpu'] / r['pages']:>11.1f} {r['peak']['writer']:>9.0f} {r['peak']['worker']:>9.0f} "
              f"{r['peak']['browser']:>11.0f} {'identical' if same else 'DIFFERENT':>10}")
    fp = base["fingerprint"]
    print(f"(archive: {len(fp['documents'])} documents, {len(fp['versions'])} versions, "
          f"{len(fp['reports'])} reports; identical = same documents, versions and text hashes as "
          f"1 worker; crawl s = first page fetched to last, without start-up; max/site = most "
          f"requests one site was answering at once; robots = robots.txt requests the sites got; MB = peak RSS, "
          f"Chromium: PSS of all its processes)")
    for r in rows[1:]:
        for key in ("reports", "documents", "versions"):
            a, b = set(fp[key]), set(r["fingerprint"][key])
            if a != b:
                print(f"{r['label']}: {key} only with 1 worker: {sorted(a - b)[:5]}; only here: "
                      f"{sorted(b - a)[:5]}")


# -- 2. the single writer ----------------------------------------------------------------------------
def fill_items(args, tmp: Path, url: str) -> tuple[list[bytes], int]:
    """Real workers crawl the sites without latency and push to Redis; nobody drains: the
    items they pushed, and how many are pages."""
    prefix = "fill"
    server = __import__("redis").Redis.from_url(url)
    with SamplePortals(port=0, scale=args.scale, sites=args.writer_sites, families=STATIC) as portals:
        reg = registry(tmp / "fill.yaml", portals, follow_all=True)
        from nianbao.crawler.portals import load_registry
        holder = ArchiveWriter(url, prefix, str(tmp / "fill.db"))
        holder.prepare(load_registry(reg), {})             # what workers need, and a lock
        server.set(keys.key(prefix, keys.EXPECT), 2)
        argv = [sys.executable, "-m", "nianbao", "crawl", "--redis", url, "--redis-prefix", prefix,
                "--join", "--workers", "2", "--progress", "off", "--log-level", "WARNING",
                "--concurrency", "4", "--depth", "100000", "--max-pages", "1000000",
                "--set", "NIANBAO_STORE_ALL=true", "--set", "AUTOTHROTTLE_ENABLED=false",
                "--set", "NIANBAO_REDIS_MAX_BACKLOG=10000000"]
        print(f"writer: filling Redis from {args.writer_sites} sites, every page, 2 workers ...", file=sys.stderr)
        with open(tmp / "fill.log", "w") as fh:
            code = subprocess.run(argv, cwd=ROOT, env=env(), stdout=fh, stderr=fh).returncode
        if code != 0:
            raise SystemExit(f"filling workers failed (exit {code}), see {tmp / 'fill.log'}")
        items = server.lrange(keys.key(prefix, keys.ITEMS), 0, -1)
        holder.abort()
    pages = sum(1 for raw in items if pickle.loads(raw)[0] == "page")
    return items, pages


def drain(url: str, items: list[bytes], batch: int, db: Path) -> dict:
    prefix = f"drain{batch}"
    writer = ArchiveWriter(url, prefix, str(db), batch=batch)
    writer.prepare(writer_portals(), {})
    server = writer.server
    for i in range(0, len(items), 1000):
        server.rpush(keys.key(prefix, keys.ITEMS), *items[i:i + 1000])
    server.set(keys.key(prefix, keys.WORKERS_STARTED), 1)      # the workers have come and gone
    with contextlib.redirect_stderr(io.StringIO()):          # its per-site table
        result = writer.drain(poll=0.05)
    w = result["distributed"]["writer"]
    return {"batch": batch, "stored": w["stored"], "seconds": w["busy_seconds"]}


def writer_portals():
    from nianbao.crawler.portals import Portal
    return [Portal(name="bench", start_urls=["http://bench.test/"])]


def print_writer(results: list[dict], pages: int, items: int, best_crawl: float | None) -> None:
    print(f"\nthe single archive writer: {items} items ({pages} pages, the rest list links) that "
          f"real workers pushed, stored into a fresh archive")
    print(f"{'batch':>6} {'pages':>6} {'storing s':>9} {'pages/s':>8} {'speedup':>7}")
    base = results[0]
    for r in results:
        print(f"{r['batch']:>6} {r['stored']:>6} {r['seconds']:>9.1f} {r['stored'] / r['seconds']:>8.1f} "
              f"{base['seconds'] / r['seconds']:>6.2f}x")
    if best_crawl:
        best = max(r["stored"] / r["seconds"] for r in results)
        print(f"(the fastest crawl above delivered {best_crawl:.1f} pages/s: the writer's ceiling is "
              f"{best / best_crawl:.1f}x that)")


# -- 3. CPU per page against scrapy bench ----------------------------------------------------------
def pipeline_run(args, tmp: Path, i: int) -> dict:
    with SamplePortals(port=0, scale=args.cpu_scale, families=STATIC) as portals:
        reg = registry(tmp / "cpu.yaml", portals, follow_all=True)
        db = tmp / f"cpu{i}.db"
        r = crawl("pipeline", ["--portals", str(reg), "--depth", "100000", "--max-pages", "1000000",
                               "--concurrency", "8", "--progress", "off",
                               "--log-level", "WARNING", "--set", "NIANBAO_STORE_ALL=true",
                               "--set", "AUTOTHROTTLE_ENABLED=false"], db)
    c = sqlite3.connect(db)
    started, finished = c.execute("SELECT started_at, finished_at FROM runs").fetchone()
    c.close()
    from datetime import datetime
    span = (datetime.fromisoformat(finished.rstrip("Z")) - datetime.fromisoformat(started.rstrip("Z"))).total_seconds()
    return {"label": "nianbao crawl", "pages": r["pages"], "seconds": span, "cpu": r["cpu"]}


def scrapy_bench(seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:            # not the project: Scrapy's defaults
        cpu0 = children_cpu()
        proc = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds:.0f}"],
                              cwd=tmp, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
        cpu = children_cpu() - cpu0
    pages = int(re.search(r"'response_received_count': (\d+)", proc.stderr).group(1))
    span = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", proc.stderr).group(1))
    return {"label": "scrapy bench", "pages": pages, "seconds": span, "cpu": cpu}


def print_cpu(rows: list[dict]) -> None:
    print("\nCPU per page: the full pipeline (fetch, extract, store every page of the static sample "
          "portals; one process) against `scrapy bench` (links only), in turn")
    print(f"{'run':<16} {'pages':>6} {'crawl s':>7} {'pages/s':>8} {'CPU ms/page':>11}")
    for r in rows:
        print(f"{r['label']:<16} {r['pages']:>6} {r['seconds']:>7.1f} {r['pages'] / r['seconds']:>8.1f} "
              f"{1000 * r['cpu'] / r['pages']:>11.1f}")
    ours = [r["pages"] / r["seconds"] for r in rows if r["label"] == "nianbao crawl"]
    theirs = [r["pages"] / r["seconds"] for r in rows if r["label"] == "scrapy bench"]
    ratios = [o / t for o, t in zip(ours, theirs)]
    print(f"pipeline / scrapy bench, pages/s: {' and '.join(f'{x:.2f}x' for x in ratios)} "
          f"(target 0.8x); CPU counts every process of each run (scrapy bench: its spider and "
          f"its server; ours: the crawl, the portals' server runs in this bench process)")


# -- --long ----------------------------------------------------------------------------------------------
def long_run(args, tmp: Path, url: str) -> None:
    # static portals with long news columns (every page followed) and single-page apps at
    # the usual size (every page a render): about args.long pages in all
    per_site = 50 * args.long_scale + 60
    static_sites = max(len(STATIC), args.long // per_site + 1)
    with SamplePortals(port=0, scale=args.long_scale, sites=static_sites, families=STATIC) as static, \
            SamplePortals(port=0, sites=args.long_spa, families=("spa",)) as spa:
        entries = [{"name": p.name, "start_urls": [p.base_url + "/"], "follow": ["."],
                    "max_pages": 1_000_000} for p in static.portals]
        entries += [{"name": f"{p.name}-app", "start_urls": [p.base_url + "/"]} for p in spa.portals]
        reg = tmp / "long.yaml"
        reg.write_text(yaml.safe_dump({"portals": entries}), encoding="utf-8")
        db = tmp / "long.db"
        marks = [args.long * k // 10 for k in range(1, 11)]
        print(f"long run: {static_sites} static sites at scale {args.long_scale} and {args.long_spa} "
              f"single-page apps, 2 workers, until every page is crawled ...", file=sys.stderr)
        r = crawl("long", ["--portals", str(reg), "--depth", "1000000", "--max-pages", "1000000",
                           "--concurrency", "4", "--progress", "off", "--log-level", "WARNING",
                           "--set", "NIANBAO_STORE_ALL=true", "--set", "AUTOTHROTTLE_ENABLED=false",
                           "--render-timeout", "40", "--redis", url, "--redis-prefix", "long",
                           "--workers", "2"], db,
                  {"interval": 2.0, "progress": lambda: count(db, "SELECT count(*) FROM captures"),
                   "checkpoints": marks})
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as c:
        dist = json.loads(c.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])["distributed"]
    budget = defaults.NIANBAO_WORKER_MAX_REQUESTS
    print(f"\nmemory over a long distributed crawl: {r['pages']} pages fetched ({r['renders']} renders), "
          f"2 workers, {r['wall'] / 60:.0f} min, {1000 * r['cpu'] / r['pages']:.1f} CPU ms/page; "
          f"workers retire after {budget} requests taken (NIANBAO_WORKER_MAX_REQUESTS): "
          f"{dist['recycled']} retirements, {dist['workers']} worker images in all")
    print(f"{'pages':>7} {'minutes':>7} {'writer RSS':>10} {'worker RSS':>16} {'worker max':>10} "
          f"{'Chromium PSS':>12} {'all PSS':>8}")
    for s in r["series"]:
        workers = "/".join(f"{x:.0f}" for x in s["workers"]) or "-"
        print(f"{s['pages']:>7} {s['t'] / 60:>7.1f} {s['writer']:>10.0f} {workers:>16} "
              f"{s['window_worker']:>10.0f} {s['browser']:>12.0f} {s['total']:>8.0f}")
    print("(worker max: the largest worker RSS sampled since the row before)")
    print(f"peaks: writer {r['peak']['writer']:.0f} MB, a worker {r['peak']['worker']:.0f} MB, "
          f"Chromium {r['peak']['browser']:.0f} MB, all processes {r['peak']['total']:.0f} MB (PSS)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=240, help="sample sites of the scale-out (default 240)")
    ap.add_argument("--spa", type=int, default=16, help="how many of them are single-page apps (default 16)")
    ap.add_argument("--scale", type=float, default=0.2,
                    help="news columns' length of the scale-out sites (0.2: 10 articles, ~28 pages a site)")
    ap.add_argument("--latency", type=float, default=0.4,
                    help="seconds each answer takes (default 0.4: at 0.2 s four workers on a 2-core "
                         "machine need more CPU than it has, and the bench measures the machine)")
    ap.add_argument("--delay", type=float, default=0.5, help="--delay of the crawls (default 0.5)")
    ap.add_argument("--worker-requests", type=int, default=2,
                    help="requests on the wire at once per worker process, all sites "
                         "(NIANBAO_WIRE_REQUESTS; default 2)")
    ap.add_argument("--worker-taken", type=int, default=8,
                    help="requests a worker may hold, waiting or on the wire (CONCURRENT_REQUESTS; default 8)")
    ap.add_argument("--every-page", action="store_true",
                    help="scale-out crawls follow every page of the static sites (default: as a real crawl does)")
    ap.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    ap.add_argument("--writer-sites", type=int, default=60,
                    help="static sites whose every page fills Redis for the writer's table (default 60)")
    ap.add_argument("--cpu-scale", type=int, default=4, help="portal scale of the CPU comparison (default 4)")
    ap.add_argument("--only", default="out,writer,cpu", help="tables to make: out,writer,cpu")
    ap.add_argument("--long", type=int, default=0, metavar="PAGES", help="the long memory run instead")
    ap.add_argument("--long-scale", type=int, default=20, help="news column scale of the long run")
    ap.add_argument("--long-spa", type=int, default=20, help="single-page-app sites of the long run")
    ap.add_argument("--keep", metavar="DIR", help="keep archives and logs in DIR")
    args = ap.parse_args()
    args.workers = [int(x) for x in args.workers.split(",")]
    only = set(args.only.split(","))
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="nianbao-scale-") as t:
        tmp = Path(args.keep or t)
        tmp.mkdir(parents=True, exist_ok=True)
        with redis_server(tmp) as url:
            if args.long:
                long_run(args, tmp, url)
                print_load(load0)
                return 0
            out = scale_out(args, tmp, url) if "out" in only else []
            writer = []
            if "writer" in only:
                items, pages = fill_items(args, tmp, url)
                for batch in (1, 200):
                    print(f"  draining with batch {batch} ...", file=sys.stderr)
                    writer.append(drain(url, items, batch, tmp / f"writer{batch}.db"))
        cpu = []
        if "cpu" in only:
            for i in range(2):
                print(f"CPU per page, round {i + 1}: our pipeline, then scrapy bench ...", file=sys.stderr)
                ours = pipeline_run(args, tmp, i)
                cpu += [ours, scrapy_bench(ours["seconds"])]
    if out:
        print_scale_out(out, args)
    if writer:
        print_writer(writer, pages, len(items), max((r["pages"] / r["wall"] for r in out), default=None))
    if cpu:
        print_cpu(cpu)
    print_load(load0)
    same = all(r["fingerprint"] == out[0]["fingerprint"] for r in out)
    return 0 if same and all(r["max_in_flight"] <= 1 for r in out) else 1


def print_load(before) -> None:
    load = os.getloadavg()
    print(f"(machine: {os.cpu_count()} CPUs shared with other work; load average {before[0]:.1f} at "
          f"the start, {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end)")


if __name__ == "__main__":
    sys.exit(main())
