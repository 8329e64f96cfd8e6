"""A public instance survives hostile visitors: each request below, sent to a real
`nianbao serve`, is answered 4xx (where the visitor erred) in bounded time, the server's
memory stays bounded, and another visitor is served while it runs."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from nianbao.archive.store import Archive
from tests.support import ROOT
from tests.support import publish as sample

pytestmark = pytest.mark.slow          # a server subprocess

MAX_SECONDS = 20                       # the 3 s SQL limit, generously, on a loaded machine
MAX_RSS_MB = 900
MANY_TERMS = " ".join(f"词{i}" for i in range(2000))
LONG_LINES = "\n".join(f"第{i}段：" + "政府信息公开工作" * 12 for i in range(4000))

HOSTILE = [
    ("zeroblob", "GET", "/archive.json?sql=" + quote("select zeroblob(100000000)"), 400),
    ("randomblob", "GET", "/archive.json?sql=" + quote("select length(randomblob(500000000))"), 400),
    ("printf width", "GET", "/archive.json?sql=" + quote("select printf('%.*c', 2000000000, 'x')"), 400),
    ("many large rows", "GET", "/archive.json?sql=" + quote(
        "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000) "
        "select replace(hex(zeroblob(1900000)), '0', '0') from c"), 400),
    ("endless query", "GET", "/archive.json?sql=" + quote(
        "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"), 400),
    ("2,000-term search", "GET", "/archive/reports.json?_search=" + quote(MANY_TERMS), 400),
    ("2,000-term ranked search", "GET", "/-/nianbao/search.json?q=" + quote(MANY_TERMS), 400),
    ("40-digit row id", "GET", "/archive/documents/" + "1" * 40, 404),
    ("40-digit report id", "GET", "/-/nianbao/report/" + "1" * 40, 404),
    ("_size=²", "GET", "/archive/reports.json?_size=" + quote("²"), 400),
    ("hostile _sort", "GET", "/archive/reports.json?_sort=" + quote("title; drop table documents"), 400),
    ("bad _next", "GET", "/archive/reports.json?_next=abc", 400),
    ("POST to a canned query", "POST", "/archive/changed_since", 405),
    ("bad version", "GET", "/-/nianbao/diff?doc=1&from=" + "9" * 30, 404),
]


def _serve(db: Path):
    proc = subprocess.Popen([sys.executable, "-u", "-m", "nianbao", "serve", "--db", str(db), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line or "")
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()   # keep the pipe drained
            return proc, f"http://127.0.0.1:{m.group(1)}"
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("nianbao serve did not start")


def _rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    sample.build(db)
    s = sample.SAMPLES[2]                               # two long versions to diff
    with Archive(db) as ar:
        for i, text in enumerate((LONG_LINES, LONG_LINES.replace("工作", "工做"))):
            run = ar.start_run([s.site], {})
            ar.store_page(run, sample.page(s, text, f"2024-0{7 + i}-01T00:00:00Z"), sample.document(s, text=text))
            ar.finish_run(run, {})
    proc, base = _serve(db)
    try:
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _while_running(base: str, method: str, path: str):
    """Send the hostile request; meanwhile another visitor asks for a report list."""
    result = {}

    def hostile():
        t0 = time.monotonic()
        with httpx.Client(timeout=120) as c:
            result["response"] = c.request(method, base + path)
        result["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=hostile)
    t.start()
    with httpx.Client(timeout=60) as c:
        t0 = time.monotonic()
        other = c.get(base + "/archive/reports.json?_size=1&_nocount=1")
        other_seconds = time.monotonic() - t0
    t.join(timeout=MAX_SECONDS * 3)
    assert not t.is_alive(), f"{path} still running"
    return result["response"], result["seconds"], other, other_seconds


@pytest.mark.parametrize("name,method,path,status", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_request_is_refused_in_bounded_time_and_memory(server, name, method, path, status):
    proc, base = server
    response, seconds, other, other_seconds = _while_running(base, method, path)
    assert response.status_code == status, response.text[:300]
    assert seconds < MAX_SECONDS, f"{name} took {seconds:.1f} s"
    assert other.status_code == 200 and other_seconds < MAX_SECONDS
    assert _rss_peak_mb(proc.pid) < MAX_RSS_MB


def test_diff_of_two_long_versions_runs_off_the_loop_and_is_cached(server):
    proc, base = server
    with httpx.Client(timeout=120) as c:
        doc = c.get(base + "/archive/reports.json?_shape=objects&_col=document_id&url=" + quote(sample.SAMPLES[2].url)).json()
        doc_id = doc["rows"][0]["document_id"]
    path = f"/-/nianbao/report/{doc_id}/v3"
    response, seconds, other, other_seconds = _while_running(base, "GET", path)
    assert response.status_code == 200 and "<del>作</del>" in response.text
    assert seconds < MAX_SECONDS and other.status_code == 200 and other_seconds < MAX_SECONDS
    with httpx.Client(timeout=120) as c:
        t0 = time.monotonic()
        again = c.get(base + path)
        assert again.status_code == 200 and time.monotonic() - t0 < seconds + 1
    assert _rss_peak_mb(proc.pid) < MAX_RSS_MB
