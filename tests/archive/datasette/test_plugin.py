"""The published archive through Datasette's in-process client (real Datasette, real SQLite)."""
from __future__ import annotations

import asyncio
import re
import sqlite3
from urllib.parse import quote

import pytest

from tests.support import ROOT
from tests.support import publish as sample
from nianbao.archive.datasette.serve import build_datasette, load_config

A, B, C, T = (s.url for s in sample.SAMPLES)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("publish") / "archive.db"
    sample.build(path)
    return path


@pytest.fixture(scope="module")
def ds(db_path):
    return build_datasette([db_path])


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def search_urls(ds, query: str) -> set[str]:
    r = get(ds, f"/archive/reports.json?_shape=objects&_search={quote(query)}")
    assert r.status_code == 200, r.text
    return {row["url"] for row in r.json()["rows"]}


def test_search_the_standard_way_on_the_reports_view(ds):
    assert search_urls(ds, "公开") == {A, B}
    assert search_urls(ds, "复议") == {A}
    assert search_urls(ds, "公開") == {A, B}              # Traditional query, Simplified text
    assert search_urls(ds, "網際網路") == {T}
    data = get(ds, "/archive/reports.json?_search=" + quote("复议")).json()
    assert data["filtered_table_rows_count"] == 1


def test_search_page_shows_box_and_escaped_highlighted_snippets(ds):
    html = get(ds, "/archive/reports?_search=" + quote("復議")).text
    assert 'name="_search"' in html and 'value="復議"' in html
    assert "<mark>复议</mark>" in html
    assert "1 row where search matches &#34;復議&#34;" in html
    assert "<script>alert" not in html


def test_search_api_ranks_and_snippets(ds):
    data = get(ds, "/-/nianbao/search.json?q=" + quote("公開")).json()
    assert {r["url"] for r in data["rows"]} == {A, B}
    assert all("[公开]" in r["snippet"] for r in data["rows"])
    assert data["total"] == 2


def test_facets_by_agency_year_and_region(ds):
    data = get(ds, "/archive/reports.json?_facet=agency").json()
    facets = data["facet_results"]
    assert {"agency", "year", "region"} <= set(facets)
    regions = {v["value"]: v["count"] for v in facets["region"]["results"]}
    assert regions == {"浙江省": 2, "北京市": 1, "中央": 1}
    years = {v["value"]: v["count"] for v in facets["year"]["results"]}
    assert years == {2022: 2, 2021: 2}
    chosen = get(ds, "/archive/reports.json?_shape=objects&_region=" + quote("北京市")).json()
    assert [r["url"] for r in chosen["rows"]] == [B]
    toggle = [v for v in facets["region"]["results"] if v["value"] == "北京市"][0]["toggle_url"]
    chosen = get(ds, toggle.split("localhost", 1)[-1] + "&_shape=objects").json()   # the facet link
    assert [r["url"] for r in chosen["rows"]] == [B]


def test_a_configured_facet_named_again_in_the_url_is_computed_once(ds):
    data = get(ds, "/archive/reports.json?_facet=agency&_facet=year&_facet_region=1"
                   "&_facet=site&_facet=site").json()
    assert set(data["facet_results"]) == {"agency", "year", "region", "prefecture", "county", "site"}
    assert {v["value"]: v["count"] for v in data["facet_results"]["region"]["results"]} == {
        "浙江省": 2, "北京市": 1, "中央": 1}


def test_report_urls_link_to_the_reading_page_and_the_original(ds, db_path):
    doc_id = sqlite3.connect(db_path).execute("SELECT document_id FROM reports WHERE url = ?", (B,)).fetchone()[0]
    html = get(ds, "/archive/reports").text
    assert f'href="{A}"' in html and "original ↗" in html
    assert f'href="/-/nianbao/report/{doc_id}"' in html
    moved = get(ds, "/-/nianbao/report?url=" + quote(B))
    assert moved.status_code == 302 and moved.headers["location"] == f"/-/nianbao/report/{doc_id}"
    page = get(ds, f"/-/nianbao/report/{doc_id}")
    assert page.status_code == 200
    assert "Versions 版本 (2)" in page.text
    assert f'href="/-/nianbao/report/{doc_id}/v1"' in page.text
    assert f'href="/-/nianbao/report/{doc_id}/v2/raw"' in page.text


