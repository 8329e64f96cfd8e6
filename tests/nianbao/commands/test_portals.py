"""`nianbao portals` serves the sample portals until interrupted, and says where."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request

import pytest

from nianbao.demo.server import build_portals

pytestmark = pytest.mark.slow      # a server process


def _ignoring_sigint():
    """As a command started in the background by a shell (`cmd &`, nohup) starts: SIGINT
    ignored, which Python then leaves ignored (no KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("sig, started", [(signal.SIGINT, None), (signal.SIGTERM, None),
                                          (signal.SIGINT, _ignoring_sigint)],
                         ids=["SIGINT", "SIGTERM", "SIGINT-in-background"])
def test_portals_serve_until_interrupted(sig, started):
    proc = subprocess.Popen([sys.executable, "-u", "-m", "nianbao", "portals", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=started)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C to stop" in line:
                break
        urls = re.findall(r"(http://[\w.]+:\d+)/", "".join(lines))
        assert len(urls) == len(build_portals())      # one line a portal
        assert any(".gov.test:" in u for u in urls) and "--connect-to" in "".join(lines)
        with urllib.request.urlopen(urls[0] + "/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        proc.send_signal(sig)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, err


def test_bad_arguments_are_one_line_errors():
    proc = subprocess.run([sys.executable, "-m", "nianbao", "portals", "--port", "70000"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--port must be 0..65535" in proc.stderr
    assert "Traceback" not in proc.stderr
