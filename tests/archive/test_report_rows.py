"""Stored report rows: every write keeps `reports` equal to its computed definition."""
from __future__ import annotations

import argparse
import sqlite3
from dataclasses import replace

import pytest

from nianbao.archive import report_rows
from nianbao.archive.migrations import migrations
from nianbao.archive.reextract import reextract
from nianbao.archive.store import Archive
from tests.support.archive import BASE, REPORT_TEXT, count, figure_set, listing, page, plain_doc, report_doc
from nianbao.commands import check


@pytest.fixture
def ar(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def in_sync(ar) -> None:
    assert report_rows.differences(ar.conn) == []


def _row(ar, path, cols="*"):
    return ar.conn.execute(f"SELECT {cols} FROM reports WHERE url = ?", (BASE + path,)).fetchone()


def _fetch(ar, run, path, text=REPORT_TEXT, at="2024-01-01T00:00:00Z", **kw):
    p = page(path, f"<html>{text}</html>", **{k: v for k, v in kw.items() if k in
                                               ("status", "final", "kind", "parent", "headers")})
    p.fetched_at = at
    doc_url = BASE + (kw.get("final") or path)
    extra = {"content_type": "pdf"} if kw.get("kind") == "attachment" else {}
    if "figures" in kw:
        extra["figures"] = kw["figures"]
    doc = kw.get("doc") or report_doc(doc_url, text, **extra)
    return ar.store_page(run, p, doc)


def test_every_kind_of_write_keeps_the_stored_rows_equal_to_the_computed_ones(ar):
    pdf_text = REPORT_TEXT + "（PDF 附件正文）"
    # run 1: two reports, an attachment stored before its short pointer page, a non-report
    run = ar.start_run([BASE], {})
    ar.store_listing(run, listing("/list/", ["/r/1.html", "/r/2.html", "/p/3.html"]))
    _fetch(ar, run, "/r/1.html", figures=figure_set(total_new=23))
    _fetch(ar, run, "/r/2.html", REPORT_TEXT + "二")
    _fetch(ar, run, "/p/3.pdf", pdf_text, kind="attachment", parent="/p/3.html",
           figures=figure_set("2021", total_new=7, identity=[True, False]))
    in_sync(ar)
    _fetch(ar, run, "/p/3.html", "附件：年度报告.pdf")
    _fetch(ar, run, "/about.html", doc=plain_doc(BASE + "/about.html"))
    in_sync(ar)
    ar.finish_run(run, {})
    in_sync(ar)
    assert count(ar.conn, "reports") == 3
    text, = _row(ar, "/p/3.html", "text")
    assert "附件：年度报告.pdf" in text and "（PDF 附件正文）" in text
    assert ar.conn.execute("SELECT count(*) FROM report_rows WHERE joined_text IS NOT NULL"
                           ).fetchone()[0] == 1          # only the pointer page stores its text
    # the pointer page's figures come from its attachment
    assert sorted(ar.conn.execute("SELECT url, format, requests_new, identity_ok, checks_failed "
                                  "FROM report_figures")) == [
        (BASE + "/p/3.html", "2021", 7, 0, 1), (BASE + "/r/1.html", "2019", 23, 1, 0)]

    # run 2: an edit, a removal, a 304, a new attachment version
    run = ar.start_run([BASE], {})
    ar.store_listing(run, listing("/list/", ["/r/1.html", "/p/3.html"]))
    _fetch(ar, run, "/r/1.html", REPORT_TEXT + "修订", at="2024-02-01T00:00:00Z",
           figures=figure_set(total_new=30))
    _fetch(ar, run, "/r/2.html", "未找到", status=404, doc=plain_doc(BASE + "/r/2.html", "错误"),
           at="2024-02-01T00:00:00Z")
    p = page("/p/3.html", b"", 304, not_modified=True)
    p.fetched_at = "2024-02-01T00:00:00Z"
    ar.store_page(run, p, None)
    _fetch(ar, run, "/p/3.pdf", pdf_text + "更正", kind="attachment", parent="/p/3.html",
           at="2024-02-01T00:00:00Z", figures=figure_set("2021", total_new=8))
    ar.finish_run(run, {})
    in_sync(ar)
    assert _row(ar, "/r/1.html", "versions, last_seen") == (2, "2024-02-01T00:00:00Z")
    assert _row(ar, "/r/2.html", "removed, last_seen") == (1, "2024-01-01T00:00:00Z")
    versions, last_seen, text = _row(ar, "/p/3.html", "versions, last_seen, text")
    assert (versions, last_seen) == (2, "2024-02-01T00:00:00Z") and text.endswith("更正")
    assert sorted(ar.conn.execute("SELECT url, requests_new, identity_ok FROM report_figures")) == [
        (BASE + "/p/3.html", 8, 1), (BASE + "/r/1.html", 30, 1)]

    # run 3: the removed report comes back; another moves (301) to a new URL
    run = ar.start_run([BASE], {})
    _fetch(ar, run, "/r/2.html", REPORT_TEXT + "二", at="2024-03-01T00:00:00Z")
    _fetch(ar, run, "/r/1.html", REPORT_TEXT + "修订", final="/r/1-new.html", at="2024-03-01T00:00:00Z")
    ar.finish_run(run, {})
    in_sync(ar)
    assert _row(ar, "/r/2.html", "removed, last_seen") == (0, "2024-03-01T00:00:00Z")
    assert _row(ar, "/r/1.html") is None and _row(ar, "/r/1-new.html", "versions") == (2,)

    # re-extraction rewrites versions in place: the rows follow
    stats = reextract(ar, extract=lambda body, url, headers: report_doc(
        url, body.decode("utf-8").removeprefix("<html>").removesuffix("</html>"), title="新标题"))
    assert stats["errors"] == 0
    in_sync(ar)
    assert {t for (t,) in ar.conn.execute("SELECT title FROM reports")} == {"新标题"}
    assert count(ar.conn, "report_figures") == 0              # the new extraction read no tables


def test_an_unchanged_recrawl_moves_last_seen_and_nothing_else(ar):
    run = ar.start_run([BASE], {})
    _fetch(ar, run, "/r/1.html", at="2024-01-01T00:00:00Z")
    before = _row(ar, "/r/1.html")
    _fetch(ar, run, "/r/1.html", at="2024-05-01T00:00:00Z")
    after = _row(ar, "/r/1.html")
    cols = [d[0] for d in ar.conn.execute("SELECT * FROM reports LIMIT 0").description]
    assert [c for c, a, b in zip(cols, before, after) if a != b] == ["last_seen"]
    assert after[cols.index("last_seen")] == "2024-05-01T00:00:00Z"
    in_sync(ar)


def test_the_view_is_a_plain_select_whose_facets_read_indexes(ar):
    sql = ar.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'reports'").fetchone()[0]
    assert "FROM report_rows" in sql and " JOIN " not in sql.upper()
    for col, index in (("agency", "report_rows_agency"), ("year", "report_rows_year"),
                       ("site", "report_rows_site_agency"), ("region", "report_rows_region")):
        plan = " ".join(r[3] for r in ar.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {col}, count(*) FROM reports GROUP BY {col}"))
        assert f"COVERING INDEX {index}" in plan, plan
    for col in ("year", "format", "identity_ok"):
        plan = " ".join(r[3] for r in ar.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {col}, count(*) FROM report_figures GROUP BY {col}"))
        assert f"COVERING INDEX report_figure_rows_{col}" in plan, plan
    plan = " ".join(r[3] for r in ar.conn.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM reports WHERE document_id IN (1, 2, 3)"))
    assert "INTEGER PRIMARY KEY" in plan or "USING INDEX" in plan, plan


def _archive(path):
    with Archive(path) as ar:
        run = ar.start_run([BASE], {})
        _fetch(ar, run, "/r/1.html", figures=figure_set())
        _fetch(ar, run, "/r/2.html", REPORT_TEXT + "二")
        _fetch(ar, run, "/about.html", doc=plain_doc(BASE + "/about.html"))
        ar.finish_run(run, {})


@pytest.mark.parametrize("tamper, message", [
    ("UPDATE report_rows SET title = 'x' WHERE rowid = 1", "differs from the computed definition in title"),
    ("UPDATE report_rows SET joined_text = 'x' WHERE rowid = 2",
     "differs from the computed definition in text"),
    ("DELETE FROM report_rows WHERE rowid = 1", "is missing from report_rows"),
    ("INSERT INTO report_rows (document_id, url, removed) SELECT id, url, 0 FROM documents "
     "WHERE url LIKE '%about%'", "is in report_rows but its computed definition has no such row"),
    ("UPDATE report_figure_rows SET requests_new = 24",
     "differs from the computed definition in requests_new"),
    ("DELETE FROM report_figure_rows", "is missing from report_figure_rows"),
])
def test_check_finds_stored_rows_that_drifted(tmp_path, capsys, tamper, message):
    _archive(tmp_path / "a.db")
    assert check.run(argparse.Namespace(db=str(tmp_path / "a.db"), busy_timeout=1.0)) == 0
    capsys.readouterr()
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute(tamper)
    conn.commit()
    conn.close()
    assert check.run(argparse.Namespace(db=str(tmp_path / "a.db"), busy_timeout=1.0)) == 1
    assert message in capsys.readouterr().err


def test_the_stored_rows_of_an_older_archive_are_derived_on_open(tmp_path):
    import sqlite_utils

    from nianbao.archive.migrations import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m006_stored_report_rows")
    db.execute("INSERT INTO sites (id, host, first_seen) VALUES (1, 'gov.test', 't0')")
    db.execute("INSERT INTO documents (id, url, site_id, kind, parent_id, first_seen, last_seen, "
               "current_version_id) VALUES (1, 'http://gov.test/r.html', 1, 'page', NULL, 't0', 't2', 2), "
               "(2, 'http://gov.test/p.html', 1, 'page', NULL, 't0', 't1', 3), "
               "(3, 'http://gov.test/p.pdf', 1, 'attachment', 2, 't0', 't1', 4)")
    db.execute("INSERT INTO versions (id, document_id, seq, text_hash, first_seen, last_seen, title, "
               "agency, year, text, is_report) VALUES "
               "(1, 1, 1, 'h1', 't0', 't1', '2020年报告', '某局', 2020, '旧文', 1), "
               "(2, 1, 2, 'h2', 't1', 't2', '2020年报告', '某局', 2020, '新文', 1), "
               "(3, 2, 1, 'h3', 't0', 't1', '见附件', NULL, NULL, '见附件', 0), "
               "(4, 3, 1, 'h4', 't0', 't1', '2021年报告', '某厅', 2021, '附件正文很长很长', 1)")
    db.execute("UPDATE versions SET figures_format = '2019', identity_ok = 1 WHERE id = 2")
    db.execute("INSERT INTO figures (version_id, table_no, row_key, col_key, value) VALUES "
               "(2, 3, 'requests_new', 'total', 5), (2, 4, 'reconsideration', 'total', 2)")
    db.close()
    with Archive(path) as a:
        new = sorted(a.conn.execute("SELECT url, title, agency, year, text, versions, region "
                                    "FROM reports").fetchall())
        # a pointer page that is no report itself (its text joins its attachment's), its
        # report attachment, a two-version report
        assert new == [("http://gov.test/p.html", "见附件", "某厅", 2021, "见附件\n附件正文很长很长", 1, "未知"),
                       ("http://gov.test/p.pdf", "2021年报告", "某厅", 2021, "附件正文很长很长", 1, "未知"),
                       ("http://gov.test/r.html", "2020年报告", "某局", 2020, "新文", 2, "未知")]
        assert count(a.conn, "report_rows") == 3
        figures = a.conn.execute("SELECT * FROM report_figures").fetchall()
        assert [r[:5] for r in figures] == [("http://gov.test/r.html", "某局", 2020, "2019", 5)]
        assert report_rows.differences(a.conn) == []
        indexes = {r[1] for r in a.conn.execute("PRAGMA index_list(report_rows)")}
        assert {"report_rows_agency", "report_rows_year", "report_rows_site_agency"} <= indexes


def test_statistics_cannot_turn_the_row_derivation_into_scans(ar):
    """ANALYZE on an archive whose documents mostly have no parent tells SQLite that the
    parent index is useless; the derivation must still look attachments up by index."""
    run = ar.start_run([BASE], {})
    _fetch(ar, run, "/r/1.html")
    ar.conn.execute("ANALYZE")
    # what ANALYZE says of 100,000 report pages without attachments: every other index
    # is as selective as it looks, the parent index (all NULL) looks useless
    ar.conn.execute("UPDATE sqlite_stat1 SET stat = '100000' || substr(stat, instr(stat || ' ', ' '))")
    ar.conn.execute("UPDATE sqlite_stat1 SET stat = '100000 100000' WHERE idx = 'documents_parent'")
    ar.conn.execute("ANALYZE sqlite_schema")          # load the statistics

    def scans(sql):
        return [r[3] for r in ar.conn.execute("EXPLAIN QUERY PLAN " + sql, {"ids": "[1]"})
                if r[3].startswith("SCAN") and "json_each" not in r[3] and "subquery" not in r[3]]

    sql = report_rows.REPORTS.stored_form_sql("d.id IN (SELECT value FROM json_each(:ids))")
    assert scans(sql.replace(" INDEXED BY documents_parent", ""))   # the trap is real
    assert scans(sql) == []
    assert report_rows.sync(ar.conn, [1]) == 0 and report_rows.differences(ar.conn) == []


def test_an_archive_of_the_previous_release_gets_region_and_new_migration_names(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as ar:
        run = ar.start_run([BASE], {})
        _fetch(ar, run, "/r/1.html", doc=replace(report_doc(BASE + "/r/1.html"), agency="浙江省财政厅"))
        _fetch(ar, run, "/r/2.html", REPORT_TEXT + "二", doc=replace(report_doc(BASE + "/r/2.html", REPORT_TEXT + "二"), agency="国务院办公厅"))
        expected = sorted(ar.conn.execute("SELECT url, region FROM reports"))
    assert [r for _, r in expected] == ["浙江省", "中央"]
    # the shape the previous release left before its region migration: no region column,
    # no index, views without it, no archive_meta, no later migration's columns,
    # migrations recorded under their old names
    conn = sqlite3.connect(path)
    later = [m.name for m in migrations._migrations][7:]
    conn.executescript("DROP VIEW report_coverage; DROP VIEW report_figures; DROP VIEW reports; "
                       "DROP INDEX report_rows_region; DROP INDEX report_rows_agency_year; "
                       "DROP INDEX report_rows_prefecture; DROP INDEX report_rows_county; "
                       "DROP INDEX report_rows_adcode; ALTER TABLE report_rows DROP COLUMN prefecture; "
                       "ALTER TABLE report_rows DROP COLUMN county; ALTER TABLE report_rows DROP COLUMN adcode; "
                       "ALTER TABLE versions DROP COLUMN site_code; ALTER TABLE versions DROP COLUMN tables; "
                       "ALTER TABLE report_rows DROP COLUMN region; DROP TABLE archive_meta; "
                       "DROP TABLE site_names; ALTER TABLE captures DROP COLUMN redirects; DROP TABLE run_sites; "
                       "DELETE FROM _sqlite_migrations WHERE name IN ('m007_report_rows_region', "
                       + ", ".join(f"'{n}'" for n in later) + "); "
                       "ALTER TABLE versions DROP COLUMN text_source; ALTER TABLE versions DROP COLUMN ocr_engine; "
                       "ALTER TABLE versions DROP COLUMN ocr_confidence; ALTER TABLE figures DROP COLUMN kind; "
                       "ALTER TABLE figures DROP COLUMN ocr; ALTER TABLE figures DROP COLUMN confidence; "
                       "ALTER TABLE report_figure_rows DROP COLUMN figures_ocr; DROP TABLE capture_images; "
                       "DROP TABLE ocr_results; "
                       "UPDATE _sqlite_migrations SET name = 'm004_recrawls_cost_only_capture_rows' "
                       "WHERE name = 'm005_recrawls_cost_only_capture_rows'; "
                       "UPDATE _sqlite_migrations SET name = 'm005_stored_report_rows' "
                       "WHERE name = 'm006_stored_report_rows';")
    conn.close()
    with Archive(path) as ar:
        assert sorted(ar.conn.execute("SELECT url, region FROM reports")) == expected
        names = [r[0] for r in ar.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        assert names == [m.name for m in migrations._migrations]
        assert "report_rows_region" in {r[1] for r in ar.conn.execute("PRAGMA index_list(report_rows)")}
        assert report_rows.differences(ar.conn) == []


class _Counting(sqlite3.Connection):
    registered = 0

    def create_function(self, *a, **kw):
        type(self).registered += 1
        return super().create_function(*a, **kw)


def test_the_division_function_is_registered_once_a_connection(tmp_path):
    # registering a function expires the connection's prepared statements: every stored
    # page would compile the long computed-row queries again
    conn = sqlite3.connect(tmp_path / "x.db", factory=_Counting)
    for _ in range(3):
        report_rows.register_functions(conn)
    assert _Counting.registered == 1
    assert conn.execute(f"SELECT {report_rows.DIVISION_FUNCTION}('www.example.gov.cn', NULL, NULL, "
                        "'region')").fetchone() is not None
    conn.close()