def test_diff_page_of_an_edited_report_shows_the_change(ds):
    r = get(ds, "/-/nianbao/diff?url=" + quote(B))
    assert r.status_code == 200
    assert "<ins>，已于2023年整改完毕</ins>" in r.text
    assert "1</strong> line(s) removed, <strong>1</strong> added" in r.text
    same = get(ds, "/-/nianbao/diff?url=" + quote(A)).text
    assert "no change in text" in same


def test_raw_capture_is_a_download_never_html(ds, db_path):
    conn = sqlite3.connect(db_path)
    capture_id = conn.execute("SELECT id FROM captures WHERE url = ? ORDER BY id LIMIT 1", (A,)).fetchone()[0]
    conn.close()
    r = get(ds, f"/-/nianbao/raw/{capture_id}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in r.headers["content-security-policy"]
    assert b"<script>alert('xss')</script>" in r.content         # the bytes exactly as fetched
    assert get(ds, "/-/nianbao/raw/999999").status_code == 404
    # the latest raw capture of a report, by its URL
    latest = get(ds, "/-/nianbao/raw?db=archive&url=" + quote(A))
    assert latest.headers["content-type"] == "application/octet-stream"
    assert latest.headers["content-disposition"].startswith("attachment;")


def test_read_only_writes_are_refused(ds, db_path):
    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM documents").fetchone()[0]
    for sql in ("DELETE FROM documents", "DROP TABLE documents", "UPDATE documents SET removed = 1"):
        r = get(ds, "/archive.json?sql=" + quote(sql))
        assert r.status_code == 400
    metadata, _ = load_config(["archive"])
    assert not any(q.get("write") for q in metadata["databases"]["archive"]["queries"].values())
    after = sqlite3.connect(db_path).execute("SELECT count(*) FROM documents").fetchone()[0]
    assert before == after
    assert ds.get_database("archive").is_mutable        # opened mode=ro: see connect()
    conn = ds.get_database("archive").connect()
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM documents")


@pytest.mark.slow
def test_sql_time_limit_and_settings_come_from_datasette_yaml(ds):
    settings = get(ds, "/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == 3000
    assert settings["allow_download"] is False
    r = get(ds, "/archive.json?sql=" + quote(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"))
    assert r.status_code == 400 and "too long" in r.text


def test_canned_queries_changed_and_removed_since(ds):
    changed = get(ds, "/archive/changed_since.json?_shape=objects&since=2024-05-01").json()["rows"]
    assert [(r["url"], r["version"]) for r in changed] == [(B, 2)]
    assert re.fullmatch(r"/-/nianbao/report/\d+/v2#diff", changed[0]["diff"])
    assert get(ds, "/archive/changed_since.json?_shape=objects&since=2024-07-01").json()["rows"] == []
    removed = get(ds, "/archive/removed_since.json?_shape=objects&since=2000-01-01")
    assert removed.status_code == 200 and removed.json()["rows"] == []


def test_figures_of_a_report_and_a_year_with_failures_flagged(ds):
    year = get(ds, "/archive/year_figures.json?_shape=objects&year=2022").json()["rows"]
    assert {r["url"]: r["identity_ok"] for r in year} == {A: 0, B: 1}
    assert year[0]["url"] == A                                     # failures first
    html = get(ds, "/archive/year_figures?year=2022").text
    assert "✗ 0 failed 不平衡" in html
    long = get(ds, "/archive/report_figures_long.json?_shape=objects&url=" + quote(A)).json()["rows"]
    assert {(r["row_key"], r["value"]) for r in long} >= {("requests_new", 30), ("handled_total", 40)}


def test_charts_page_is_inline_svg_without_scripts(ds):
    r = get(ds, "/-/nianbao/charts")
    assert r.status_code == 200
    assert r.text.count("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"nianbao-chart\"") == 3
    assert not re.search(r'<script[^>]+src="(https?:)?//', r.text) and "http://cdn" not in r.text
    assert ">2022<" in r.text and "办理结果" in r.text


def test_metadata_describes_tables_and_columns_in_english_and_chinese(ds):
    meta = get(ds, "/-/metadata.json").json()
    assert meta["title"] and meta["license"] and meta["source"]
    tables = meta["databases"]["archive"]["tables"]
    for table in ("reports", "report_figures", "versions", "captures", "figures"):
        desc = tables[table].get("description") or tables[table]["description_html"]
        assert re.search(r"[A-Za-z]", desc) and re.search(r"[\u4e00-\u9fff]", desc), table
    for column, desc in tables["reports"]["columns"].items():
        assert re.search(r"[A-Za-z]", desc) and re.search(r"[\u4e00-\u9fff]", desc), column


def test_a_database_under_another_name_gets_the_same_configuration(tmp_path):
    path = tmp_path / "nianbao-2024.db"
    sample.build(path, edited=False)
    ds = build_datasette([path])
    r = get(ds, "/nianbao-2024/reports.json?_shape=objects&_search=" + quote("复议"))
    assert [row["url"] for row in r.json()["rows"]] == [A]
    assert "/nianbao-2024/reports" in get(ds, "/").text


def test_facet_links_on_integer_view_columns_filter_rows(ds):
    facets = get(ds, "/archive/reports.json").json()["facet_results"]
    link = next(v["toggle_url"] for v in facets["year"]["results"] if v["value"] == 2022)
    rows = get(ds, link.replace("http://localhost", "") + "&_shape=objects").json()["rows"]
    assert {r["url"] for r in rows} == {A, B}
    failed = get(ds, "/archive/report_figures.json?_shape=objects&identity_ok=0").json()["rows"]
    assert [r["url"] for r in failed] == [A]


@pytest.mark.slow
def test_serve_refuses_a_missing_database_clearly(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    missing = tmp_path / "nope.db"
    r = subprocess.run([sys.executable, "-m", "nianbao", "serve", "--db", str(missing), "--port", "0"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2
    assert f"no database at {missing}" in r.stdout + r.stderr
    assert not missing.exists()                     # nothing created


def test_unsearchable_query_and_missing_index(tmp_path):
    path = tmp_path / "archive.db"
    sample.build(path, edited=False)
    ds = build_datasette([path])
    r = get(ds, "/archive/reports.json?_search=" + quote("。，"))
    assert r.status_code == 200 and r.json()["rows"] == []
    conn = sqlite3.connect(path)
    conn.executescript("DROP TABLE search_index; DROP TABLE search_docs;")
    conn.close()
    ds = build_datasette([path])
    assert search_urls(ds, "公開") == {A, B}                     # slow scan, same answer
    assert "no search index" in get(ds, "/archive/reports?_search=" + quote("复议")).text


def test_other_databases_served_alongside_are_left_alone(tmp_path, db_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE reports (url TEXT, text TEXT)")
    conn.execute("INSERT INTO reports VALUES ('http://example.org/a', '政府信息公开')")
    conn.commit()
    conn.close()
    ds = build_datasette([db_path, other])
    html = get(ds, "/other/reports").text
    assert "original ↗" not in html
    r = get(ds, "/other/reports.json?_shape=objects")
    assert r.status_code == 200 and "facet_results" in r.json()
    assert "region" not in r.json()["facet_results"]             # archive metadata not applied
    r = get(ds, "/other/reports.json?_search=" + quote("公开"))
    assert "search matches" not in r.text                        # our search not applied
    assert "original ↗" in get(ds, "/archive/reports").text


def test_a_search_matching_much_of_the_archive_scans_and_tests_the_match(db_path):
    """公开 is in half the sample reports (past search.SCAN_SHARE): its page's queries test
    the match while scanning (`+document_id IN`); 复议 (a quarter) drives them from its ids.
    Rows, count and facets are the same either way."""
    ds = build_datasette([db_path], settings={"trace_debug": True})

    def page(query):
        data = get(ds, f"/archive/reports.json?_shape=objects&_trace=1&_search={quote(query)}").json()
        sqls = [t["sql"] for t in data["_trace"]["traces"] if "nianbao_search_ids" in t.get("sql", "")]
        return data, sqls

    broad, broad_sql = page("公开")
    narrow, narrow_sql = page("复议")
    assert broad_sql and all("+document_id IN" in s for s in broad_sql)
    assert narrow_sql and not any("+document_id IN" in s for s in narrow_sql)
    assert {r["url"] for r in broad["rows"]} == {A, B} and broad["filtered_table_rows_count"] == 2
    conn = sqlite3.connect(db_path)
    agencies = dict(conn.execute("SELECT agency, count(*) FROM reports WHERE url IN (?, ?) GROUP BY agency",
                                 (A, B)).fetchall())
    conn.close()
    assert {v["value"]: v["count"] for v in broad["facet_results"]["agency"]["results"]} == agencies
