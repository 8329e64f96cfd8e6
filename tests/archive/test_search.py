"""The Chinese search index (archive/search.py): tokenization, queries, refresh, snippets."""
from __future__ import annotations

import sqlite3

import pytest

from tests.support import publish as sample
from nianbao.archive import search
from nianbao.archive.search import index as search_index
from nianbao.archive.store import Archive


def _hits(conn, query: str) -> set[str]:
    expr = search.match_expression(query)
    return {u for (u,) in conn.execute(
        f"SELECT url FROM reports WHERE {search.where_clause('q')}", {"q": expr})}


@pytest.fixture()
def archive_db(tmp_path):
    path = tmp_path / "archive.db"
    sample.build(path)
    conn = sqlite3.connect(path)
    yield path, conn
    conn.close()


A, B, C, T = (s.url for s in sample.SAMPLES)


def test_index_text_makes_one_bigram_token_per_han_character():
    assert search.index_text("信息公开") == " 信息 息公 公开 开 "
    assert search.index_text("2023年度，复议ABC").split() == ["2023", "年度", "度", ",", "复议", "议", "ABC"]


def test_query_forms_match_index_forms():
    assert search.query_tokens("公开") == (["公开"], False)
    assert search.query_tokens("信息公开") == (["信息", "息公", "公开"], False)
    assert search.query_tokens("年") == (["年"], True)              # a prefix: 年X or a lone 年
    assert search.query_tokens("公开2023") == (["公开", "开", "2023"], False)
    assert search.match_expression("。，") is None


def test_traditional_and_taiwan_queries_are_also_searched_in_simplified():
    expr = search.match_expression("網際網路")
    assert '"互联 联网"' in expr and '"网际 际网 网路"' in expr
    assert search.simplified_variants("公開") == ["公開", "公开"]


def test_two_character_and_traditional_queries_find_the_right_reports(archive_db):
    _, conn = archive_db
    assert _hits(conn, "公开") == {A, B}
    assert _hits(conn, "复议") == {A}
    assert _hits(conn, "公開") == {A, B}
    assert _hits(conn, "復議") == {A}
    assert _hits(conn, "網際網路") == {T}           # Taiwan phrase for 互联网
    assert _hits(conn, "信息公开") == {A, B}
    assert _hits(conn, "公开信息") == set()          # a phrase is consecutive characters
    assert _hits(conn, "公开 -复议") == {B}
    assert _hits(conn, "复议 OR 互联网") == {A, T}
    assert _hits(conn, "公") == {A, B, T}            # one character: 公开 and 办公室


def test_refresh_is_idempotent_and_follows_new_versions(archive_db):
    path, conn = archive_db
    assert search.pending(conn) == 0
    again = search.refresh(conn)
    assert (again.indexed, again.dropped, again.rebuilt, again.total) == (0, 0, False, 4)
    # The edited version of B is indexed; its old sentence is gone from the index.
    assert _hits(conn, "整改完毕") == {B}
    s = sample.SAMPLES[2]
    with Archive(path) as ar:
        run = ar.start_run([s.site], {})
        text = s.text + "\n本年度新增行政复议1件。"
        ar.store_page(run, sample.page(s, text, sample.EDITED), sample.document(s, text=text))
        assert search.pending(ar.conn) == 1
        ar.finish_run(run, {})
    assert search.pending(conn) == 0
    assert _hits(conn, "复议") == {A, C}


def test_refresh_rebuilds_when_the_format_changes(archive_db):
    _, conn = archive_db
    conn.execute("UPDATE search_meta SET value = 'old' WHERE key = 'format'")
    conn.commit()
    assert search.pending(conn) == -1
    stats = search.refresh(conn)
    assert stats.rebuilt and stats.indexed == 4
    assert _hits(conn, "复议") == {A}


def test_snippet_marks_matches_including_traditional_queries():
    pieces = search.snippet("甲" * 100 + "依法公开政府信息" + "乙" * 100, "公開", width=5)
    assert ("公开", True) in pieces
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    text = "".join(p for p, _ in pieces)
    assert len(text) < 30


def test_orphans_trigger_a_rebuild_that_keeps_results(archive_db, monkeypatch):
    path, conn = archive_db
    monkeypatch.setattr(search_index, "ORPHAN_MIN", 0)
    monkeypatch.setattr(search_index, "ORPHAN_SHARE", 0.0)
    s = sample.SAMPLES[0]
    with Archive(path) as ar:
        run = ar.start_run([s.site], {})
        text = s.text.replace("行政复议2件", "行政复议3件")
        ar.store_page(run, sample.page(s, text, sample.EDITED), sample.document(s, text=text))
        ar.finish_run(run, {})
    assert conn.execute("SELECT count(*) FROM search_orphans").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM search_docs").fetchone()[0] == 4
    assert _hits(conn, "复议3件") == {A}
    assert _hits(conn, "复议2件") == set()


