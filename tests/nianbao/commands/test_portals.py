"""`nianbao portals` serves the sample portals until interrupted, and says where."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.slow      # a server process


def test_portals_serve_until_interrupted():
    proc = subprocess.Popen([sys.executable, "-u", "-m", "nianbao", "portals", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C to stop" in line:
                break
        urls = re.findall(r"(http://127\.0\.0\.1:\d+)/", "".join(lines))
        assert len(urls) == 8
        with urllib.request.urlopen(urls[0] + "/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_bad_arguments_are_one_line_errors():
    proc = subprocess.run([sys.executable, "-m", "nianbao", "portals", "--port", "70000"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--port must be 0..65535" in proc.stderr
    assert "Traceback" not in proc.stderr
