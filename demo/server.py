"""The sample portals in one process: each portal its own listening socket on 127.0.0.1
(a site is host:port), each served by a threaded stdlib HTTP server.

    with SamplePortals(port=0) as portals:
        portals.start_urls; portals.portal("trs").base_url
        portals.gold_reports(); portals.traps(); portals.set_state("second")

Responses are rendered once per (state, path) and cached, so concurrent crawls are fast.
`sites=N` serves N portals (the families in turn: `trs`, `hanweb`, …, then `trs-2`, …), a
model of a crawl over many sites; `latency` makes every answer wait as across a network.
Each portal counts the requests it is answering at once (`max_in_flight()`): what a site
operator sees of a crawler's politeness.
`fault` is the fault mode's seam (demo/faults.py: timeouts, resets, 5xx, 429…): a callable
(portal, request) -> Response | None consulted before normal dispatch; a response with a
`write_to(handler)` method writes its own bytes (broken framing, resets, stalls).
"""
from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from nianbao.demo.gold import GoldReport
from nianbao.demo.messages import Request, Response
from nianbao.demo.model import STATES
from nianbao.demo.portals.realweb import RealWebPortal
from nianbao.demo.site import Portal

FaultHook = Callable[[Portal, Request], "Response | None"]


def build_portals(scale: float = 1, sites: int | None = None,
                  families: tuple[str, ...] | None = None) -> list[Portal]:
    """One portal per family, then the small portals of the real web around the pages
    (demo/portals/realweb.py); or `sites` portals taking the families in turn (named `trs`,
    …, `trs-2`, …), a model of a crawl over many sites; `families` picks families by portal
    name (`trs`, `spa`, …); `scale` multiplies the news columns' length (50 articles; 0.2:
    10, for many small sites)."""
    from nianbao.demo.portals import ALL, realweb
    news = max(1, round(50 * scale))
    mods = [m for m in ALL if families is None or m.__name__.rsplit(".", 1)[1] in families]
    if not mods:
        raise ValueError(f"no sample portal family among {families!r}")
    out = []
    for i in range(sites or len(mods)):
        portal = mods[i % len(mods)].build(news_count=news)
        copy = i // len(mods)
        if copy:
            portal.name = f"{portal.name}-{copy + 1}"
        out.append(portal)
    if sites is None and families is None:
        out += realweb.build_all()
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # a client that hangs up (a crawler cancelling a huge body, a timeout) is no error
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def _handler_for(hub: "SamplePortals", portal: Portal):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "nginx"
        sys_version = ""

        def log_message(self, fmt, *args):  # quiet: tests and crawls fetch thousands of pages
            pass

        def _serve(self, method: str) -> None:
            # counted from the request's arrival until the answer starts going out: the
            # client can send its next request only once the answer has arrived
            hub.count_in_flight(portal, +1, self.path)
            try:
                resp = self._respond(method)
                write_to = getattr(resp, "write_to", None)
                if write_to is not None:      # a fault that writes its own (broken) answer
                    write_to(self)
                    return
            finally:
                hub.count_in_flight(portal, -1)
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(resp.body)

        def _respond(self, method: str) -> Response:
            if hub.latency:
                time.sleep(hub.latency)       # a server across a network, not on loopback
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            req = Request.from_target(method, self.path, body, headers)
            req.client = self.client_address[:2]
            try:
                resp = None
                if hub.fault is not None:
                    resp = hub.fault(portal, req)
                if resp is None:
                    resp = portal.handle(req)
            except Exception as exc:  # a demo bug must show as a 500, never hang a crawl
                resp = Response(500, f"internal error: {exc!r}".encode(), {"Content-Type": "text/plain"})
            return resp

        def do_GET(self):
            self._serve("GET")

        def do_HEAD(self):
            self._serve("HEAD")

        def do_POST(self):
            self._serve("POST")

    return Handler


TEST_NAMES_HINT = ("(the *.gov.test names are the real-web portals: nianbao resolves them to 127.0.0.1; "
                   "from a shell: curl -L --connect-to ::127.0.0.1: URL)")