def test_refresh_notices_a_reextraction_in_place(archive_db):
    from nianbao.archive.versions import rewrite_version

    _, conn = archive_db
    s = sample.SAMPLES[2]
    vid = conn.execute("SELECT version_id FROM reports WHERE url = ?", (s.url,)).fetchone()[0]
    text = s.text + "\n重新提取后出现的行政复议一词。"
    rewrite_version(conn, vid, sample.document(s, text=text), "2024-07-01T00:00:00Z")
    conn.commit()
    assert search.pending(conn) == 1
    search.refresh(conn)
    assert _hits(conn, "复议") == {A, C}


def test_changed_removed_and_returning_reports_match_only_their_current_text(archive_db):
    """Without a rebuild: a changed report is indexed under a new rowid, its stale rowid is
    excluded; a report that leaves the view and comes back is found again, once."""
    from nianbao.archive.versions import rewrite_version

    _, conn = archive_db
    s = sample.SAMPLES[2]
    doc_id, vid = conn.execute("SELECT document_id, version_id FROM reports WHERE url = ?",
                               (s.url,)).fetchone()

    orphans = conn.execute("SELECT count(*) FROM search_orphans").fetchone()[0]

    def rewrite(extra: str, at: str) -> search.RefreshStats:
        rewrite_version(conn, vid, sample.document(s, text=s.text + extra), at)
        conn.commit()
        return search.refresh(conn)

    assert not rewrite("\n第一次补充：听证。", "2024-07-01T00:00:00Z").rebuilt
    assert _hits(conn, "听证") == {C}
    assert rewrite("\n第二次补充：座谈。", "2024-07-02T00:00:00Z").indexed == 1
    assert _hits(conn, "听证") == set() and _hits(conn, "座谈") == {C}
    assert conn.execute("SELECT count(*) FROM search_orphans").fetchone()[0] == orphans + 2
    live = conn.execute("SELECT fts_rowid FROM search_docs WHERE document_id = ?", (doc_id,)).fetchone()[0]
    assert live == doc_id + 2 * search.GENERATION
    # the report leaves the view (stored row gone), then comes back
    row = conn.execute("SELECT * FROM report_rows WHERE document_id = ?", (doc_id,)).fetchone()
    conn.execute("DELETE FROM report_rows WHERE document_id = ?", (doc_id,))
    conn.commit()
    assert search.refresh(conn).dropped == 1
    assert _hits(conn, "座谈") == set() and _hits(conn, "复议") == {A}
    conn.execute(f"INSERT INTO report_rows VALUES ({','.join('?' * len(row))})", row)
    conn.commit()
    stats = search.refresh(conn)
    assert (stats.indexed, stats.rebuilt, stats.total) == (1, False, 4)
    assert _hits(conn, "座谈") == {C} and _hits(conn, "听证") == set()
    ranked = conn.execute(search.ranked_sql("q"), {"q": search.match_expression("座谈")}).fetchall()
    assert [d for d, _ in ranked] == [doc_id]
    assert search.pending(conn) == 0


def test_match_cache_gives_the_index_results_and_follows_refreshes(archive_db):
    from nianbao.archive.versions import rewrite_version

    path, conn = archive_db
    cache = search.MatchCache(size=2)
    cache.register(conn)

    def cached(query):
        return {u for (u,) in conn.execute(
            f"SELECT url FROM reports WHERE {search.cached_where_clause('q')}",
            {"q": search.match_expression(query)})}

    for query in ("公开", "复议", "信息公开", "公开 -复议", "網際網路", "公"):
        assert cached(query) == _hits(conn, query), query
    assert len(cache._entries) == 2                     # least recently used ones dropped
    s = sample.SAMPLES[2]
    vid = conn.execute("SELECT version_id FROM reports WHERE url = ?", (s.url,)).fetchone()[0]
    assert cached("复议") == {A}
    rewrite_version(conn, vid, sample.document(s, text=s.text + "\n行政复议1件。"), "2024-07-03T00:00:00Z")
    conn.commit()
    search.refresh(conn)
    assert cached("复议") == {A, C} == _hits(conn, "复议")


def test_a_broad_match_is_tested_while_scanning_with_the_same_rows(archive_db):
    """The `scan` form (for a match covering much of the archive) is a plan hint only:
    same rows, same facet counts; `nianbao_search_share` gives the matched share."""
    path, conn = archive_db
    search.MatchCache().register(conn)
    total = conn.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    for query in ("公开", "复议", "信息公开", "公开 -复议", "網際網路", "公"):
        expr = search.match_expression(query)
        share = conn.execute(f"SELECT {search.SHARE_FUNCTION}(?)", (expr,)).fetchone()[0]
        assert share == len(_hits(conn, query)) / total, query
        forms = []
        for scan in (False, True):
            where = search.cached_where_clause("q", scan=scan)
            assert where.startswith("+") == scan
            urls = {u for (u,) in conn.execute(f"SELECT url FROM reports WHERE {where}", {"q": expr})}
            facet = conn.execute(f"SELECT agency, count(*) FROM reports WHERE {where} GROUP BY agency "
                                 "ORDER BY agency", {"q": expr}).fetchall()
            forms.append((urls, facet))
        assert forms[0] == forms[1] and forms[0][0] == _hits(conn, query), query
