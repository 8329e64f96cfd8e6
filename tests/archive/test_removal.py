"""Removal detection: removed only when gone AND unlisted, or after N failed runs."""
from __future__ import annotations

import json

import pytest

from nianbao.archive.store import Archive
from tests.support.archive import BASE, count, listing, page, plain_doc, report_doc

R1 = "/r/1.html"
R2 = "/r/2.html"


@pytest.fixture
def ar(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def _run(ar, pages, links=(R1, R2), options=None):
    """One crawl: the list (if `links` is not None) and the given (path, status) fetches."""
    run = ar.start_run([BASE], options or {})
    if links is not None:
        ar.store_listing(run, listing("/list/index.html", list(links)))
    for path, status in pages:
        if status == 200:
            ar.store_page(run, page(path, f"<html>{path}</html>"), report_doc(BASE + path))
        elif status is None:
            ar.store_page(run, page(path, b"", None, error="TimeoutError"), None)
        else:
            ar.store_page(run, page(path, b"<html>error</html>", status), plain_doc(BASE + path, "错误"))
    ar.finish_run(run, {})
    return run


def _removed(ar, path):
    return ar.conn.execute("SELECT removed FROM reports WHERE url = ?", (BASE + path,)).fetchone()[0]


def test_404_and_gone_from_its_list_is_removed_at_once(ar):
    _run(ar, [(R1, 200), (R2, 200)])
    _run(ar, [(R1, 404), (R2, 200)], links=[R2])
    assert _removed(ar, R1) == 1 and _removed(ar, R2) == 0
    detail = json.loads(ar.conn.execute("SELECT detail FROM events WHERE kind = 'removed'").fetchone()[0])
    assert detail["status"] == 404 and "no longer listed" in detail["reason"]
    # the removed report stays in the archive with its text
    assert count(ar.conn, "reports") == 2


def test_404_while_still_listed_waits_for_n_runs(ar):
    _run(ar, [(R1, 200), (R2, 200)])
    for i in range(2):
        _run(ar, [(R1, 404), (R2, 200)])
        assert _removed(ar, R1) == 0
    _run(ar, [(R1, 404), (R2, 200)])
    assert _removed(ar, R1) == 1


@pytest.mark.parametrize("status", [503, None])
def test_transient_failures_remove_only_after_n_consecutive_runs(ar, status):
    _run(ar, [(R1, 200), (R2, 200)])
    _run(ar, [(R1, status), (R2, 200)], links=[R2])
    _run(ar, [(R1, status), (R2, 200)], links=[R2])
    assert _removed(ar, R1) == 0
    assert ar.conn.execute("SELECT failures FROM documents WHERE url = ?", (BASE + R1,)).fetchone()[0] == 2
    _run(ar, [(R1, status), (R2, 200)], links=[R2])
    assert _removed(ar, R1) == 1


def test_a_success_resets_the_failure_count(ar):
    _run(ar, [(R1, 200)])
    _run(ar, [(R1, 503)])
    _run(ar, [(R1, 503)])
    _run(ar, [(R1, 200)])
    _run(ar, [(R1, 503)])
    _run(ar, [(R1, 503)])
    assert _removed(ar, R1) == 0


def test_removal_after_is_a_run_option(ar):
    _run(ar, [(R1, 200)])
    _run(ar, [(R1, 503)], options={"removal_after": 1})
    assert _removed(ar, R1) == 1


def test_a_run_without_lists_cannot_say_gone_from_list(ar):
    _run(ar, [(R1, 200)])
    _run(ar, [(R1, 404)], links=None)
    assert _removed(ar, R1) == 0


def test_redirect_to_home_counts_as_gone(ar):
    _run(ar, [(R1, 200), (R2, 200)])
    run = ar.start_run([BASE], {})
    ar.store_listing(run, listing("/list/index.html", [R2]))
    ar.store_page(run, page(R1, "<html>home</html>", final="/index.html"), plain_doc(BASE + "/index.html"))
    ar.finish_run(run, {})
    assert _removed(ar, R1) == 1
    assert ar.conn.execute("SELECT url FROM documents WHERE id = (SELECT document_id FROM events)").fetchone()[0] == BASE + R1


def test_a_report_that_comes_back_is_restored_and_history_shows_both(ar):
    _run(ar, [(R1, 200), (R2, 200)])
    _run(ar, [(R1, 410), (R2, 200)], links=[R2])
    assert _removed(ar, R1) == 1
    _run(ar, [(R1, 200), (R2, 200)])
    assert _removed(ar, R1) == 0
    kinds = [r[0] for r in ar.conn.execute(
        "SELECT e.kind FROM events e JOIN documents d ON d.id = e.document_id WHERE d.url = ? ORDER BY e.id",
        (BASE + R1,))]
    assert kinds == ["removed", "restored"]
    # coming back with the same text is not a new version
    assert ar.conn.execute("SELECT versions FROM reports WHERE url = ?", (BASE + R1,)).fetchone()[0] == 1
