"""`nianbao demo --no-serve`: the sample portals crawled into an archive, in one command;
a second run gives the same archive; a busy port is a one-line error before any crawl."""
from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys

import pytest

from nianbao.demo.portals.realweb import RealWebPortal
from nianbao.demo.server import SamplePortals

pytestmark = pytest.mark.slow      # a whole crawl in a subprocess


def _free_range(n: int) -> int:
    """A first port with n free ports after it (checked by binding them)."""
    for start in range(20100, 30000, 50):
        socks = []
        try:
            for p in range(start, start + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return start
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise AssertionError("no free port range")


def _demo(db, *args):
    return subprocess.run([sys.executable, "-m", "nianbao", "demo", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=600)


def _counts(db, family_sites=()):
    conn = sqlite3.connect(db)
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("reports", "documents", "versions", "sites")}
    out["report_sites"] = conn.execute("SELECT count(DISTINCT site) FROM reports").fetchone()[0]
    # the family portals' pages carry their 网站标识码 (as gov.cn pages do); the real-web
    # portals' agencies (青山区, 西湖区 …) name several places or none, so may stay unknown
    marks = ", ".join("?" * len(family_sites))
    out["regions"] = conn.execute(f"SELECT count(*) FROM reports WHERE site IN ({marks}) AND "
                                  "(region IN ('未知', '中央') OR prefecture IS NULL)", family_sites).fetchone()[0]
    # the rest: a prefecture, or a county where none lies between (白沙, a county under
    # Hainan itself); only 新竹县 is outside GB/T 2260's divisions (Taiwan is one code, 710000)
    out["unplaced"] = [a for (a,) in conn.execute(
        "SELECT DISTINCT agency FROM reports WHERE region IN ('未知', '中央') OR "
        "(prefecture IS NULL AND county IS NULL) ORDER BY agency")]
    out["family_reports"] = conn.execute(f"SELECT count(*) FROM reports WHERE site IN ({marks})",
                                         family_sites).fetchone()[0]
    conn.close()
    return out


def test_demo_crawls_every_sample_portal_and_a_rerun_keeps_the_counts(tmp_path):
    db = tmp_path / "demo.db"
    with SamplePortals(port=0) as portals:           # the same portals, for their gold
        n = len(portals.portals)
        gold = [g for g in portals.gold_reports() if not g.robots_disallowed]
        families = [i for i, p in enumerate(portals.portals) if not isinstance(p, RealWebPortal)]
        family_gold = [g for g in gold if not isinstance(portals.portal(g.portal), RealWebPortal)]
    port = str(_free_range(n))
    family_sites = [f"127.0.0.1:{int(port) + i}" for i in families]   # the demo's ports: one a portal, in order
    proc = _demo(db, "--no-serve", "--portals-port", port)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Sample portals:" in proc.stdout and proc.stdout.count(f"http://127.0.0.1:{port[:3]}") >= 7
    assert ".gov.test:" in proc.stdout              # the real-web portals under their host names
    first = _counts(db, family_sites)
    assert (first["reports"], first["report_sites"]) == (len(gold), len({g.portal for g in gold}))
    assert first["family_reports"] == len(family_gold)
    assert first["regions"] == 0                 # every family report: a province and a prefecture
    assert first["unplaced"] == ["新竹县人民政府"]
    proc = _demo(db, "--no-serve", "--portals-port", port)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _counts(db, family_sites) == first


def test_a_busy_port_is_a_one_line_error_before_any_crawl(tmp_path):
    db = tmp_path / "demo.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = str(busy.getsockname()[1])
        proc = _demo(db, "--port", port)
        assert proc.returncode == 2
        assert proc.stderr.strip().count("\n") == 0 and f"port {port} is not free" in proc.stderr
        proc = _demo(db, "--no-serve", "--portals-port", port)
        assert proc.returncode == 2 and "--portals-port" in proc.stderr
    assert not db.exists() or _counts(db)["reports"] == 0
