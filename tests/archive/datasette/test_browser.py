"""A person's path through `nianbao serve` in real Chromium: home, search, facet, screenshot.

Fails (never skips) when Chromium is missing: CI must have /usr/bin/chromium.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import publish as sample
from nianbao.crawler.browser import CHROMIUM_PATH, launch

from tests.support import ROOT


@pytest.fixture()
def served(tmp_path):
    db = tmp_path / "archive.db"
    sample.build(db)
    proc = subprocess.Popen([sys.executable, "-u", "-m", "nianbao", "serve", "--db", str(db),
                             "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        base = None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                base = f"http://127.0.0.1:{m.group(1)}"
                break
        assert base, "nianbao serve did not start: " + "".join(lines)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.browser
def test_search_and_facet_in_chromium(served, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM_PATH).exists(), f"{CHROMIUM_PATH} is missing: install Debian's chromium"
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(served + "/", wait_until="load")
            assert "政府信息公开工作年度报告" in page.title() + page.content()
            page.click("text=reports 报告")
            page.wait_for_url(re.compile(r"/archive/reports"))
            page.fill('input[name="_search"]', "復議")        # Traditional, finds Simplified 复议
            page.press('input[name="_search"]', "Enter")
            page.wait_for_url(re.compile(r"_search="))
            assert page.locator("mark", has_text="复议").count() >= 1
            assert "1 row where search matches" in page.content()
            page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

            page.goto(served + "/archive/reports", wait_until="load")
            page.click('.facet-info[data-column="region"] a:has-text("北京市")')
            page.wait_for_url(re.compile(r"region="))
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() == 1
            assert sample.SAMPLES[1].url in rows.first.inner_text()
            shot = tmp_path / "facet.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
