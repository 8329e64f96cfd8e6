"""A researcher's path through `nianbao serve` in real Chromium at 1280 px: read a report
(its last sentence, a table with a known cell), open an older version by its URL, read
the cite box, download a named file, run a ranked search, open the coverage page; a
facet too. Screenshots of each step are kept in the test's directory.

Fails (never skips) when Chromium is missing: CI must have /usr/bin/chromium.
"""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from nianbao.crawler.browser import CHROMIUM_PATH, launch
from tests.support import ROOT
from tests.support import publish as sample


@pytest.fixture()
def served(tmp_path):
    db = tmp_path / "archive.db"
    sample.build(db)
    sample.add_table_report(db)
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
        yield base, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, "wider than the window"


@pytest.mark.browser
def test_a_researcher_reads_cites_downloads_searches_and_checks_coverage(served, tmp_path):
    from playwright.sync_api import sync_playwright

    base, db = served
    assert Path(CHROMIUM_PATH).exists(), f"{CHROMIUM_PATH} is missing: install Debian's chromium"
    conn = sqlite3.connect(db)
    table_doc = conn.execute("SELECT document_id FROM reports WHERE url = ?", (sample.TABLE_URL,)).fetchone()[0]
    edited_doc = conn.execute("SELECT document_id FROM reports WHERE url = ?", (sample.SAMPLES[1].url,)).fetchone()[0]
    conn.close()
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            # the home page's search box runs a ranked search
            page.goto(base + "/", wait_until="load")
            page.fill('input[name="_search"]', "公开")
            page.press('input[name="_search"]', "Enter")
            page.wait_for_url(re.compile(r"_search="))
            ranks = [int(t) for t in page.locator("td.col-rank").all_inner_texts()]
            assert ranks == sorted(ranks) and ranks[0] == 1
            assert page.locator("mark", has_text="公开").count() >= 1
            page.locator("p.nianbao-sortbar").scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "1-search.png"), full_page=False)
            page.click("a:has-text('newest first')")
            page.wait_for_url(re.compile(r"_sort_desc=published"))
            _fits(page)

            # the reading page: the end of the text, a table with a known cell
            page.goto(base + f"/-/nianbao/report/{table_doc}", wait_until="load")
            assert page.get_by_text(sample.TABLE_LAST_SENTENCE).is_visible()
            cell = page.locator("table.nianbao-report-table td", has_text="四、结转下年度继续办理")
            assert cell.get_attribute("colspan") == "2"
            assert page.locator('table.nianbao-report-table td[rowspan="2"]').inner_text() == "三、本年度办理结果"
            _fits(page)
            page.screenshot(path=str(tmp_path / "2-report.png"), full_page=True)

            # the cite box
            plain = page.locator("#cite-plain").inner_text()
            digest = re.search(r"SHA-256 ([0-9a-f]{64})", plain).group(1)
            assert "Captured 2022-02-01T08:00:00Z (UTC)" in plain
            assert f"{base}/-/nianbao/report/{table_doc}/v1" in plain
            page.click("summary:has-text('BibTeX')")
            assert page.locator("#cite-bibtex").inner_text().startswith(f"@misc{{nianbao{table_doc}v1,")

            # a named download, the bytes whose hash the citation gives
            with page.expect_download() as info:
                page.click("a:has-text('original file')")
            download = info.value
            assert download.suggested_filename == \
                "云溪市财政局-2021-云溪市财政局2021年政府信息公开工作年度报告-v1.html"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            import hashlib
            assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest

            # an older version by its URL, with the diff to the one before its successor
            page.goto(base + f"/-/nianbao/report/{edited_doc}/v1", wait_until="load")
            assert page.get_by_text("Version 1 of 2").is_visible()
            assert page.get_by_text(sample.EDIT_OLD, exact=False).count() >= 1
            page.goto(base + f"/-/nianbao/report/{edited_doc}/v2", wait_until="load")
            assert page.locator("#diff ins").first.inner_text() == "，已于2023年整改完毕"
            page.screenshot(path=str(tmp_path / "3-version.png"), full_page=False)

            # coverage and timeliness
            page.goto(base + "/-/nianbao/coverage", wait_until="load")
            assert page.get_by_text("Coverage and timeliness").first.is_visible()
            assert page.locator("table.nianbao-coverage tbody tr").count() == 5
            _fits(page)
            page.screenshot(path=str(tmp_path / "4-coverage.png"), full_page=False)

            # a facet on the divisions
            page.goto(base + "/archive/reports", wait_until="load")
            page.click('.facet-info[data-column="prefecture"] a:has-text("沈阳市")')
            page.wait_for_url(re.compile(r"prefecture="))
            assert page.locator("table.rows-and-columns tbody tr").count() == 1
            _fits(page)
            page.locator("table.rows-and-columns").scroll_into_view_if_needed()
            shot = tmp_path / "5-facet.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
