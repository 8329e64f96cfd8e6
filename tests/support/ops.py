"""Helpers of the operations tests: run `nianbao crawl` as a process, a real redis-server,
and what an archive holds (to compare two archives)."""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.support import ROOT
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# politeness is not under test here: no start delay, no throttle; a render waits for its
# content longer than by default (it stops as soon as the content shows), so a loaded
# machine does not turn a slow render into a different archive; no OCR (seconds a
# picture: tests/e2e/test_ocr_crawl.py is about it), the picture reports stored as needing it
FAST = ["--set", "AUTOTHROTTLE_ENABLED=false", "--set", "NIANBAO_OCR=false", "--progress", "off",
        "--render-timeout", "40"]


def crawl_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao", "crawl", *args]


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def run_crawl(*args: str, timeout: float = 300, log: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(crawl_argv(*args), cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=timeout)
    if log is not None:
        log.write_text(proc.stderr, encoding="utf-8")
    return proc


def start_crawl(*args: str, log: Path) -> subprocess.Popen:
    fh = open(log, "w", encoding="utf-8")
    return subprocess.Popen(crawl_argv(*args), cwd=ROOT, env=env(), stdout=fh, stderr=fh)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server(workdir: Path):
    """A real redis-server on 127.0.0.1 and a free port, stopped afterwards."""
    if not Path(REDIS_SERVER).exists():
        raise RuntimeError("redis-server is not installed (apt-get install redis-server; `make test` does)")
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def archive_state(db: Path) -> dict:
    """What two equivalent crawls must agree on: reports and every document's versions."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            "reports": sorted(c.execute(
                "SELECT url, title, agency, year, published, script, versions, removed FROM reports")),
            "versions": sorted(c.execute(
                "SELECT d.url, v.seq, v.text_hash FROM versions v JOIN documents d ON d.id = v.document_id")),
            "documents": sorted(r[0] for r in c.execute("SELECT url FROM documents WHERE merged_into IS NULL")),
        }
    finally:
        c.close()


def query(db: Path, sql: str, params: tuple = ()) -> list:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return c.execute(sql, params).fetchall()
    finally:
        c.close()
