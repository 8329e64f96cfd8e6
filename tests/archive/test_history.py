"""The read side a crawl needs: last good capture (validators, rendered), known reports,
finished runs and report freshness, read-only and empty for an archive not yet made."""
from __future__ import annotations

from nianbao.archive.history import CrawlHistory
from nianbao.archive.store import Archive
from tests.support.archive import BASE, page, report_doc


def test_an_absent_archive_knows_nothing(tmp_path):
    with CrawlHistory(tmp_path / "none.db") as h:
        assert h.last(BASE + "/r/1.html") is None and h.known_reports() == set()
        assert h.finished_runs() == [] and h.report_last_seen() == {}
    assert not (tmp_path / "none.db").exists()


def test_validators_known_reports_and_runs(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as ar:
        run = ar.start_run([BASE], {})
        p = page("/r/1.html", headers={"content-type": "text/html", "etag": '"v1"'})
        ar.store_page(run, p, report_doc(BASE + "/r/1.html"))
        ar.store_page(run, page("/gone.html", status=404, error="HTTP 404"), None)
        ar.finish_run(run, {})
    with CrawlHistory(path) as h:
        known = h.last(BASE + "/r/1.html")
        assert known.etag == '"v1"' and not known.rendered and known.headers() == {"If-None-Match": '"v1"'}
        assert h.last(BASE + "/gone.html") is None              # a failed fetch validates nothing
        assert h.known_reports() == {BASE + "/r/1.html"}
        assert h.known_reports(["elsewhere.gov.cn"]) == set()
        (started, sites), = h.finished_runs()
        assert sites == {BASE.split("//")[1]}
        assert list(h.report_last_seen()) == [BASE.split("//")[1]]
        assert set(h.all_known()) == {BASE + "/r/1.html"}
