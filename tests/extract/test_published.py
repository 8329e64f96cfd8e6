"""Tables as published: cells once with their spans, placed among the text lines."""
from nianbao.extract import extract_document
from nianbao.extract.published import PublishedTable, place, published_rows

PAGE = """<html><head><title>t</title></head><body><div class="TRS_Editor"><p>一、总体情况</p>
<p>本年度共收到申请。</p><table border=1>
<tr><td rowspan=2>三、本年度办理结果</td><td>（一）予以公开</td><td>5</td></tr>
<tr><td>（二）部分公开</td><td>2</td></tr>
<tr><td colspan=2>四、结转下年度继续办理</td><td>1</td></tr></table>
<p>六、其他需要报告的事项</p></div>
<div class="footer">版权所有　网站标识码：2101000001</div></body></html>"""


def test_published_rows_keep_spans_once():
    a, b = object(), object()
    cells = [[a, a, "x"], [b, b, "y"], [b, b, None]]
    rows = published_rows(cells, lambda c: {a: "A", b: "B"}.get(c, c))
    assert rows == [[["A", 1, 2], ["x", 1, 1]], [["B", 2, 2], ["y", 1, 1]]]   # row 3: no own cell


def test_place_finds_each_table_in_order_and_stops_at_a_dropped_line():
    t1 = PublishedTable(text_lines=["a\t1", "b\t2"])
    t2 = PublishedTable(text_lines=["c\t3", "d\t4", "e\t5"])
    place([t1, t2], ["x", "a\t1", "b\t2", "y", "c\t3", "d\t4", "z"])
    assert (t1.line, t1.lines, t2.line, t2.lines) == (1, 2, 4, 2)


def test_an_html_report_keeps_its_tables_as_published_and_its_site_code():
    d = extract_document(PAGE.encode("utf-8"), "http://x.gov.cn/a.html")
    assert d.site_code == "2101000001"
    [t] = d.published_tables
    lines = d.text.splitlines()
    assert lines[t.line] == "三、本年度办理结果\t（一）予以公开\t5" and t.lines == 3
    assert t.rows[0][0] == ["三、本年度办理结果", 2, 1]
    assert t.rows[2][0] == ["四、结转下年度继续办理", 1, 2]