class SamplePortals:
    """Start every portal on 127.0.0.1: the first on `port` and the rest on the following
    ports, or each on a free port when `port` is 0."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", scale: float = 1,
                 fault: FaultHook | None = None, latency: float = 0.0, sites: int | None = None,
                 families: tuple[str, ...] | None = None):
        self.host = host
        self.port = port
        self.scale = scale
        self.fault = fault
        self.latency = latency           # seconds each answer waits, as over a real network
        self.sites = sites               # how many portals (default: one per family)
        self.families = families         # which families (default: all)
        self.state = "first"
        self._count_lock = threading.Lock()
        self._in_flight: dict[str, int] = {}
        self._max_in_flight: dict[str, int] = {}
        self._served: dict[str, int] = {}
        self._robots_served: dict[str, int] = {}
        self._portals: list[Portal] = []
        self._servers: list[tuple[_Server, threading.Thread]] = []

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> "SamplePortals":
        self._portals = build_portals(self.scale, self.sites, self.families)
        try:
            for i, portal in enumerate(self._portals):
                portal.hub = self
                port = self.port + i if self.port else 0
                srv = _Server((self.host, port), _handler_for(self, portal))
                if isinstance(portal, RealWebPortal):
                    portal.bind(self.host, srv.server_address[1])
                else:
                    portal.base_url = f"http://{self.host}:{srv.server_address[1]}"
                t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                                     name=f"portal-{portal.name}", daemon=True)
                t.start()
                self._servers.append((srv, t))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        # every server's shutdown() waits for its next poll: ask them all at once
        stoppers = [threading.Thread(target=srv.shutdown, daemon=True) for srv, _ in self._servers]
        for s in stoppers:
            s.start()
        for s in stoppers:
            s.join(timeout=5)
        for srv, t in self._servers:
            srv.server_close()
            t.join(timeout=5)
        self._servers = []

    def __enter__(self) -> "SamplePortals":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests and the demo use ---------------------------------------------------
    @property
    def portals(self) -> list[Portal]:
        return list(self._portals)

    def portal(self, name: str) -> Portal:
        for p in self._portals:
            if p.name == name:
                return p
        raise KeyError(f"no portal {name!r}; have {[p.name for p in self._portals]}")

    @property
    def start_urls(self) -> list[str]:
        return [p.start_url for p in self._portals]

    def block(self, name: str, how: str | None = "403") -> None:
        """Make a real-web portal refuse every visitor ("403": a WAF page, "412": a JavaScript
        challenge that never yields content), or answer again (None)."""
        portal = self.portal(name)
        if not isinstance(portal, RealWebPortal) or how not in (None, "403", "412"):
            raise ValueError(f"cannot block {name!r} with {how!r}")
        portal.blocked = how

    def set_state(self, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {state!r}")
        self.state = state

    def count_in_flight(self, portal: Portal, step: int, path: str = "") -> None:
        """A request to `portal` (for `path`) arrived (+1) or was answered (-1)."""
        with self._count_lock:
            n = self._in_flight.get(portal.name, 0) + step
            self._in_flight[portal.name] = n
            if step > 0:
                self._served[portal.name] = self._served.get(portal.name, 0) + 1
                if path.split("?", 1)[0] == "/robots.txt":
                    self._robots_served[portal.name] = self._robots_served.get(portal.name, 0) + 1
                if n > self._max_in_flight.get(portal.name, 0):
                    self._max_in_flight[portal.name] = n

    def max_in_flight(self) -> dict[str, int]:
        """Per portal name: the most requests it was answering at one moment."""
        with self._count_lock:
            return dict(self._max_in_flight)

    def served(self) -> dict[str, int]:
        """Per portal name: the requests it received."""
        with self._count_lock:
            return dict(self._served)

    def robots_served(self) -> dict[str, int]:
        """Per portal name: the robots.txt requests it received."""
        with self._count_lock:
            return dict(self._robots_served)

    def reset_counts(self) -> None:
        """Forget the counts so far (between two crawls of the same portals)."""
        with self._count_lock:
            self._max_in_flight.clear()
            self._served.clear()
            self._robots_served.clear()

    def gold_reports(self) -> list[GoldReport]:
        return [g for p in self._portals for g in p.gold(self.state)]

    def traps(self) -> list[str]:
        return [u for p in self._portals for u in p.traps()]
