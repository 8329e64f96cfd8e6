"""Pure parts of the pages: citations, download names, text blocks, labels."""
from nianbao.archive.datasette import cite
from nianbao.archive.datasette.labels import bilingual
from nianbao.archive.datasette.names import content_disposition, download_name
from nianbao.archive.datasette.textview import blocks

C = cite.Citation(title="某市2021年政府信息公开工作年度报告", agency="某市人民政府", year=2021,
                  published="2022-03-01", original_url="http://x.gov.cn/a_1.html",
                  captured="2024-01-02T03:04:05Z", sha256="ab" * 32,
                  archive_url="http://h/-/nianbao/report/7/v2", version=2, key="nianbao7v2")


def test_citation_formats_carry_hash_time_and_urls():
    assert "SHA-256 " + "ab" * 32 in cite.plain(C) and "Captured 2024-01-02T03:04:05Z (UTC)" in cite.plain(C)
    bib = cite.bibtex(C)
    assert bib.startswith("@misc{nianbao7v2,") and "url = {http://x.gov.cn/a\\_1.html}" in bib
    assert '"archive_location": "http://h/-/nianbao/report/7/v2"' in cite.csl_json(C)


def test_download_names_and_rfc6266():
    name = download_name("某/市", 2021, 'a:b*"c"', 3, "pdf")
    assert name == "某_市-2021-a_b_c-v3.pdf"
    header = content_disposition("报告-v1.html")
    assert header == "attachment; filename=\"v1.html\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A-v1.html"


def test_blocks_rebuild_tables_from_lines_without_stored_ones():
    out = blocks("段落一\na\tb\tc\nd\te\n段落二")
    assert [b.kind for b in out] == ["p", "table", "p"]
    assert out[1].rows[1][-1]["colspan"] == 2 and not out[1].published


def test_bilingual_labels():
    assert bilingual("denied") == "（三）不予公开 · denied (denied)"
    assert bilingual("litigation_total").startswith("表四 未经复议直接起诉+复议后起诉 总计")
