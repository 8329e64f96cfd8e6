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


def test_an_image_file_is_read_by_ocr(tmp_path):
    """A picture of table 3 (as a 图片版 report publishes it): OCR by default, as a crawl
    reads it; `--ocr-engine none` only says it needs OCR."""
    from nianbao.demo.content import Table
    from nianbao.demo.generated import generate_report
    from nianbao.demo.scans import table_image

    g = generate_report("西岭县教育局", 2022, "2019", seed=32)
    t3 = [b for b in g.body.blocks if isinstance(b, Table)][1]
    png = tmp_path / "t3.png"
    png.write_bytes(table_image(t3, "t3"))
    p = _run(str(png), "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["content_type"] == "image" and doc["text_source"] == "ocr" and doc["ocr_engine"]
    from nianbao.extract.report_schema import T3_COLUMNS
    want = [str(g.figures[(3, "requests_new", c)]) for c, _ in T3_COLUMNS]
    rows = [r for t in doc["tables"] for r in t if r and r[0].startswith("一、本年新收")]
    assert rows and rows[0][-7:] == want       # the grid, cell by cell (a lone table is no report)
    assert "不予公开" in doc["text"]
    p = _run(str(png), "--json", "--ocr-engine", "none")
    doc = json.loads(p.stdout)
    assert p.returncode == 0 and doc["text"] == "" and doc["ocr_inputs"] == [""]
