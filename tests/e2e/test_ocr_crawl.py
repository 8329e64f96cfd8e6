"""End to end: a crawl of the picture-report portal with OCR on (RapidOCR in the crawl's
process pool): every report read by OCR gives its gold figures, with provenance; the
page images are stored with their capture; OCR results are cached by blob hash, so
`reextract` reads none of them again."""
from __future__ import annotations

import json
import sqlite3

import pytest

from nianbao.launch import crawl
from nianbao.demo.server import SamplePortals
from tests.support.ops import redis_server, run_crawl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    db = tmp_path_factory.mktemp("ocr") / "archive.db"
    with SamplePortals(port=0) as portals:
        image = portals.portal("image")
        stats = crawl([image.base_url + "/"], db, log_level="WARNING")
        golds = [g for g in image.gold(portals.state) if not g.robots_disallowed]
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        yield {"golds": golds, "stats": stats, "db": db, "conn": conn}
        conn.close()


def _report(conn, url):
    return conn.execute("SELECT * FROM reports WHERE url = ?", (url,)).fetchone()


def _figures(conn, version_id):
    return {(r["table_no"], r["row_key"], r["col_key"]): r for r in conn.execute(
        "SELECT * FROM figures WHERE version_id = ?", (version_id,))}


def test_every_picture_report_gives_its_gold_figures_with_provenance(world):
    _picture_reports_read(world["conn"], world["golds"])


def test_a_distributed_crawl_reads_each_picture_once(tmp_path):
    """Workers of a Redis crawl OCR what they fetch and hand the results to the writer; two
    sites publishing the same pictures (two copies of the portal, two workers) get each
    picture read once: the workers share what they read through Redis."""
    db = tmp_path / "distributed.db"
    with redis_server(tmp_path) as url, SamplePortals(port=0, sites=2, families=("image",)) as portals:
        proc = run_crawl(*portals.start_urls, "--db", str(db), "--redis", url, "--redis-prefix", "ocr",
                         "--workers", "2", "--progress", "off", "--log-level", "WARNING", timeout=600)
        assert proc.returncode == 0, proc.stderr[-4000:]
        golds = [g for g in portals.gold_reports() if not g.robots_disallowed]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        _picture_reports_read(conn, golds)
        distinct = conn.execute("SELECT count(*) FROM ocr_results").fetchone()[0]   # stored by the writer
        stats = json.loads(conn.execute("SELECT stats FROM runs").fetchone()[0])["scrapy"]
    finally:
        conn.close()
    assert distinct >= 3
    assert stats["nianbao/ocr/read"] == distinct and stats["nianbao/ocr/cached"] >= distinct


def _picture_reports_read(conn, golds):
    ocr_golds = [g for g in golds if g.ocr]
    assert {g.ocr for g in ocr_golds} == {"image-page", "scanned-pdf", "image-tables"}
    for g in ocr_golds:
        r = _report(conn, g.url)
        assert r is not None and r["title"] == g.title, g.url
        fig = conn.execute("SELECT * FROM report_figures WHERE url = ?", (g.url,)).fetchone()
        version_id = fig["version_id"]
        v = conn.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        assert v["text_source"] in ("ocr", "mixed") and v["ocr_engine"].startswith("rapidocr"), g.url
        assert 0.5 < v["ocr_confidence"] <= 1
        got = _figures(conn, version_id)
        assert {k: got[k]["value"] if k in got else "missing" for k in g.figures} == g.figures, g.url
        t3 = [f for k, f in got.items() if k[0] == 3]
        assert t3 and all(f["ocr"] == 1 and f["confidence"] is not None for f in t3)
        assert fig["figures_ocr"] == 1 and fig["identity_status"] == ("consistent" if g.identity_ok else
                                                                      "needs review")


def test_page_images_are_stored_with_the_capture_and_results_cached(world):
    conn = world["conn"]
    n_images = conn.execute("SELECT count(*) FROM capture_images").fetchone()[0]
    assert n_images >= 4                      # the 图片版 pages and the pasted tables
    cached = conn.execute("SELECT count(*) FROM ocr_results").fetchone()[0]
    assert cached >= n_images // 2 + 1        # each distinct picture (and the scan) once


def test_reextract_reuses_the_cached_ocr(world):
    import subprocess
    import sys

    from tests.support import ROOT
    from tests.support.ops import env

    conn = world["conn"]
    before = conn.execute("SELECT count(*), max(created) FROM ocr_results").fetchone()
    p = subprocess.run([sys.executable, "-m", "nianbao", "reextract", "--db", str(world["db"])],
                       cwd=ROOT, env=env(), capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    after = conn.execute("SELECT count(*), max(created) FROM ocr_results").fetchone()
    assert tuple(after) == tuple(before)      # no blob read again
    g = next(g for g in world["golds"] if g.ocr == "scanned-pdf")
    fig = conn.execute("SELECT * FROM report_figures WHERE url = ?", (g.url,)).fetchone()
    got = _figures(conn, fig["version_id"])
    assert {k: got[k]["value"] if k in got else "missing" for k in g.figures} == g.figures
