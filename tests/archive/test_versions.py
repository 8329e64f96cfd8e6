"""Long `figures`/`checks` tables and the wide `report_figures` view (issue 6, archive half)."""
from __future__ import annotations

import pytest

from nianbao.archive.store import Archive
from tests.support.archive import BASE, count, figure_set, page, report_doc
from nianbao.extract.document import Check, Figure, FigureSet
from nianbao.extract.report_schema import WIDE_COLUMNS, t3_denied_keys


@pytest.fixture
def ar(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def _wide(ar, url):
    cur = ar.conn.execute("SELECT * FROM report_figures WHERE url = ?", (url,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def test_every_figure_and_check_is_a_row_with_labels(ar):
    fs = figure_set(denied={"denied_state_secret": 1, "denied_third_party": 2})
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=fs))
    rows = ar.conn.execute("SELECT table_no, row_key, col_key, value, raw, row_label, col_label "
                           "FROM figures ORDER BY id").fetchall()
    assert len(rows) == len(fs.figures)
    assert rows[0] == (3, "requests_new", "total", 23, "23", "一、本年新收政府信息公开申请数量", "总计")
    assert count(ar.conn, "checks") == 1
    assert count(ar.conn, "figures", "extractor_version = 'test'") == len(fs.figures)


def test_wide_view_sums_rows_and_keeps_blank_apart_from_zero(ar):
    denied = {k: None for k in t3_denied_keys()}
    fs_blank = figure_set(denied=denied)
    fs_sum = figure_set(denied={"denied_state_secret": 1, "denied_third_party": 2,
                                "denied_process_info": None, "denied_inquiry_matters": 0})
    fs_zero = figure_set(denied={"denied_state_secret": 0})
    run = ar.start_run([BASE], {})
    for path, fs in (("/r/blank.html", fs_blank), ("/r/sum.html", fs_sum), ("/r/zero.html", fs_zero)):
        ar.store_page(run, page(path), report_doc(BASE + path, figures=fs))
    assert _wide(ar, BASE + "/r/blank.html")["denied"] is None
    assert _wide(ar, BASE + "/r/sum.html")["denied"] == 3
    assert _wide(ar, BASE + "/r/zero.html")["denied"] == 0
    w = _wide(ar, BASE + "/r/sum.html")
    assert w["requests_new"] == 23 and w["format"] == "2019"
    assert w["reconsideration_total"] == 2 and w["litigation_total"] == 4
    assert w["granted"] is None                     # never published: NULL, not 0
    assert set(WIDE_COLUMNS) <= set(w)


@pytest.mark.parametrize("identity,expected", [([True, True], 1), ([True, False], 0), ([True, None], None)])
def test_identity_ok_is_one_zero_or_null(ar, identity, expected):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=figure_set(identity=identity)))
    assert _wide(ar, BASE + "/r/1.html")["identity_ok"] == expected
    oks = [r[0] for r in ar.conn.execute("SELECT ok FROM checks ORDER BY id")]
    assert oks == [None if v is None else int(v) for v in identity]


def test_free_form_reports_have_no_wide_row_but_keep_prose_figures(ar):
    prose = FigureSet(format=None, figures=[Figure(0, "requests_new", "total", 23, "23", source="收到政府信息公开申请23件")])
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/2016.html"), report_doc(BASE + "/r/2016.html", year=2016, figures=prose))
    assert count(ar.conn, "reports") == 1
    assert _wide(ar, BASE + "/r/2016.html") is None
    assert ar.conn.execute("SELECT table_no, value, source FROM figures").fetchone() == (
        0, 23, "收到政府信息公开申请23件")


def test_2021_other_processed_sums_three_rows(ar):
    fs = FigureSet(format="2021", figures=[
        Figure(3, "other_no_correction", "total", 1), Figure(3, "other_no_fee", "total", None),
        Figure(3, "other_other", "total", 4)], checks=[Check("t3_identity", "total", 5, 5, True)])
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=fs))
    w = _wide(ar, BASE + "/r/1.html")
    assert (w["format"], w["other_processed"], w["identity_ok"]) == ("2021", 5, 1)


def test_pointer_page_takes_figures_from_its_attachment(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/5.html"), report_doc(BASE + "/r/5.html", "见附件"))
    ar.store_page(run, page("/r/5.pdf", b"%PDF", kind="attachment", parent="/r/5.html"),
                  report_doc(BASE + "/r/5.pdf", "附件正文很长" * 50, content_type="pdf",
                             figures=figure_set("2021", total_new=7)))
    w = _wide(ar, BASE + "/r/5.html")
    assert w["format"] == "2021" and w["requests_new"] == 7
    assert count(ar.conn, "report_figures") == 1


def test_wide_view_follows_the_current_version(ar):
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=figure_set(total_new=23)))
    ar.store_page(run, page("/r/1.html", b"v2"), report_doc(text="更正后的报告", figures=figure_set(total_new=24)))
    assert _wide(ar, BASE + "/r/1.html")["requests_new"] == 24
    # the first version's figures are still there, as published
    assert ar.conn.execute("SELECT count(DISTINCT version_id) FROM figures").fetchone()[0] == 2


def test_any_broken_check_flags_the_report(ar):
    fs = figure_set(identity=[True])
    fs.checks.append(Check("t3_handled_total", "total", 10, 9, False))
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=fs))
    w = _wide(ar, BASE + "/r/1.html")
    assert w["identity_ok"] == 1 and w["checks_failed"] == 1


def test_figures_keep_their_kind_blank_and_dash_are_null_not_zero(ar):
    """Analysts tell "not reported" from 0: each figure row keeps its cell's kind."""
    fs = FigureSet(format="2019", figures=[
        Figure(3, "granted", "total", 5, "5", kind="number"),
        Figure(3, "partially_granted", "total", 0, "0", kind="zero"),
        Figure(3, "denied_state_secret", "total", None, "", kind="blank"),
        Figure(3, "denied_third_party", "total", None, "—", kind="dash")])
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=fs))
    rows = ar.conn.execute("SELECT row_key, value, raw, kind FROM figures ORDER BY id").fetchall()
    assert rows == [("granted", 5, "5", "number"), ("partially_granted", 0, "0", "zero"),
                    ("denied_state_secret", None, "", "blank"), ("denied_third_party", None, "—", "dash")]


@pytest.mark.parametrize("identity,ocr,status", [
    ([True], False, "consistent"), ([True, False], False, "inconsistent"),
    ([True, False], True, "needs review"), ([True, None], True, None)])
def test_a_failed_identity_on_ocr_figures_needs_review(ar, identity, ocr, status):
    """OCR may misread a digit: its failed identity is a reading to check, not a report
    that contradicts itself."""
    fs = figure_set(identity=identity)
    for f in fs.figures:
        f.ocr, f.confidence = ocr, (0.9 if ocr else None)
    run = ar.start_run([BASE], {})
    ar.store_page(run, page("/r/1.html"), report_doc(figures=fs))
    w = _wide(ar, BASE + "/r/1.html")
    assert (w["figures_ocr"], w["identity_status"]) == (int(ocr), status)
