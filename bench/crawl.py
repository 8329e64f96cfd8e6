"""Crawl quality and cost per portal family and real-web case: render on demand vs render
always, one run.

Each sample portal is crawled on its own, from its start URL, into a fresh archive, once
with `--render auto` (ours: a browser only for loading shells) and once with
`--render always` (the baseline: every page through Chromium). Per family and mode:

- found / exist: gold reports robots.txt allows that the crawl fetched (status 200),
  and how many of them the archive's `reports` view lists (end to end, extraction too);
- requests per report found: every request the crawl sent (robots.txt, pages, list APIs,
  retries, browser page loads) over the reports found; everything the browser asked the
  portal for (page loads, scripts, styles, XHR) is counted from the portal's own log;
- renders per shell page: browser renders over the pages that really are shells (the
  pages the auto crawl found to be shells); 0 renders where nothing needs a browser;
- robots violations: requests in the portal's own log that its robots.txt disallows
  (browser sub-requests included);
- wall time of the crawl (a fresh process each, browser start included).

The real-web portals (demo/portals/realweb.py: redirects, an alias host, a file host, gzip,
a POST list API, a sitemap-only column, a JavaScript challenge, ...) get a row each, named
by the behaviour they show; a crawl's requests and renders are summed over every site it
touched (a file host included).

Prints one table; exits 1 when a target is missed (auto: every allowed report found,
renders only on shells, zero robots violations).

    .venv/bin/python bench/crawl.py [--families trs,spa] [--scale N]
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from protego import Protego  # noqa: E402

from nianbao.demo.messages import Request  # noqa: E402
from nianbao.demo.server import SamplePortals  # noqa: E402
from nianbao.launch import crawl, user_agent  # noqa: E402


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, str, str, str]] = []

    def __call__(self, portal, req):
        with self.lock:
            q = "&".join(f"{k}={v[0]}" for k, v in req.query.items())
            self.rows.append((portal.name, (req.headers.get("host") or "").rsplit(":", 1)[0],
                              req.path + ("?" + q if q else ""), req.headers.get("user-agent", "")))
        return None

    def take(self, name: str) -> list[tuple[str, str]]:
        """(host, path) of every request the portal answered since the last take."""
        with self.lock:
            mine = [(h, p) for n, h, p, _ in self.rows if n == name]
            self.rows.clear()
        return mine


def robots_of(portal, host: str) -> Protego:
    """The robots.txt the portal serves under `host` (a file host has its own)."""
    answer = portal.handle(Request.from_target("GET", "/robots.txt", headers={"host": host}))
    text = answer.body.decode("utf-8", "replace") if answer.status == 200 else ""
    return Protego.parse(text)


def case_of(portal) -> str:
    return getattr(portal, "case", "") or portal.family


def measure(portals: SamplePortals, log: Log, name: str, mode: str, workdir: Path) -> dict:
    portal = portals.portal(name)
    gold = [g for g in portals.gold_reports() if g.portal == name]
    allowed = {g.url for g in gold if not g.robots_disallowed}
    db = workdir / f"{name}-{mode}.db"
    log.take(name)
    t0 = time.perf_counter()
    stats = crawl([portal.start_url], db, render=mode, log_level="WARNING")
    wall = time.perf_counter() - t0
    requests_seen = log.take(name)
    conn = sqlite3.connect(db)
    fetched = {r[0] for r in conn.execute(
        "SELECT canonical_url FROM captures WHERE status = 200 AND kind = 'page'")}
    listed = {r[0] for r in conn.execute("SELECT url FROM reports")}
    conn.close()
    ua = user_agent(None)
    robots = {h: robots_of(portal, h) for h in {h for h, _ in requests_seen}}
    violations = [p for h, p in requests_seen if not robots[h].can_fetch(f"http://{h or '127.0.0.1'}{p}", ua)]
    rows = stats["sites"].values()            # every site the crawl touched (a file host too)
    found = allowed & fetched
    return {
        "family": name, "case": case_of(portal), "mode": mode, "exist": len(allowed),
        "found": len(found), "archived": len(allowed & listed),
        "requests": sum(r.get("requests", 0) for r in rows),
        "server_requests": len(requests_seen), "renders": sum(r.get("renders", 0) for r in rows),
        "shells": sum(r.get("shells", 0) for r in rows), "violations": len(violations), "wall": wall,
    }


def fmt_ratio(num: float, den: float) -> str:
    return f"{num / den:.2f}" if den else ("0" if not num else "inf")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", help="comma-separated portal names (default: all)")
    ap.add_argument("--scale", type=int, default=1, help="news column length multiplier")
    args = ap.parse_args()
    log = Log()
    rows = []
    with SamplePortals(port=0, scale=args.scale, fault=log) as portals, \
            tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        names = args.families.split(",") if args.families else [p.name for p in portals.portals]
        for name in names:
            auto = measure(portals, log, name, "auto", Path(tmp))
            always = measure(portals, log, name, "always", Path(tmp))
            always["shell_pages"] = auto["shells"]     # shells are a property of the site
            auto["shell_pages"] = auto["shells"]
            rows += [auto, always]

    head = (f"{'portal':<11} {'behaviour':<26} {'render':<7} {'found/exist':>11} {'archived':>8} {'requests':>8} "
            f"{'req/report':>10} {'browser reqs':>12} {'renders':>7} {'shell pgs':>9} "
            f"{'renders/shell':>13} {'robots viol':>11} {'wall s':>7}")
    print(head)
    print("-" * len(head))
    misses = []
    for r in rows:
        print(f"{r['family']:<11} {r['case'][:26]:<26} {r['mode']:<7} {r['found']:>5}/{r['exist']:<5} {r['archived']:>8} "
              f"{r['requests']:>8} {fmt_ratio(r['requests'], r['found']):>10} "
              f"{r['server_requests'] - r['requests'] + r['renders']:>12} {r['renders']:>7} "
              f"{r['shell_pages']:>9} {fmt_ratio(r['renders'], r['shell_pages']):>13} "
              f"{r['violations']:>11} {r['wall']:>7.1f}")
        if r["mode"] == "auto":
            if r["found"] < r["exist"]:
                misses.append(f"{r['family']}: found {r['found']} of {r['exist']} reports")
            if r["renders"] != r["shell_pages"]:
                misses.append(f"{r['family']}: {r['renders']} renders for {r['shell_pages']} shell pages")
        if r["violations"]:
            misses.append(f"{r['family']} ({r['mode']}): {r['violations']} robots.txt violations")
    print("-" * len(head))
    for mode in ("auto", "always"):
        sel = [r for r in rows if r["mode"] == mode]
        found, exist = sum(r["found"] for r in sel), sum(r["exist"] for r in sel)
        req, ren = sum(r["requests"] for r in sel), sum(r["renders"] for r in sel)
        shells, wall = sum(r["shell_pages"] for r in sel), sum(r["wall"] for r in sel)
        sub = sum(r["server_requests"] - r["requests"] + r["renders"] for r in sel)
        print(f"{'all':<11} {'':<26} {mode:<7} {found:>5}/{exist:<5} {sum(r['archived'] for r in sel):>8} "
              f"{req:>8} {fmt_ratio(req, found):>10} {sub:>12} {ren:>7} {shells:>9} "
              f"{fmt_ratio(ren, shells):>13} {sum(r['violations'] for r in sel):>11} {wall:>7.1f}")
    a = [r for r in rows if r["mode"] == "auto"]
    b = [r for r in rows if r["mode"] == "always"]
    print(f"\nrender-always / render-on-demand: wall {sum(r['wall'] for r in b) / sum(r['wall'] for r in a):.2f}x, "
          f"renders {sum(r['renders'] for r in b)} vs {sum(r['renders'] for r in a)}, "
          f"requests {sum(r['requests'] for r in b)} vs {sum(r['requests'] for r in a)}")
    print("requests: what the crawler sent (robots.txt, pages, APIs, retries, browser page loads); "
          "browser reqs: what the portal saw from Chromium (page loads plus scripts, styles, XHR)")
    if misses:
        print("\nTARGETS MISSED:\n  " + "\n  ".join(misses))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
