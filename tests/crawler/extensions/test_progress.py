"""Progress: a live line only on a terminal, a summary at the end, numbers in the stats
(and so in the archive's crawl log)."""
from __future__ import annotations

import pytest

import io
import json
import subprocess
import sys

from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from nianbao.crawler.extensions.progress import CrawlProgress, format_duration
from nianbao.archive.capture import Listing, Capture
from nianbao.demo.server import SamplePortals
from tests.support.ops import FAST, query, run_crawl


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _progress(stream, **settings):
    crawler = get_crawler(Spider, settings)
    crawler._apply_settings()
    crawler.stats.open_spider()
    return CrawlProgress(crawler, stream=stream), crawler


def _item(status=200, error=None):
    return Capture(url="http://a.test/r.html", final_url="http://a.test/r.html",
                    canonical_url="http://a.test/r.html", site="a.test", status=status, error=error)


def _feed(p):
    req = Request("http://a.test/r.html", meta={"nianbao_kind": "report"})
    resp = HtmlResponse(req.url, body=b"<html></html>", request=req)
    p.scraped(_item(), resp)
    p.scraped(_item(304), resp)
    p.scraped(_item(None, "DownloadTimeoutError: took longer than 30 s"), None)
    p.scraped(Listing(url="http://a.test/list", site="a.test"), None)


def test_live_line_on_a_terminal_and_summary_at_the_end():
    term = Terminal()
    p, crawler = _progress(term)
    assert p.live
    p.opened()
    _feed(p)
    crawler.stats.set_value("nianbao/render/rendered", 3)
    p.tick()
    line = term.getvalue()
    assert line.startswith("\r") and "pages 2" in line and "reports 1" in line and "renders 3" in line
    assert "not modified 1" in line and "errors 1" in line and "\n" not in line
    p.closed(reason="finished")
    out = term.getvalue()
    assert out.endswith("\n") and "crawl finished in" in out.splitlines()[-1]
    assert "2 pages" in out.splitlines()[-1] and "1 errors" in out.splitlines()[-1]
    assert crawler.stats.get_value("nianbao/progress/pages") == 2
    assert crawler.stats.get_value("nianbao/progress/peak_rss_mb") > 0


def test_no_live_line_when_stderr_is_not_a_terminal():
    pipe = io.StringIO()
    p, crawler = _progress(pipe)
    assert not p.live
    p.opened()
    _feed(p)
    p.tick()
    assert pipe.getvalue() == ""
    p.closed(reason="shutdown")
    assert pipe.getvalue().startswith("crawl shutdown in ")
    silent = io.StringIO()
    p, crawler = _progress(silent, NIANBAO_PROGRESS="off")
    p.opened()
    _feed(p)
    p.closed(reason="finished")
    assert silent.getvalue() == "" and crawler.stats.get_value("nianbao/progress/errors") == 1


def test_durations():
    assert format_duration(5) == "5s" and format_duration(72) == "1m12s" and format_duration(7322) == "2h02m"


@pytest.mark.slow
def test_crawl_log_has_machine_readable_stats(tmp_path):
    with SamplePortals(port=0) as portals:
        db = tmp_path / "a.db"
        proc = run_crawl(portals.portal("trs").base_url + "/", "--db", str(db), *FAST[:2],
                         "--progress", "auto")
        assert proc.returncode == 0, proc.stderr[-3000:]
    assert "crawl finished in" in proc.stderr             # the summary, though not a terminal
    assert "\r" not in proc.stderr                        # no live line into a pipe
    log = json.loads(query(db, "SELECT stats FROM runs")[0][0])
    ops = log["ops"]
    reports = query(db, "SELECT count(*) FROM reports")[0][0]
    assert ops["nianbao/progress/reports"] == reports > 0
    assert ops["nianbao/progress/pages"] >= reports and ops["nianbao/progress/pages_per_s"] > 0


@pytest.mark.slow
def test_peak_memory_is_the_crawls_own_not_its_parents():
    """ru_maxrss survives fork and exec: a crawl started by a process holding 400 MB would
    report 400 MB. The peak is the process's own."""
    ballast = bytearray(400 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])              # touch every page: resident
    out = subprocess.run([sys.executable, "-c", "from nianbao.crawler.extensions.progress import peak_rss_mb; "
                          "print(peak_rss_mb())"], capture_output=True, text=True, check=True).stdout
    del ballast
    assert 0 < float(out) < 300
