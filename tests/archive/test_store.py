"""Archive store: captures, blobs, documents and versions (hand-built Documents)."""
from __future__ import annotations

import sqlite3

import pytest

from nianbao.archive import blobs
from nianbao.archive.store import Archive, ArchiveBusyError, StoreResult
from tests.support.archive import BASE, REPORT_TEXT, count, page, plain_doc, report_doc

REPORTS_COLUMNS = ["url", "site", "title", "agency", "year", "published", "script", "text",
                   "versions", "first_seen", "last_seen", "removed"]
FIGURES_COLUMNS = ["url", "agency", "year", "format", "requests_new", "requests_carried_over",
                   "granted", "partially_granted", "denied", "unable_to_provide", "not_processed",
                   "other_processed", "handled_total", "carried_forward", "reconsideration_total",
                   "litigation_total", "identity_ok"]


@pytest.fixture
def ar(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def _html(counter: int, text: str = REPORT_TEXT) -> bytes:
    return (f"<html><body><div class=nav>首页</div><div class=TRS_Editor>{text}</div>"
            f"<span>浏览次数：{counter}</span></body></html>").encode()


def test_views_have_the_contract_columns(ar):
    cols = [d[0] for d in ar.conn.execute("SELECT * FROM reports LIMIT 0").description]
    assert cols[:len(REPORTS_COLUMNS)] == REPORTS_COLUMNS
    cols = [d[0] for d in ar.conn.execute("SELECT * FROM report_figures LIMIT 0").description]
    assert cols[:len(FIGURES_COLUMNS)] == FIGURES_COLUMNS


def test_wal_and_migrations_are_idempotent(tmp_path):
    path = tmp_path / "a.db"
    Archive(path).close()
    with Archive(path) as a:
        assert a.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = [r[0] for r in a.conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'nianbao-archive'")]
        assert names and len(names) == len(set(names))


def test_first_store_creates_document_and_version(ar):
    run = ar.start_run([BASE], {})
    res = ar.store_page(run, page("/r/1.html", _html(1)), report_doc())
    assert isinstance(res, StoreResult)
    assert res.new_document and res.new_version and res.document_id and res.capture_id
    row = ar.conn.execute("SELECT url, site, title, year, text, versions, removed FROM reports").fetchone()
    assert row == (BASE + "/r/1.html", "gov.test", "2020年政府信息公开工作年度报告", 2020,
                   REPORT_TEXT, 1, 0)


def test_unchanged_recrawl_adds_captures_not_versions_or_blobs(ar):
    for i in range(3):
        run = ar.start_run([BASE], {})
        res = ar.store_page(run, page("/r/1.html", _html(7)), report_doc())
        assert res.new_version is (i == 0)
        assert res.new_document is (i == 0)
        ar.finish_run(run, {})
    assert count(ar.conn, "captures") == 3
    assert count(ar.conn, "versions") == 1
    assert count(ar.conn, "blobs") == 1
    assert ar.conn.execute("SELECT versions FROM reports").fetchone()[0] == 1
    # every capture points at the version it showed
    assert count(ar.conn, "captures", "version_id IS NULL") == 0


def test_chrome_only_change_adds_no_version_and_a_small_delta_blob(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html", _html(100)), report_doc(text=REPORT_TEXT + "浏览次数：100"))
    res = ar.store_page(run, page("/r/1.html", _html(101)), report_doc(text=REPORT_TEXT + "浏览次数：101"))
    assert not res.new_version
    assert count(ar.conn, "versions") == 1
    assert count(ar.conn, "blobs") == 2
    codec, size = ar.conn.execute(
        "SELECT codec, length(data) FROM blobs ORDER BY rowid DESC LIMIT 1").fetchone()
    assert codec == "zstd-delta" and size < 100
    # both raw bodies read back exactly
    for digest, in ar.conn.execute("SELECT body_sha256 FROM captures"):
        assert blobs.sha256(ar.blob(digest)) == digest


def test_edited_report_gets_exactly_one_new_version(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html", _html(1)), report_doc())
    edited = REPORT_TEXT.replace("23件", "24件")
    res = ar.store_page(run, page("/r/1.html", _html(2, edited)), report_doc(text=edited))
    assert res.new_version and not res.new_document
    res = ar.store_page(run, page("/r/1.html", _html(3, edited)), report_doc(text=edited))
    assert not res.new_version
    assert count(ar.conn, "versions") == 2
    text, versions = ar.conn.execute("SELECT text, versions FROM reports").fetchone()
    assert "24件" in text and versions == 2
    seqs = [r[0] for r in ar.conn.execute("SELECT seq FROM versions ORDER BY id")]
    assert seqs == [1, 2]


def test_non_reports_are_documents_but_not_reports(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/index.html", "<html>home</html>"), plain_doc(BASE + "/index.html"))
    ar.store_page(run, page("/wzndbb/1.html", "<html>trap</html>"),
                  plain_doc(BASE + "/wzndbb/1.html", "网站工作年度报表", "2020年政府网站工作年度报表"))
    assert count(ar.conn, "documents") == 2
    assert count(ar.conn, "reports") == 0


def test_failed_fetch_without_document_is_a_capture_only(ar):
    run = ar.start_run([BASE], {})
    res = ar.store_page(run, page("/x.html", b"", None, error="timeout"), None)
    assert res.document_id is None and not res.new_version
    row = ar.conn.execute("SELECT status, error, outcome, body_sha256 FROM captures").fetchone()
    assert row == (None, "timeout", "failed", None)


def test_traditional_report_keeps_original_script_in_versions(ar):
    run = ar.start_run([BASE], {})
    doc = report_doc(text=REPORT_TEXT, script="traditional", text_original="一、總體情況",
                     title_original="2020年政府信息公開工作年度報告", agency_original="測試市人民政府辦公室")
    ar.store_page(run, page("/r/t.html", _html(1)), doc)
    assert ar.conn.execute("SELECT script, title FROM reports").fetchone() == (
        "traditional", "2020年政府信息公开工作年度报告")
    assert ar.conn.execute("SELECT title_original, agency_original, text_original FROM versions").fetchone() == (
        "2020年政府信息公開工作年度報告", "測試市人民政府辦公室", "一、總體情況")


def test_attachment_text_joins_a_pointer_page(ar):
    run = ar.start_run([BASE], {})
    pdf_text = REPORT_TEXT + "（PDF 附件正文）"
    # the attachment arrives before its page: it must still be linked
    ar.store_page(run, page("/r/2.pdf", b"%PDF-1.4 fake", kind="attachment", parent="/r/2.html",
                            headers={"content-type": "application/pdf"}),
                  report_doc(BASE + "/r/2.pdf", pdf_text, content_type="pdf"))
    ar.store_page(run, page("/r/2.html", "<html>见附件</html>"),
                  report_doc(BASE + "/r/2.html", "2020年政府信息公开工作年度报告\n附件：年度报告.pdf"))
    ar.finish_run(run, {})
    rows = ar.conn.execute("SELECT url, text, versions FROM reports").fetchall()
    assert len(rows) == 1
    url, text, versions = rows[0]
    assert url == BASE + "/r/2.html"
    assert "附件：年度报告.pdf" in text and "（PDF 附件正文）" in text
    assert versions == 1
    # a new attachment version is a new version of the report's text
    ar.store_page(run, page("/r/2.pdf", b"%PDF-1.4 fake v2", kind="attachment", parent="/r/2.html"),
                  report_doc(BASE + "/r/2.pdf", pdf_text + "更正", content_type="pdf"))
    text, versions = ar.conn.execute("SELECT text, versions FROM reports").fetchone()
    assert text.endswith("更正") and versions == 2


def test_full_html_report_does_not_repeat_its_download(ar):
    run = ar.start_run([BASE], {})
    long_text = REPORT_TEXT * 20
    ar.store_page(run, page("/r/3.html", _html(1, long_text)), report_doc(BASE + "/r/3.html", long_text))
    ar.store_page(run, page("/r/3.pdf", b"%PDF", kind="attachment", parent="/r/3.html"),
                  report_doc(BASE + "/r/3.pdf", long_text, content_type="pdf"))
    assert ar.conn.execute("SELECT text FROM reports").fetchone()[0] == long_text
    assert count(ar.conn, "reports") == 1


def test_scanned_pdf_is_recorded_as_such(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/4.pdf", b"%PDF scanned", kind="attachment", parent="/list.html"),
                  report_doc(BASE + "/r/4.pdf", "", content_type="pdf", no_text_layer=True))
    row = ar.conn.execute("SELECT url, text, no_text_layer, content_type FROM reports").fetchone()
    assert row == (BASE + "/r/4.pdf", "", 1, "pdf")


def test_redirect_move_keeps_one_document(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/old/1.html", _html(1)), report_doc(BASE + "/old/1.html"))
    res = ar.store_page(run, page("/old/1.html", _html(2), final="/new/1.html"),
                        report_doc(BASE + "/new/1.html"))
    assert not res.new_document and not res.new_version
    # later the crawler finds the new URL directly
    res2 = ar.store_page(run, page("/new/1.html", _html(3)), report_doc(BASE + "/new/1.html"))
    assert res2.document_id == res.document_id and not res2.new_version
    assert ar.conn.execute("SELECT url FROM reports").fetchall() == [(BASE + "/new/1.html",)]
    assert count(ar.conn, "events", "kind = 'moved'") == 1


def test_not_modified_refreshes_last_seen_without_a_blob(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html", _html(1), headers={"etag": '"abc"',
                                                             "last-modified": "Wed, 01 Jan 2025 00:00:00 GMT"}),
                  report_doc())
    assert ar.validators(BASE + "/r/1.html") == {"etag": '"abc"',
                                                  "last_modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
    assert ar.validators(BASE + "/nope.html") is None
    before = ar.conn.execute("SELECT last_seen FROM documents").fetchone()[0]
    res = ar.store_page(run, page("/r/1.html", b"", 304, not_modified=True), None)
    assert res.document_id and not res.new_version
    assert ar.conn.execute("SELECT last_seen FROM documents").fetchone()[0] > before
    assert ar.conn.execute("SELECT body_sha256, outcome FROM captures WHERE id = ?",
                           (res.capture_id,)).fetchone() == (None, "not_modified")


def test_locked_database_gives_a_clear_error_and_loses_nothing(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as a:
        run = a.start_run([BASE], {})
        a.store_page(run, page("/r/1.html", _html(1)), report_doc())
    fresh = tmp_path / "fresh.db"             # creating the schema needs the write lock
    locker = sqlite3.connect(fresh, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    with pytest.raises(ArchiveBusyError, match="locked by another writer"):
        Archive(fresh, busy_timeout=0.2)
    locker.execute("ROLLBACK")
    locker.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")             # an up-to-date archive opens regardless
    with Archive(path, busy_timeout=0.2) as a:
        assert count(a.conn, "captures") == 1
    other.execute("ROLLBACK")
    with Archive(path, busy_timeout=0.2) as a:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(ArchiveBusyError, match="nothing was written"):
            a.store_page(run, page("/r/2.html", _html(1)), report_doc(BASE + "/r/2.html"))
        other.execute("ROLLBACK")
        res = a.store_page(run, page("/r/2.html", _html(1)), report_doc(BASE + "/r/2.html"))
        assert res.new_document
        assert count(a.conn, "captures") == 2
    other.close()


def test_readers_see_committed_data_while_a_write_is_open(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as a:
        run = a.start_run([BASE], {})
        a.store_page(run, page("/r/1.html", _html(1)), report_doc())
        reader = sqlite3.connect(path)
        a.conn.execute("BEGIN IMMEDIATE")
        a.conn.execute("DELETE FROM events")
        assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        a.conn.execute("ROLLBACK")
        reader.close()


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as a:
        run = a.start_run([BASE], {})
        a.conn.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (run,))
        run2 = a.start_run([BASE], {})
        status = dict(a.conn.execute("SELECT id, status FROM runs"))
        assert status == {run: "interrupted", run2: "running"}
        log = a.finish_run(run2, {"pages": 0})
        assert log["pages"] == 0 and log["archive"]["captures"] == 0
        assert a.conn.execute("SELECT status FROM runs WHERE id = ?", (run2,)).fetchone()[0] == "finished"


def test_known_report_urls_lists_reports_of_the_given_sites(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(BASE + "/r/1.html"))
    ar.store_page(run, page("/index.html", "<html>home</html>"), plain_doc(BASE + "/index.html"))
    assert ar.known_report_urls([BASE + "/"]) == [BASE + "/r/1.html"]
    assert ar.known_report_urls(["gov.test"]) == [BASE + "/r/1.html"]
    assert ar.known_report_urls(["other.test:8080"]) == []


def test_redirect_under_an_unchanged_canonical_url_is_still_recorded_as_a_move(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/old/2.html", _html(1)), report_doc(BASE + "/old/2.html"))
    ar.store_page(run, page("/old/2.html", _html(1), final="/new/2.html", canonical=BASE + "/old/2.html"),
                  report_doc(BASE + "/new/2.html"))
    ar.store_page(run, page("/old/2.html", _html(1), final="/new/2.html", canonical=BASE + "/old/2.html"),
                  report_doc(BASE + "/new/2.html"))
    assert count(ar.conn, "documents") == 1 and count(ar.conn, "versions") == 1
    assert count(ar.conn, "events", "kind = 'moved'") == 1


def test_an_older_archive_is_migrated_on_open(tmp_path):
    import sqlite_utils

    from nianbao.archive.migrations import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m002_lean_figures_index")
    db.execute("INSERT INTO sites (host, first_seen) VALUES ('gov.test', 'then')")
    db.close()
    with Archive(path) as a:
        assert count(a.conn, "sites") == 1
        indexes = {r[1] for r in a.conn.execute("PRAGMA index_list(figures)")}
        assert "figures_by_version" in indexes and "figures_version" not in indexes
        cols = [d[0] for d in a.conn.execute("SELECT * FROM report_figures LIMIT 0").description]
        assert "checks_failed" in cols


def test_migration_5_keeps_list_links_and_request_headers(tmp_path):
    import sqlite_utils

    from nianbao.archive.migrations import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m005_recrawls_cost_only_capture_rows")
    db.execute("INSERT INTO sites (id, host, first_seen) VALUES (1, 'gov.test', 't')")
    db.execute("INSERT INTO listings (id, run_id, site_id, url, fetched_at) VALUES (1, NULL, 1, 'L', 't')")
    db.execute("INSERT INTO listing_links VALUES (1, 'a'), (1, 'b')")
    db.execute("INSERT INTO captures (url, fetched_at, request_headers) VALUES ('u', 't', '{\"user-agent\": \"x\"}')")
    db.close()
    with Archive(path) as a:
        assert sorted(a.conn.execute("SELECT listing_id, url FROM listing_links")) == [(1, "a"), (1, "b")]
        assert a.conn.execute("SELECT h.json FROM captures k JOIN header_sets h ON h.id = k.request_headers_id"
                              ).fetchone()[0] == '{"user-agent":"x"}'


def test_unchanged_lists_and_request_headers_are_stored_once(ar):
    from tests.support.archive import listing

    for _ in range(3):
        run = ar.start_run([BASE], {})
        ar.store_listing(run, listing("/list/", ["/r/1.html", "/r/2.html"]))
        p = page("/r/1.html", _html(1))
        p.request_headers = {"user-agent": "nianbao/0.1", "referer": BASE + "/list/"}
        ar.store_page(run, p, report_doc())
        ar.finish_run(run, {})
    assert count(ar.conn, "listings") == 3
    assert count(ar.conn, "link_sets") == 1 and count(ar.conn, "link_set_urls") == 2
    assert count(ar.conn, "listing_links") == 6
    assert count(ar.conn, "header_sets") == 1
    assert count(ar.conn, "captures", "request_headers_id IS NOT NULL") == 3


def test_extracted_data_that_cannot_be_stored_keeps_the_capture(ar):
    from nianbao.extract.document import Figure, FigureSet

    bad = FigureSet(format="2019", figures=[Figure(3, "requests_new", "total", {"not": "a number"})])
    run = ar.start_run([BASE], {})
    res = ar.store_page(run, page("/r/1.html", _html(1)), report_doc(figures=bad))
    assert res.capture_id and not res.new_version and res.document_id is None
    row = ar.conn.execute("SELECT outcome, error, body_sha256 FROM captures").fetchone()
    assert row[0] == "unparsed" and "could not store the extracted data" in row[1] and row[2]
    assert count(ar.conn, "documents") == 0 and count(ar.conn, "figures") == 0
    # the next good capture of the same page is archived normally
    assert ar.store_page(run, page("/r/1.html", _html(1)), report_doc()).new_version


# -- many pages in one transaction (the distributed crawl's single writer) ------------------------
def _dump(path) -> list:
    c = sqlite3.connect(path)
    try:
        return [sorted(c.execute(f"SELECT * FROM {t}").fetchall()) for t in
                ("documents", "versions", "report_rows", "listings", "blobs")] + \
               [sorted(r[1:] for r in c.execute("SELECT * FROM captures"))]
    finally:
        c.close()


def _entries():
    from tests.support.archive import listing
    out = [(page("/r/1.html", _html(1)), report_doc()),
            listing("/list/", ["/r/1.html", "/r/2.html"]),
            (page("/r/2.html", _html(2, REPORT_TEXT + "附表。\n")),
             report_doc(BASE + "/r/2.html", REPORT_TEXT + "附表。\n", year=2021)),
            (page("/news/1.html", "<html>news</html>"), plain_doc(BASE + "/news/1.html")),
            (page("/r/3.html", b"", status=None, error="TimeoutError: took too long"), None),
            (page("/r/1.html", _html(3)), report_doc())]           # the same report again
    for i, e in enumerate(out):                                   # fetched at fixed times
        (e[0] if isinstance(e, tuple) else e).fetched_at = f"2024-01-01T00:00:0{i}Z"
    return out


def _after():
    p = page("/r/4.html", _html(4))
    p.fetched_at = "2024-01-01T00:01:00Z"
    return p, report_doc(BASE + "/r/4.html")


def test_a_batch_stores_what_one_by_one_stores(tmp_path):
    one, batch = tmp_path / "one.db", tmp_path / "batch.db"
    with Archive(one) as a:
        run = a.start_run([BASE], {})
        singles = [a.store_listing(run, e) if not isinstance(e, tuple) else a.store_page(run, *e)
                   for e in _entries()]
        a.store_page(run, *_after())
    with Archive(batch) as a:
        run = a.start_run([BASE], {})
        results = a.store_pages(run, _entries())
        assert not a.conn.in_transaction
        a.store_page(run, *_after())                 # and on as usual
    assert [type(r) for r in results] == [type(r) for r in singles]
    assert results[0].new_document and not results[-1].new_version
    assert _dump(one) == _dump(batch)


def test_a_failing_page_undoes_its_whole_batch(ar):
    run = ar.start_run([BASE], {})
    bad = page("/r/9.html", _html(9))
    bad.status = "not a status"             # a bug in what a crawl hands in: store_page raises
    entries = _entries()[:2] + [(bad, report_doc(BASE + "/r/9.html"))]
    with pytest.raises(Exception):
        ar.store_pages(run, entries)
    assert count(ar.conn, "captures") == 0 and count(ar.conn, "listings") == 0
    assert not ar.conn.in_transaction
    ar.store_pages(run, _entries()[:2])     # the archive stays usable
    assert count(ar.conn, "captures") == 1
