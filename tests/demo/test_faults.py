"""The sample portals answer conditional requests (ETag / Last-Modified / 304), and their
fault mode produces each fault it names, on the pages its plan says."""
from __future__ import annotations

import gzip
import http.client
import re
import socket
import time
from urllib.parse import urlsplit

import pytest

from nianbao.demo.faults import FAULTS, HTTP_FAULTS, RENDER_FAULTS, SITE_FAULTS, FaultMode
from nianbao.demo.server import SamplePortals
from tests.support.http import fetch


# -- conditional requests -----------------------------------------------------------------
def test_report_pages_carry_validators_and_answer_304(portals):
    gold = [g for g in portals.gold_reports() if g.portal == "trs"][0]
    st, headers, body = fetch(gold.url)
    assert st == 200 and headers["ETag"].startswith('"') and "GMT" in headers["Last-Modified"]
    st, h304, body304 = fetch(gold.url, {"If-None-Match": headers["ETag"]})
    assert st == 304 and body304 == b"" and h304["ETag"] == headers["ETag"]
    # a stale ETag wins over a matching date (RFC 9110: If-None-Match takes precedence)
    st, _, body2 = fetch(gold.url, {"If-None-Match": '"stale"', "If-Modified-Since": headers["Last-Modified"]})
    assert st == 200 and body2 == body
    st, _, _ = fetch(gold.url, {"If-Modified-Since": headers["Last-Modified"]})
    assert st == 304


