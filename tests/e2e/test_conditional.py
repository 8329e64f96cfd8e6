"""Recrawls ask conditionally: an unchanged report answers 304 and is not fetched again."""
from __future__ import annotations

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nianbao.launch import crawl

pytestmark = pytest.mark.slow

REPORT = ('<html><head><meta charset="utf-8"><title>某县2021年政府信息公开工作年度报告</title></head><body>'
          '<h1>某县2021年政府信息公开工作年度报告</h1><div class="TRS_Editor">'
          + "<p>本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>" * 30 + "</div></body></html>")
HOME = ('<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>'
        '<a href="/r.html">某县2021年政府信息公开工作年度报告</a></body></html>')


def serve(seen: list):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("If-None-Match"), self.headers.get("User-Agent")))
            if self.path == "/r.html" and self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
                return
            body = {"/": HOME, "/r.html": REPORT}.get(self.path, "User-agent: *\nDisallow:\n")
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt"
                             else "text/html; charset=utf-8")
            if self.path == "/r.html":
                self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_unchanged_report_is_a_304_and_stays_a_report(tmp_path):
    seen: list = []
    srv = serve(seen)
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    db = tmp_path / "a.db"
    try:
        first = crawl([base + "/"], db, render="never", contact="mailto:archive@example.org")
        second = crawl([base + "/"], db, render="never", contact="mailto:archive@example.org")
    finally:
        srv.shutdown()
        srv.server_close()
    site = base.split("//")[1]
    assert (first["sites"][site]["reports"], first["sites"][site]["new"]) == (1, 1)
    row = second["sites"][site]
    assert (row["reports"], row["new"], row["changed"], row["not_modified"]) == (1, 0, 0, 1)
    asked = [inm for path, inm, _ in seen if path == "/r.html"]
    assert asked == [None, '"v1"']
    # an honest User-Agent with the operator's contact on every request
    assert all(ua.startswith("nianbao/") and "mailto:archive@example.org" in ua for _, _, ua in seen)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM captures WHERE not_modified = 1").fetchone()[0] == 1
    conn.close()
