"""WACZ export: the wacz package's validator accepts it; a 304 recrawl is a revisit record."""
from __future__ import annotations

import json
import zipfile

from warcio.archiveiterator import ArchiveIterator

from nianbao.archive.store import Archive
from nianbao.archive.wacz import export_wacz, validate_wacz
from nianbao.archive.warc import NOT_MODIFIED_PROFILE
from tests.support.archive import BASE, page, report_doc

URL = BASE + "/r/1.html"


def test_wacz_validates_lists_reports_with_text_and_keeps_a_304_as_revisit(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as ar:
        run = ar.start_run([BASE], {})
        ar.store_page(run, page("/r/1.html", "<html>report</html>"), report_doc(URL))
        ar.finish_run(run, {})
        run = ar.start_run([BASE], {})
        ar.store_page(run, page("/r/1.html", b"", status=304, not_modified=True), None)
        ar.finish_run(run, {})
        counts = export_wacz(ar.conn, tmp_path / "a.wacz")
    assert counts["response"] == 1 and counts["revisit"] == 1 and counts["pages"] == 1
    valid, said = validate_wacz(tmp_path / "a.wacz")
    assert valid, said
    with zipfile.ZipFile(tmp_path / "a.wacz") as z:
        names = set(z.namelist())
        assert {"datapackage.json", "datapackage-digest.json", "pages/pages.jsonl"} <= names
        assert any(n.startswith("indexes/") for n in names)
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()[1:]]
        assert pages[0]["url"] == URL and "本年新收政府信息公开申请23件" in pages[0]["text"]
        warc = next(n for n in names if n.startswith("archive/"))
        with z.open(warc) as f:
            records = list(ArchiveIterator(f))
            types = [r.rec_type for r in records]
    assert types.count("revisit") == 1
    with zipfile.ZipFile(tmp_path / "a.wacz") as z, z.open(warc) as f:
        for r in ArchiveIterator(f):
            if r.rec_type == "revisit":
                assert r.rec_headers.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
                assert r.rec_headers.get_header("WARC-Refers-To-Target-URI") == URL
                assert r.rec_headers.get_header("WARC-Refers-To").startswith("<urn:uuid:")
                assert r.http_headers.get_statuscode() == "304"
