"""`nianbao extract`: a file or standard input to clean text; --json for the Document."""
from __future__ import annotations

import pytest

import json
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, the CLI

PAGE = ROOT / "tests" / "pages" / "trs" / "gbk-meta-charset.html"


def _run(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "nianbao", "extract", *args], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120)


def test_file_to_text():
    p = _run(str(PAGE))
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")
    assert "局长王喆主持审定" in out and "当前位置" not in out and "ICP" not in out


def test_stdin_to_json_with_url():
    p = _run("--json", "--url", "http://www.lhs.gov.cn/zwgk/ndbg/202101/t20210120_2.html", stdin=PAGE.read_bytes())
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["title"] == "辽河市民政局2020年政府信息公开工作年度报告"
    assert d["agency"] == "辽河市民政局" and d["year"] == 2020 and d["published"] == "2021-01-20"
    assert d["is_report"] is True and d["encoding"] == "gb18030"
    assert d["tables"] and "figures" in d and d["url"].startswith("http://www.lhs.gov.cn/")


def test_content_type_option_and_missing_file():
    body = "<html><body><div class='TRS_Editor'><p>文本內容測試，政府資訊公開。</p></div></body></html>".encode("big5")
    p = _run("--content-type", "text/html; charset=big5", stdin=body)
    assert p.returncode == 0 and "文本内容测试" in p.stdout.decode("utf-8")
    p = _run(str(ROOT / "no-such-file.html"))
    assert p.returncode == 2 and b"cannot read" in p.stderr
