"""Fault mode for the sample portals: the ways real government servers misbehave, each
served on purpose at known report pages so a crawl's handling of it can be checked.

    fault = FaultMode()                         # every fault kind (FAULTS)
    with SamplePortals(port=0, fault=fault) as portals:
        fault.targets(portals)                  # [Target(kind, url, times, ...)]

A fault hits the report pages chosen for it (deterministically, from the gold reports a
crawler can reach), `times` answers in a row (None: every time), then the page is served
normally, so a transient fault shows as "retried and stored" and a permanent one as "a
failed capture with its reason". HTTP faults go to static portals, render faults to the
single-page app (only a browser runs its scripts).

Faults (KIND: what the server does):
  timeout        holds the request without answering for `hang` seconds
  reset          resets the TCP connection (RST) instead of answering
  http-500       500 Internal Server Error
  http-503       503 Service Unavailable with Retry-After (overload)
  http-429       429 Too Many Requests with Retry-After
  truncated      chunked body cut off mid-stream, then the connection closes
  bad-length     Content-Length larger than the body sent, then the connection closes
  redirect-loop  302 to itself with a query flag, which 302s back (an endless loop)
  huge           an endless-looking HTML body (`huge_bytes`, chunked) beyond any size cap
  binary         random binary bytes (a PNG header) served as text/html; charset=utf-8
  render-crash   the page's own data request kills the requesting Chromium's renderer
                 processes (found through the TCP connection) mid-render
  render-hang    a loading shell whose script spins forever once the page has loaded
  empty          200 with an empty body (Content-Length: 0)
  gzip-bomb      `Content-Encoding: gzip` whose body inflates to `bomb_bytes`, past any size cap
  long-url       the page, plus an attachment link whose URL is `long_url` characters long
  robots-503     the site's robots.txt answers 503 (with Retry-After), every time
  robots-huge    the site's robots.txt is `robots_bytes` long: its real rules, then line after
                 line of Disallow rules for old preview pages

The robots.txt faults hit a whole site (SITE_FAULTS names which); the others one report page.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Callable

from nianbao.demo.messages import Request, Response
from nianbao.demo.site import Portal

FAULTS = ("timeout", "reset", "http-500", "http-503", "http-429", "truncated", "bad-length",
          "redirect-loop", "huge", "binary", "render-crash", "render-hang", "empty", "gzip-bomb",
          "long-url", "robots-503", "robots-huge")
RENDER_FAULTS = ("render-crash", "render-hang")
HTTP_FAULTS = tuple(k for k in FAULTS if k not in RENDER_FAULTS)    # no browser needed
# robots.txt faults hit a whole site: the portal whose robots.txt they answer. A robots.txt
# that answers 503 keeps the crawler off the whole site (RFC 9309), so it goes to a portal no
# page fault uses; a huge one keeps its real rules first, so page faults on it still happen.
SITE_FAULTS = {"robots-503": "pdf", "robots-huge": "trs"}
# How many answers in a row are faulty by default (None: all): transient faults show the
# crawler's retries, permanent ones its failure records.
DEFAULT_TIMES: dict[str, int | None] = {
    "timeout": None, "reset": 1, "http-500": None, "http-503": 1, "http-429": 1,
    "truncated": None, "bad-length": 1, "redirect-loop": None, "huge": None, "binary": None,
    "render-crash": None, "render-hang": None, "empty": None, "gzip-bomb": None, "long-url": None,
    "robots-503": None, "robots-huge": None,
}
HTTP_PORTALS = ("trs", "hanweb", "ssi", "big5", "tw")   # static families: plain HTTP faults
RENDER_PORTAL = "spa"


class RawResponse(Response):
    """An answer the server writes itself, byte by byte (bad framing, resets, stalls)."""

    def __init__(self, write: Callable[["object"], None]):
        super().__init__(0, b"", {})
        self.write = write

    def write_to(self, handler) -> None:
        try:
            self.write(handler)
        except OSError:         # the client gave up (cancelled a huge body, timed out): fine
            pass
        handler.close_connection = True


@dataclass(frozen=True)
class Target:
    kind: str
    portal: str
    path: str
    url: str
    times: int | None          # faulty answers in a row (None: every answer)


class FaultMode:
    """The `fault` hook of `SamplePortals`: `(portal, request) -> Response | None`."""

    def __init__(self, kinds: tuple[str, ...] | list[str] = FAULTS, *, times: dict | None = None,
                 hang: float = 40.0, huge_bytes: int = 80 * 1024 * 1024, retry_after: int = 1,
                 bomb_bytes: int = 128 * 1024 * 1024, long_url: int = 100_000,
                 robots_bytes: int = 50 * 1024 * 1024):
        unknown = set(kinds) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kind(s) {sorted(unknown)}; known: {', '.join(FAULTS)}")
        self.kinds = tuple(kinds)
        self.times = {**DEFAULT_TIMES, **(times or {})}
        self.hang = hang
        self.huge_bytes = huge_bytes
        self.retry_after = retry_after
        self.bomb_bytes = bomb_bytes
        self.long_url = long_url
        self.robots_bytes = robots_bytes
        self._bomb: bytes | None = None
        self._plan: dict[tuple[str, str], Target] | None = None
        self._hits: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.log: list[tuple[str, str, str]] = []     # (kind, url, what happened), for tests

    # -- which pages ------------------------------------------------------------------------
    def targets(self, hub) -> list[Target]:
        """The pages each fault kind hits (planned once, from the hub's reachable reports)."""
        with self._lock:
            if self._plan is None:
                self._plan = self._make_plan(hub)
            return sorted(self._plan.values(), key=lambda t: FAULTS.index(t.kind))

    def _make_plan(self, hub) -> dict[tuple[str, str], Target]:
        reach = {}
        for g in hub.gold_reports():
            if not g.robots_disallowed:
                reach.setdefault(g.portal, []).append(g)
        # interleave the static portals so faults spread over families
        static = []
        lists = [sorted(reach.get(name, []), key=lambda g: g.url) for name in HTTP_PORTALS]
        for i in range(max((len(x) for x in lists), default=0)):
            static += [x[i] for x in lists if i < len(x)]
        spa = sorted(reach.get(RENDER_PORTAL, []), key=lambda g: g.url)
        plan = {}
        for kind in self.kinds:
            if kind in SITE_FAULTS:
                portal = hub.portal(SITE_FAULTS[kind])
                plan[(portal.name, "/robots.txt")] = Target(kind, portal.name, "/robots.txt",
                                                            portal.url("/robots.txt"), self.times.get(kind))
                continue
            pool = spa if kind in RENDER_FAULTS else static
            if not pool:
                raise ValueError(f"no reachable report left for fault {kind!r}")
            g = pool.pop(0)
            portal = hub.portal(g.portal)
            path = g.url[len(portal.base_url):]
            plan[(g.portal, path)] = Target(kind, g.portal, path, g.url, self.times.get(kind))
        return plan

    # -- the hook ---------------------------------------------------------------------------
    def __call__(self, portal: Portal, req: Request) -> Response | None:
        if self._plan is None:
            self.targets(portal.hub)
        path = req.path
        if req.query:         # a target's own query (?n=11&s=1005) is part of its identity
            target = self._plan.get((portal.name, path + "?" + _query(req, exclude="loop")))
            if target is not None:
                path = target.path
        if portal.name == RENDER_PORTAL and path == "/api/article":
            # the data request of an SPA article: where a render crash is triggered
            for t in self._plan.values():
                if t.kind == "render-crash" and t.portal == portal.name and t.path.endswith("/" + req.arg("id")):
                    return self._render_crash(t, portal, req)
            return None
        target = self._plan.get((portal.name, path))
        if target is None or target.kind == "render-crash" or not self._fires(target):
            return None
        self.log.append((target.kind, target.url, "fault"))
        return getattr(self, "_" + target.kind.replace("-", "_"))(target, portal, req)

    def _fires(self, t: Target) -> bool:
        with self._lock:
            n = self._hits.get((t.portal, t.path), 0)
            self._hits[(t.portal, t.path)] = n + 1
        return t.times is None or n < t.times

    def hits(self, target: Target) -> int:
        """Requests the target page received (faulty or not)."""
        return self._hits.get((target.portal, target.path), 0)

    # -- the faults -----------------------------------------------------------------------
    def _timeout(self, t, portal, req):
        def write(h):
            time.sleep(self.hang)
            normal = portal.handle(req)
            _head(h, normal.status, normal.headers, len(normal.body))
            h.wfile.write(normal.body)
        return RawResponse(write)

    def _reset(self, t, portal, req):
        def write(h):
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
        return RawResponse(write)

    def _http_500(self, t, portal, req):
        return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>",
                        {"Content-Type": "text/html; charset=utf-8"})

    def _http_503(self, t, portal, req):
        return Response(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                        {"Content-Type": "text/html; charset=utf-8", "Retry-After": str(self.retry_after)})

    def _http_429(self, t, portal, req):
        return Response(429, b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                        {"Content-Type": "text/html; charset=utf-8", "Retry-After": str(self.retry_after)})

    def _truncated(self, t, portal, req):
        normal = portal.handle(req)

        def write(h):
            h.send_response(200)
            for k, v in normal.headers.items():
                h.send_header(k, v)
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            part = normal.body[: len(normal.body) // 3]
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)      # no last chunk: the body is cut off
        return RawResponse(write)

    def _bad_length(self, t, portal, req):
        normal = portal.handle(req)

        def write(h):
            _head(h, 200, normal.headers, len(normal.body) + 4096)   # promises more than it sends
            h.wfile.write(normal.body)
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
        return RawResponse(write)

    def _redirect_loop(self, t, portal, req):
        target = t.path if req.arg("loop") else t.path + ("&" if "?" in t.path else "?") + "loop=1"
        return Response(302, b"", {"Location": portal.base_url + target, "Content-Type": "text/html"})

    def _huge(self, t, portal, req):
        def write(h):
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = ("<p>" + "政府信息公开工作年度报告" * 200 + "</p>\n").encode() * 8
            sent = 0
            h.wfile.write(b"%x\r\n<html><body>\r\n" % len(b"<html><body>"))
            while sent < self.huge_bytes:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        return RawResponse(write)

    def _binary(self, t, portal, req):
        rnd = random.Random(t.url)
        body = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rnd.getrandbits(8) for _ in range(16 * 1024))
        return Response(200, body, {"Content-Type": "text/html; charset=utf-8"})

    def _empty(self, t, portal, req):
        return Response(200, b"", {"Content-Type": "text/html; charset=utf-8"})

    def _gzip_bomb(self, t, portal, req):
        with self._lock:
            if self._bomb is None:            # made once: a few hundred KiB of compressed spaces
                z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                block = b" " * (1 << 20)
                parts = [z.compress(b"<html><body><p>")]
                parts += [z.compress(block) for _ in range(max(1, self.bomb_bytes >> 20))]
                self._bomb = b"".join(parts + [z.compress(b"</p></body></html>"), z.flush()])
        return Response(200, self._bomb, {"Content-Type": "text/html; charset=utf-8",
                                          "Content-Encoding": "gzip"})

    def _long_url(self, t, portal, req):
        normal = portal.handle(req)
        # a CMS that put the file's name, percent-encoded, into its URL again and again
        stem = portal.base_url + "/upload/"
        name = "%E9%99%84%E4%BB%B6" * ((self.long_url - len(stem)) // 18 + 1)
        link = f'<p>附件：<a href="{stem}{name}.pdf">附件.pdf</a></p>'.encode(portal.encoding, "xmlcharrefreplace")
        return Response(normal.status, normal.body.replace(b"</body>", link + b"</body>", 1), normal.headers)

    def _robots_503(self, t, portal, req):
        return Response(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                        {"Content-Type": "text/html; charset=utf-8", "Retry-After": str(self.retry_after)})

    def _robots_huge(self, t, portal, req):
        rules = portal.robots_txt().encode()

        def write(h):
            _head(h, 200, {"Content-Type": "text/plain"}, self.robots_bytes)
            h.wfile.write(rules)
            sent, n = len(rules), 0
            while sent < self.robots_bytes:
                lines = "".join(f"Disallow: /cms/preview/{i:09d}.html\n" for i in range(n, n + 2048))
                n += 2048
                chunk = lines.encode()[: self.robots_bytes - sent]
                h.wfile.write(chunk)
                sent += len(chunk)
        return RawResponse(write)

    def _render_hang(self, t, portal, req):
        shell = portal.handle(Request("GET", "/", {}))
        # the spin is queued while the page parses, so it starts before the app's own
        # scripts can load any content: the render hangs every time, however fast the
        # machine (a delay here made the fault a race the browser sometimes won)
        spin = b"<script>setTimeout(function(){for(;;){}},0)</script>\n</body>"
        return Response(200, shell.body.replace(b"</body>", spin, 1),
                        {"Content-Type": "text/html; charset=utf-8"})

    def _render_crash(self, t, portal, req):
        client = req.client
        with self._lock:
            n = self._hits.get((t.portal, t.path), 0)
        if not client or (t.times is not None and n >= t.times):
            return None
        killed = kill_renderers_of(client[1])
        if killed:
            with self._lock:
                self._hits[(t.portal, t.path)] = n + 1
            self.log.append((t.kind, t.url, f"killed renderer pids {killed}"))
        return None     # the page is gone; answer normally in case nothing was killed


def _query(req: Request, exclude: str = "") -> str:
    return "&".join(f"{k}={v}" for k, vs in req.query.items() if k != exclude for v in vs)


def _head(h, status: int, headers: dict, length: int) -> None:
    h.send_response(status)
    for k, v in headers.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(length))
    h.end_headers()