def test_a_portal_without_etag_answers_if_modified_since(portals):
    gold = [g for g in portals.gold_reports() if g.portal == "ssi"][0]
    st, headers, _ = fetch(gold.url)
    assert st == 200 and "ETag" not in headers and "Last-Modified" in headers
    assert fetch(gold.url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(gold.url, {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200


def test_validators_change_with_the_content_state():
    with SamplePortals(port=0) as p:
        url = p.portal("trs").base_url + "/"
        _, h1, _ = fetch(url)
        p.set_state("second")
        st, h2, _ = fetch(url, {"If-None-Match": h1["ETag"]})
        assert st == 200 and h2["ETag"] != h1["ETag"] and h2["Last-Modified"] != h1["Last-Modified"]
        assert fetch(url, {"If-Modified-Since": h1["Last-Modified"]})[0] == 200


def test_dynamic_answers_have_no_validators(portals):
    spa = portals.portal("spa")
    _, headers, _ = fetch(spa.base_url + "/api/home")
    assert "ETag" not in headers and "Last-Modified" not in headers


# -- fault mode ----------------------------------------------------------------------------
def raw_get(url: str, timeout: float = 5.0) -> tuple[bytes, str | None]:
    """The raw bytes a server sends for a GET (until it closes), and how it ended."""
    parts = urlsplit(url)
    s = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    target = parts.path + ("?" + parts.query if parts.query else "")
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
    data, ended = b"", "closed"
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        ended = "reset"
    except socket.timeout:
        ended = "timeout"
    finally:
        s.close()
    return data, ended


@pytest.fixture(scope="module")
def faulty():
    fm = FaultMode(hang=1.5, huge_bytes=3 * 1024 * 1024, times={"http-503": 2},
                   bomb_bytes=6 * 1024 * 1024, robots_bytes=2 * 1024 * 1024)
    with SamplePortals(port=0, fault=fm) as p:
        yield p, fm, {t.kind: t for t in fm.targets(p)}


def test_plan_covers_every_fault_on_distinct_reachable_reports(faulty):
    p, fm, targets = faulty
    assert set(targets) == set(FAULTS)
    reachable = {g.url for g in p.gold_reports() if not g.robots_disallowed}
    pages = {k: t for k, t in targets.items() if k not in SITE_FAULTS}
    assert {t.url for t in pages.values()} <= reachable
    assert len({t.url for t in pages.values()}) == len(pages)
    # robots.txt faults hit whole sites; the one that closes its site leaves no page fault unseen
    assert {k: t.url for k, t in targets.items() if k in SITE_FAULTS} == \
        {k: p.portal(name).base_url + "/robots.txt" for k, name in SITE_FAULTS.items()}
    assert not any(t.portal == SITE_FAULTS["robots-503"] for t in pages.values())
    assert all(t.portal == "spa" for k, t in targets.items() if k in RENDER_FAULTS)
    assert not any(t.portal == "spa" for k, t in targets.items() if k not in RENDER_FAULTS)


def test_http_faults_on_the_wire(faulty):
    p, fm, t = faulty
    start = time.monotonic()
    data, ended = raw_get(t["timeout"].url, timeout=0.5)
    assert data == b"" and ended == "timeout" and time.monotonic() - start >= 0.5
    data, ended = raw_get(t["reset"].url)
    assert data == b"" and ended == "reset"
    data, _ = raw_get(t["reset"].url)                       # transient: the next answer is normal
    assert data.startswith(b"HTTP/1.1 200")
    assert fetch(t["http-500"].url)[0] == 500
    st, headers, _ = fetch(t["http-503"].url)
    assert st == 503 and headers["Retry-After"] == "1"
    assert fetch(t["http-503"].url)[0] == 503 and fetch(t["http-503"].url)[0] == 200   # times=2
    st, headers, _ = fetch(t["http-429"].url)
    assert st == 429 and headers["Retry-After"] == "1"
    assert fetch(t["http-429"].url)[0] == 200
    data, _ = raw_get(t["truncated"].url)
    assert b"Transfer-Encoding: chunked" in data and not data.endswith(b"0\r\n\r\n")
    with pytest.raises(http.client.IncompleteRead):
        fetch(t["truncated"].url)
    data, _ = raw_get(t["bad-length"].url)
    head, _, body = data.partition(b"\r\n\r\n")
    declared = int(next(l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")).split(b":")[1])
    assert declared > len(body) > 1000
    st, headers, _ = fetch(t["redirect-loop"].url)   # urllib gives up on the loop with a 302
    assert st == 302
    loc = headers["Location"]
    assert "loop=1" in loc and fetch(loc)[1]["Location"] == t["redirect-loop"].url
    st, headers, body = fetch(t["binary"].url)
    assert st == 200 and headers["Content-Type"].startswith("text/html") and b"\x00" in body
    assert body.startswith(b"\x89PNG")
    st, headers, body = fetch(t["empty"].url)
    assert st == 200 and headers["Content-Length"] == "0" and body == b""


def test_bombs_long_urls_and_broken_robots_txt(faulty):
    p, fm, t = faulty
    st, headers, body = fetch(t["gzip-bomb"].url)
    assert st == 200 and headers["Content-Encoding"] == "gzip" and len(body) < 64 * 1024
    assert len(gzip.decompress(body)) > 6 * 1024 * 1024
    st, _, body = fetch(t["long-url"].url)
    assert st == 200 and p.portal(t["long-url"].portal).site_name.encode() in body
    (href,) = re.findall(rb'href="([^"]*/upload/[^"]*)"', body)
    assert len(href) >= 100_000 and href.endswith(b".pdf")
    st, headers, _ = fetch(t["robots-503"].url)
    assert st == 503 and headers["Retry-After"] == "1"
    st, headers, body = fetch(t["robots-huge"].url)
    rules = p.portal(t["robots-huge"].portal).robots_txt().encode()
    assert st == 200 and len(body) == int(headers["Content-Length"]) == 2 * 1024 * 1024
    assert body.startswith(rules) and body[len(rules):].startswith(b"Disallow: /cms/preview/")


def test_huge_body_streams_past_any_cap(faulty):
    p, fm, t = faulty
    st, headers, body = fetch(t["huge"].url)
    assert st == 200 and "Content-Length" not in headers and len(body) >= 3 * 1024 * 1024


def test_render_faults_leave_plain_http_clients_alone(faulty):
    p, fm, t = faulty
    spa = p.portal("spa")
    st, _, body = fetch(t["render-hang"].url)
    assert st == 200 and b"for(;;){}" in body and "正在加载中".encode() in body
    art_id = t["render-crash"].url.rsplit("/", 1)[1]
    st, _, body = fetch(spa.base_url + f"/api/article?id={art_id}")   # not a browser: nothing killed
    assert st == 200 and not any(k == "render-crash" for k, _, _ in fm.log)


def test_unknown_fault_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultMode(["timeout", "gremlins"])
    assert set(HTTP_FAULTS) | set(RENDER_FAULTS) == set(FAULTS)
