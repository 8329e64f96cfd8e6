"""`nianbao crawl`: bad input gets a clear error and an exit status, before any crawling."""
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, the CLI



def nianbao(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "nianbao", "crawl", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize("args, message", [
    ([], "nothing to crawl"),
    (["www.gov.cn"], "not an http(s) URL"),
    (["http://a.gov.cn/", "--concurrency", "0"], "--concurrency must be at least 1"),
    (["http://a.gov.cn/", "--set", "NOEQUALS"], "NAME=VALUE"),
])
def test_bad_arguments_exit_2_with_the_reason(tmp_path, args, message):
    out = nianbao(*args, "--db", str(tmp_path / "a.db"))
    assert out.returncode == 2
    assert message in out.stderr
    assert not (tmp_path / "a.db").exists()          # nothing created, nothing lost


def test_a_bad_registry_names_the_entry(tmp_path):
    reg = tmp_path / "p.yaml"
    reg.write_text("portals:\n  - name: x\n    start_urls: [http://x.gov.cn/]\n    render: maybe\n",
                   encoding="utf-8")
    out = nianbao("--portals", str(reg), "--db", str(tmp_path / "a.db"))
    assert out.returncode == 2 and "'x'" in out.stderr and "render must be" in out.stderr


def test_render_choices_are_enforced():
    out = nianbao("http://a.gov.cn/", "--render", "sometimes")
    assert out.returncode == 2 and "invalid choice" in out.stderr
