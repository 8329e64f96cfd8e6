"""Table rows as text lines: by default each published cell once (the demo's gold rule); in
the "rows" mode (`extract.html.grid.table_rows`) a cell spanning rows repeats on every row it covers, a cell spanning columns appears once, rows with no text of their
own are left out; checked on the nested headers of tables 3 and 4 (report-format.md),
against the demo's independent gold rule, and through `extract_document` in each
`rules.TEXT_TABLE_CELLS` mode."""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from nianbao.extract import extract_document, rules
from nianbao.extract.html.grid import table_rows, table_to_grid

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ORGS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def _td(text="", rs=1, cs=1):
    attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
    return f"<td{attrs}>{text}</td>"


def _figures(*vals):
    return "".join(_td(str(v)) for v in vals)


# Table 3 (2021 layout, result rows cut down): three label columns, a 3x3 identity note,
# 申请人情况 over 自然人 / 法人或其他组织 (five columns) / 总计, 三、本年度办理结果 spanning
# the result rows, （三）不予公开 spanning its items, and an empty row inside the span.
T3 = ("<table>"
      f"<tr>{_td(NOTE, rs=3, cs=3)}{_td('申请人情况', cs=7)}</tr>"
      f"<tr>{_td('自然人', rs=2)}{_td('法人或其他组织', cs=5)}{_td('总计', rs=2)}</tr>"
      f"<tr>{''.join(_td(o) for o in ORGS)}</tr>"
      f"<tr>{_td('一、本年新收政府信息公开申请数量', cs=3)}{_figures(3, 1, 0, 0, 0, 0, 4)}</tr>"
      f"<tr>{_td('三、本年度办理结果', rs=5)}{_td('（一）予以公开', cs=2)}{_figures(2, 1, 0, 0, 0, 0, 3)}</tr>"
      f"<tr>{_td('（三）不予公开', rs=2)}{_td('1.属于国家秘密')}{_figures(0, 0, 0, 0, 0, 0, 0)}</tr>"
      f"<tr>{_td('2.其他法律行政法规禁止公开')}{_figures(1, 0, 0, 0, 0, 0, 1)}</tr>"
      f"<tr>{_td('（七）总计', cs=2)}{_figures(3, 1, 0, 0, 0, 0, 4)}</tr>"
      f"<tr>{_td(cs=2)}{_figures(*[''] * 7)}</tr>"
      f"<tr>{_td('四、结转下年度继续办理', cs=3)}{_figures(0, 0, 0, 0, 0, 0, 0)}</tr>"
      "</table>")

T3_LINES = [
    f"{NOTE}\t申请人情况",
    f"{NOTE}\t自然人\t法人或其他组织\t总计",
    f"{NOTE}\t自然人\t" + "\t".join(ORGS) + "\t总计",
    "一、本年新收政府信息公开申请数量\t3\t1\t0\t0\t0\t0\t4",
    "三、本年度办理结果\t（一）予以公开\t2\t1\t0\t0\t0\t0\t3",
    "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0",
    "三、本年度办理结果\t（三）不予公开\t2.其他法律行政法规禁止公开\t1\t0\t0\t0\t0\t0\t1",
    "三、本年度办理结果\t（七）总计\t3\t1\t0\t0\t0\t0\t4",
    "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0",
]

T4_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
# Table 4: 行政复议 (five columns, labels spanning two rows) and 行政诉讼 (ten columns in
# two blocks), then one row of fifteen figures.
T4 = ("<table>"
      f"<tr>{_td('行政复议', cs=5)}{_td('行政诉讼', cs=10)}</tr>"
      f"<tr>{''.join(_td(c, rs=2) for c in T4_COLS)}{_td('未经复议直接起诉', cs=5)}{_td('复议后起诉', cs=5)}</tr>"
      f"<tr>{''.join(_td(c) for c in T4_COLS * 2)}</tr>"
      f"<tr>{_figures(*range(15))}</tr>"
      "</table>")

T4_LINES = [
    "行政复议\t行政诉讼",
    "\t".join(T4_COLS) + "\t未经复议直接起诉\t复议后起诉",
    "\t".join(T4_COLS * 3),
    "\t".join(str(i) for i in range(15)),
]


def _table(markup: str):
    return lxml_html.fromstring(f"<div>{markup}</div>").find(".//table")


def _lines(markup: str) -> list[str]:
    return ["\t".join(r) for r in table_rows(_table(markup))]


def test_table_3_rows_carry_the_labels_that_span_them():
    assert _lines(T3) == T3_LINES


def test_table_4_nested_headers():
    assert _lines(T4) == T4_LINES