# -- finding the Chromium that asked ---------------------------------------------------------
def _socket_inode(client_port: int) -> str | None:
    """Inode of the loopback TCP socket whose local port is `client_port` (the client side)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as fh:
                next(fh)
                for line in fh:
                    f = line.split()
                    if int(f[1].rsplit(":", 1)[1], 16) == client_port and f[9] != "0":
                        return f[9]
        except OSError:
            continue
    return None


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = [a.decode("utf-8", "replace") for a in fh.read().split(b"\0") if a]
    except OSError:
        return []
    # Chromium rewrites its process title: one NUL-free string of space-separated flags
    return argv[0].split(" ") if len(argv) == 1 else argv


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _owner(inode: str) -> int | None:
    """The process (of this user) holding socket `inode` open."""
    want = f"socket:[{inode}]"
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{name}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{name}/fd/{fd}") == want:
                    return int(name)
            except OSError:
                continue
    return None


def _is_chromium(argv: list[str]) -> bool:
    return bool(argv) and "chrom" in os.path.basename(argv[0]).lower()


def kill_renderers_of(client_port: int) -> list[int]:
    """SIGKILL the renderer processes of the Chromium whose connection comes from
    `client_port`; nothing when the client is not a Chromium (e.g. a plain HTTP crawler)."""
    inode = _socket_inode(client_port)
    owner = _owner(inode) if inode else None
    if owner is None or not _is_chromium(_cmdline(owner)):
        return []
    browser = owner
    if any(a.startswith("--type=") for a in _cmdline(owner)):      # the network service
        browser = _ppid(owner)
        if browser is None or not _is_chromium(_cmdline(browser)):
            return []
    killed = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        argv = _cmdline(pid)
        if not _is_chromium(argv) or "--type=renderer" not in argv:
            continue
        p, hops = _ppid(pid), 0
        while p and p != browser and hops < 4:
            p, hops = _ppid(p), hops + 1
        if p == browser:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except OSError:
                pass
    return killed
