"""End to end: real crawls of the sample portals into one archive, across their states.

Unchanged recrawls add captures only; the second state's chrome churn adds no version,
its edited report exactly one, its removed report (404, gone from its list) is marked
removed, and it is restored when it comes back, with both events in its history. The
crawled archive then re-extracts to the same views, exports to WARC and passes `check`.
"""
from __future__ import annotations

import argparse

import pytest
from warcio.archiveiterator import ArchiveIterator

from nianbao.archive.reextract import reextract
from nianbao.archive.store import Archive
from nianbao.archive.warc import export_warc
from nianbao.commands import check
from nianbao.launch import crawl
from nianbao.demo.server import SamplePortals
from nianbao.extract import EXTRACTOR_VERSION


def _snapshot(db):
    with Archive(db) as ar:
        c = ar.conn
        return {
            "captures": c.execute("SELECT count(*) FROM captures").fetchone()[0],
            "blobs": c.execute("SELECT count(*) FROM blobs").fetchone()[0],
            "report_versions": dict(c.execute("SELECT url, versions FROM reports")),
            "removed": {u for u, in c.execute("SELECT url FROM reports WHERE removed = 1")},
            "events": [tuple(r) for r in c.execute(
                "SELECT d.url, e.kind FROM events e JOIN documents d ON d.id = e.document_id ORDER BY e.id")],
            "versions": c.execute("SELECT count(*) FROM versions v JOIN documents d ON d.id = v.document_id "
                                  "WHERE d.url IN (SELECT url FROM reports)").fetchone()[0],
        }


@pytest.mark.slow
def test_crawls_across_portal_states_version_and_remove_honestly(tmp_path):
    db = str(tmp_path / "archive.db")
    with SamplePortals(port=0) as portals:
        first_gold = {g.url: g for g in portals.gold_reports()}
        portals.set_state("second")
        second_gold = {g.url: g for g in portals.gold_reports()}
        portals.set_state("first")
        edited = {u for u in first_gold.keys() & second_gold.keys()
                  if first_gold[u].text != second_gold[u].text}
        removed = set(first_gold) - set(second_gold)
        added = {u for u in set(second_gold) - set(first_gold) if not second_gold[u].robots_disallowed}
        assert edited and removed and added
        # only the portals whose state changes: the others add crawl time, not coverage
        names = {g.portal for u, g in {**first_gold, **second_gold}.items() if u in edited | removed | added}
        start = [portals.portal(n).base_url + "/" for n in sorted(names)]
        first_gold = {u: g for u, g in first_gold.items() if g.portal in names}

        crawl(start, db)
        s1 = _snapshot(db)
        # finding every report is the crawler's test; the archive needs these ones
        assert edited | removed <= set(s1["report_versions"])
        assert len(set(first_gold) & set(s1["report_versions"])) >= len(first_gold) // 2
        assert all(n == 1 for n in s1["report_versions"].values())

        crawl(start, db)                       # unchanged recrawl
        s2 = _snapshot(db)
        assert s2["captures"] > s1["captures"]
        assert s2["versions"] == s1["versions"] and s2["report_versions"] == s1["report_versions"]
        assert s2["blobs"] == s1["blobs"]

        portals.set_state("second")                        # edit, removal, addition, chrome churn
        crawl(start, db)
        s3 = _snapshot(db)
        assert s3["blobs"] > s2["blobs"]                   # the churn did reach the raw bytes
        for url, n in s3["report_versions"].items():
            if url in edited:
                assert n == 2, url
            elif url in s2["report_versions"]:
                assert n == 1, url                          # chrome churn only: no version
        assert s3["removed"] == removed
        assert [(u, k) for u, k in s3["events"] if k == "removed"] == [(u, "removed") for u in removed]
        added_found = added & set(s3["report_versions"])

        portals.set_state("first")                         # the removed report comes back
        crawl(start, db)
        s4 = _snapshot(db)
        assert s4["removed"] == added_found                # and the added one is gone again
        for url in removed:
            assert [k for u, k in s4["events"] if u == url] == ["removed", "restored"]
            assert s4["report_versions"][url] == 1
        for url in edited:                                  # reverted text is not a new distinct text
            assert s4["report_versions"][url] == 2

    # the crawled archive: re-extraction with the same extractor changes nothing it shows,
    # the WARC export holds every capture, and `check` passes
    def views(ar):
        return (ar.conn.execute("SELECT * FROM reports ORDER BY url").fetchall(),
                ar.conn.execute("SELECT * FROM report_figures ORDER BY url").fetchall())

    with Archive(db) as ar:
        before = views(ar)
        out = reextract(ar)
        assert out["errors"] == 0 and out["text_changed"] == 0 and out["reextracted"] == out["versions"]
        assert views(ar) == before
        assert {r[0] for r in ar.conn.execute("SELECT DISTINCT extractor_version FROM versions")} == {EXTRACTOR_VERSION}
        captures = ar.conn.execute("SELECT count(*) FROM captures").fetchone()[0]
        warc = tmp_path / "out.warc.gz"
        export_warc(ar.conn, warc)
    with open(warc, "rb") as fh:
        ids = {r.rec_headers.get_header("WARC-X-Capture-Id") for r in ArchiveIterator(fh)
               if r.rec_type == "request"}
    assert len(ids) == captures
    assert check.run(argparse.Namespace(db=db, busy_timeout=5.0)) == 0