def test_grid_still_expands_every_span():
    grid = table_to_grid(_table(T3))
    assert grid[0] == [NOTE] * 3 + ["申请人情况"] * 7
    assert grid[5][:3] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    assert grid[8] == ["三、本年度办理结果"] + [""] * 9      # the empty row stays in the grid
    assert table_to_grid(_table(T4))[2] == T4_COLS * 3


def test_equal_neighbours_are_distinct_cells_and_a_colspan_is_written_once():
    rows = table_rows(_table(f"<table><tr>{_td('合计', cs=2)}{_td('0')}{_td('0')}</tr></table>"))
    assert rows == [["合计", "0", "0"]]


def test_rows_without_own_text_are_dropped_and_ragged_rows_get_no_padding():
    markup = ("<table>"
              f"<tr>{_td('分组', rs=3)}{_td('a')}{_td('b')}{_td('c')}</tr>"
              "<tr></tr>"                                   # spacer row under the span
              f"<tr>{_td('d')}</tr>"                        # short row: no trailing holes
              f"<tr>{_td()}{_td(' ')}</tr>"                 # blank cells only
              "</table>")
    assert table_rows(_table(markup)) == [["分组", "a", "b", "c"], ["分组", "d"]]


def test_nested_tables_are_their_own_rows_and_th_counts_as_a_cell():
    outer = _table(f"<table><tr><th>外</th><td><table><tr>{_td('内')}{_td('1')}</tr></table></td></tr></table>")
    inner = outer.find(".//table")
    assert table_rows(inner) == [["内", "1"]]
    assert [r[0] for r in table_rows(outer)] == ["外"]


def test_cell_text_function_is_used_for_text_and_emptiness():
    rows = table_rows(_table(f"<table><tr>{_td('甲', rs=2)}{_td('x')}</tr><tr>{_td('y')}</tr></table>"),
                      text=lambda c: "" if c.text_content() == "y" else c.text_content())
    assert rows == [["甲", "x"]]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_agrees_with_the_demo_gold_rule(fmt):
    """The demo's gold (`demo.content.table_lines`, its own implementation) and ours read
    the same rows from every table of a generated report."""
    from nianbao.demo.content import Table, render_table, table_lines
    from nianbao.demo.generated import generate_report

    rep = generate_report("辽河市民政局", 2020 if fmt == "2019" else 2022, fmt, seed=7)
    tables = [b for b in rep.body.blocks if isinstance(b, Table)]
    assert len(tables) == 3
    page = _page("".join(render_table(t) for t in tables))
    doc = extract_document(page, "http://www.lhs.gov.cn/zwgk/ndbg/202101/t20210120_9.html")
    assert [l for l in doc.text.splitlines() if "\t" in l] == [l for t in tables for l in table_lines(t) if "\t" in l]
    t3 = tables[1]
    assert any(l.startswith("三、本年度办理结果\t（一）予以公开\t") for l in table_lines(t3))
    assert any(l.startswith("（三）不予公开\t1.属于国家秘密\t") for l in table_lines(t3))
    assert not any(l.startswith("三、本年度办理结果\t（三）") for l in table_lines(t3))   # each cell once


def _page(tables: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>表格</title></head><body>"
            f"<div class='TRS_Editor'><p>本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>{tables}"
            f"<p>辽河市民政局</p></div></body></html>").encode()


def _text_lines(monkeypatch, mode: str) -> list[str]:
    monkeypatch.setattr(rules, "TEXT_TABLE_CELLS", mode)
    doc = extract_document(_page(T3 + T4), "http://www.lhs.gov.cn/zwgk/ndbg/202101/t20210120_9.html")
    assert len(doc.tables) == 2
    return [l for l in doc.text.splitlines() if "\t" in l]


def test_document_text_published_mode_is_the_default_and_rows_mode_repeats_spans(monkeypatch):
    assert rules.TEXT_TABLE_CELLS == "published"       # reports.text: each character once
    assert _text_lines(monkeypatch, "rows") == T3_LINES + T4_LINES


def test_document_text_published_and_expanded_modes(monkeypatch):
    published = _text_lines(monkeypatch, "published")
    assert "（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0" in published  # 三、… left out
    assert "2.其他法律行政法规禁止公开\t1\t0\t0\t0\t0\t0\t1" in published
    assert "\t".join(ORGS) in published
    expanded = _text_lines(monkeypatch, "expanded")
    assert "\t".join([NOTE] * 3 + ["申请人情况"] * 7) in expanded        # colspans repeated
    assert "\t".join(["三、本年度办理结果"] + [""] * 9) in expanded      # grid rows as they are
