"""Tables 2-4 read into figures: HTML grids in both formats, flattened seeds, prose, checks."""
from __future__ import annotations

import random
from pathlib import Path

import opencc
import pytest

from nianbao.extract import report_schema as rs
from nianbao.extract.attachments import sniff_kind
from nianbao.extract.attachments.pdf import pdf_text
from nianbao.extract.attachments.word import doc_text
from nianbao.extract.html.grid import html_tables_to_grids
from nianbao.extract.tables import extract_figures

from tests.support import SEEDS
T2S = opencc.OpenCC("t2s")


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return T2S.convert(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ hand-written tables
def t3_values(fmt: str, rnd: random.Random) -> dict[tuple[str, str], int]:
    """Consistent table 3 figures: every published identity holds."""
    rows = rs.t3_rows(fmt)
    apps = [c for c, _ in rs.T3_COLUMNS if c != "total"]
    v: dict[tuple[str, str], int] = {}
    for c in apps:
        for k, _, g in rows:
            if g in rs.T3_RESULT_GROUPS:
                v[(k, c)] = rnd.choice([0, 0, 1, 2, 5, 13])
        handled = sum(v[(k, c)] for k, _, g in rows if g in rs.T3_RESULT_GROUPS)
        v[("handled_total", c)] = handled
        v[("carried_forward", c)] = rnd.choice([0, 1, 3])
        v[("requests_carried_over", c)] = rnd.choice([0, 2])
        v[("requests_new", c)] = handled + v[("carried_forward", c)] - v[("requests_carried_over", c)]
        if v[("requests_new", c)] < 0:
            v[("requests_carried_over", c)] = 0
            v[("requests_new", c)] = handled + v[("carried_forward", c)]
    for k, _, _ in rows:
        v[(k, "total")] = sum(v[(k, c)] for c in apps)
    return v


def t3_html(fmt: str, v: dict, cell=str, col_order=None) -> str:
    cols = col_order or [c for c, _ in rs.T3_COLUMNS]
    labels = dict(rs.T3_COLUMNS)

    def tds(k):
        return "".join(f"<td>{cell(v.get((k, c)))}</td>" for c in cols)

    head_cols = ""
    sub = ""
    if col_order is None:
        head_cols = '<td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td>'
        sub = "".join(f"<td>{labels[c]}</td>" for c in cols[1:6])
    else:   # flat header in a different order: columns must be found by their labels
        head_cols = "".join(f'<td rowspan="2">{labels[c]}</td>' for c in cols)
    rows = rs.t3_rows(fmt)
    out = ['<table border="1" cellspacing="0">',
           '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
           '<td colspan="7">申请人情况</td></tr>',
           f"<tr>{head_cols}</tr>", f"<tr>{sub}</tr>"]
    result = [r for r in rows if r[2] in rs.T3_RESULT_GROUPS]
    n_result = len(result) + 1
    groups_started = set()
    for i, (k, label, g) in enumerate(rows):
        if g is None and k != "handled_total":
            out.append(f'<tr><td colspan="3">{label}</td>{tds(k)}</tr>')
            continue
        lead = f'<td rowspan="{n_result}">三、本年度办理结果</td>' if k == "granted" else ""
        if k == "handled_total" or g == "result" or (g == "other" and fmt == "2019"):
            out.append(f'<tr>{lead}<td colspan="2">{label}</td>{tds(k)}</tr>')
            continue
        grp = ""
        if g not in groups_started:
            groups_started.add(g)
            span = sum(1 for r in rows if r[2] == g)
            grp = f'<td rowspan="{span}">{rs.T3_GROUP_LABELS[g]}</td>'
        out.append(f"<tr>{lead}{grp}<td>{label}</td>{tds(k)}</tr>")
    out.append("</table>")
    return "\n".join(out)


def t4_html(v: dict, cell=str, with_blocks=True) -> str:
    cols = [l for _, l in rs.T4_COLUMNS]
    out = ['<table border="1">']
    if with_blocks:
        out.append('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>')
        out.append("<tr>" + "".join(f'<td rowspan="2">{c}</td>' for c in cols)
                   + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>')
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cols * 2) + "</tr>")
    else:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cols * 3) + "</tr>")
    out.append("<tr>" + "".join(f"<td>{cell(v.get((b, c)))}</td>" for b, _ in rs.T4_BLOCKS for c, _ in rs.T4_COLUMNS)
               + "</tr></table>")
    return "\n".join(out)


def t4_values(rnd: random.Random) -> dict:
    v = {}
    for b, _ in rs.T4_BLOCKS:
        for c, _ in rs.T4_COLUMNS[:-1]:
            v[(b, c)] = rnd.choice([0, 0, 1, 2])
        v[(b, "total")] = sum(v[(b, c)] for c, _ in rs.T4_COLUMNS[:-1])
    return v


def t2_html(fmt: str, v: dict, cell=str) -> str:
    blocks = rs.T2_2021 if fmt == "2021" else rs.T2_2019
    out = ['<table border="1">']
    for blabel, rows, cols in blocks:
        out.append(f'<tr><td colspan="4">{blabel}</td></tr>')
        span = 3 if len(cols) == 1 else 1
        out.append("<tr><td>信息内容</td>" + "".join(f'<td colspan="{span}">{l}</td>' for _, l in cols) + "</tr>")
        for rk, rl in rows:
            out.append(f"<tr><td>{rl}</td>" + "".join(f'<td colspan="{span}">{cell(v.get((rk, ck)))}</td>'
                                                     for ck, _ in cols) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def t2_values(fmt: str, rnd: random.Random) -> dict:
    blocks = rs.T2_2021 if fmt == "2021" else rs.T2_2019
    return {(rk, ck): rnd.choice([0, 3, 17, 1250]) for _, rows, cols in blocks for rk, _ in rows for ck, _ in cols}


def report_html(fmt: str, seed_no: int = 1, **kw):
    rnd = random.Random(seed_no)
    v2, v3, v4 = t2_values(fmt, rnd), t3_values(fmt, rnd), t4_values(rnd)
    html = ("<html><body><p>一、总体情况</p><p>二、主动公开政府信息情况</p>" + t2_html(fmt, v2, **kw)
            + "<p>三、收到和处理政府信息公开申请情况</p>" + t3_html(fmt, v3, **kw)
            + "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + t4_html(v4, **kw) + "</body></html>")
    gold = {(2, r, c): x for (r, c), x in v2.items()}
    gold |= {(3, r, c): x for (r, c), x in v3.items()}
    gold |= {(4, r, c): x for (r, c), x in v4.items()}
    return html, gold


def as_dict(fs):
    return {(f.table, f.row_key, f.col_key): f.value for f in fs.figures}


# ------------------------------------------------------------------ HTML grids
@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_html_tables_every_figure_in_both_formats(fmt):
    html, gold = report_html(fmt)
    fs = extract_figures(html_tables_to_grids(html), "")
    assert fs.format == fmt
    got = as_dict(fs)
    assert got == gold
    assert fs.checks and all(c.ok is True for c in fs.checks), [c for c in fs.checks if c.ok is not True]
    assert fs.identity_ok is True
    names = {c.name for c in fs.checks}
    assert names == {"t3_identity", "t3_handled_total", "t3_row_total", "t4_total"}


def test_format_specific_rows_and_labels():
    html19, _ = report_html("2019")
    html21, _ = report_html("2021")
    f19 = extract_figures(html_tables_to_grids(html19), "")
    f21 = extract_figures(html_tables_to_grids(html21), "")
    keys19 = {f.row_key for f in f19.figures if f.table == 3}
    keys21 = {f.row_key for f in f21.figures if f.table == 3}
    assert "other_processed" in keys19 and "other_no_fee" not in keys19
    assert {"other_no_correction", "other_no_fee", "other_other"} <= keys21 and "other_processed" not in keys21
    fee = next(f for f in f21.figures if f.row_key == "administrative_fees")
    assert fee.col_key == "fee_amount" and fee.unit == "万元"
    other = next(f for f in f21.figures if f.row_key == "other_other" and f.col_key == "other_org")
    assert other.row_label == "3.其他" and other.col_label == "其他"
    partial = next(f for f in f19.figures if f.row_key == "partially_granted")
    assert partial.row_label.startswith("（二）部分公开")


def test_columns_found_by_header_not_position():
    rnd = random.Random(5)
    v = t3_values("2019", rnd)
    order = ["total", "other_org", "natural_person", "legal_service_org", "commercial_enterprise",
             "social_welfare_org", "research_institution"]
    fs = extract_figures(html_tables_to_grids(t3_html("2019", v, col_order=order)), "")
    assert {(r, c): x for (t, r, c), x in as_dict(fs).items()} == v


def test_variants_full_width_thousands_blanks_traditional():
    rnd = random.Random(7)
    v3 = t3_values("2021", rnd)
    extra = 1234 - v3[("requests_new", "natural_person")]
    for row in ("requests_new", "carried_forward"):   # the identity still holds
        v3[(row, "natural_person")] += extra
        v3[(row, "total")] = sum(v3[(row, c)] for c, _ in rs.T3_COLUMNS[:-1])
    blank = ("denied_state_secret", "research_institution")
    v3[blank] = None

    def cell(x):
        if x is None:
            return "—"
        s = f"{x:,}"
        return s.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if x % 2 else s

    html = t3_html("2021", v3, cell=cell)
    # publish it in Traditional with half-width numbering and straight quotes, as sites do
    trad = opencc.OpenCC("s2t").convert(html).replace("（", "(").replace("）", ")").replace("“", '"').replace("”", '"')
    trad = trad.replace("一、本年新收", "本年新收").replace("申請人情況", "申請人 情況")
    fs = extract_figures(html_tables_to_grids(T2S.convert(trad)), "")
    assert fs.format == "2021"
    got = {(r, c): x for (t, r, c), x in as_dict(fs).items()}
    assert got == v3
    f = next(f for f in fs.figures if (f.row_key, f.col_key) == ("requests_new", "natural_person"))
    assert f.value == 1234 and f.raw == "1,234"
    # the blank cell stays None and makes the checks that need it undecidable, not wrong
    col_checks = [c for c in fs.checks if c.key == "research_institution" and c.name == "t3_handled_total"]
    assert col_checks and col_checks[0].ok is None
    row_check = next(c for c in fs.checks if c.name == "t3_row_total" and c.key == "denied_state_secret")
    assert row_check.ok is None
    assert next(c for c in fs.checks if c.name == "t3_identity" and c.key == "total").ok is True


def test_broken_identity_flagged_and_figures_kept():
    rnd = random.Random(11)
    v3 = t3_values("2019", rnd)
    v3[("requests_new", "total")] += 2          # a typo as published
    fs = extract_figures(html_tables_to_grids(t3_html("2019", v3)), "")
    assert as_dict(fs)[(3, "requests_new", "total")] == v3[("requests_new", "total")]
    bad = [c for c in fs.checks if c.ok is False]
    assert {(c.name, c.key) for c in bad} == {("t3_identity", "total"), ("t3_row_total", "requests_new")}
    ident = next(c for c in bad if c.name == "t3_identity")
    assert ident.expected - ident.actual == 2
    assert fs.identity_ok is False


def test_table4_without_block_headers_reads_by_position():
    rnd = random.Random(3)
    v4 = t4_values(rnd)
    fs = extract_figures(html_tables_to_grids(t4_html(v4, with_blocks=False)), "")
    assert {(r, c): x for (t, r, c), x in as_dict(fs).items()} == v4
    assert all(c.ok for c in fs.checks if c.name == "t4_total")


def test_grids_win_over_the_same_table_flattened_in_text():
    html, gold = report_html("2019", 4)
    text = seed("002")   # other figures: must not leak into a report whose grids have the tables
    fs = extract_figures(html_tables_to_grids(html), text)
    assert as_dict(fs) == gold


# ------------------------------------------------------------------ flattened text (seeds)
def test_seed_002_flattened_tables():
    fs = extract_figures([], seed("002"))
    got = as_dict(fs)
    assert fs.format == "2019"
    assert got[(3, "requests_new", "total")] == 23
    assert got[(3, "requests_carried_over", "total")] == 8
    assert got[(3, "handled_total", "total")] == 30
    assert got[(3, "carried_forward", "total")] == 1
    assert got[(3, "unable_not_held", "natural_person")] == 12
    assert got[(3, "requests_new", "commercial_enterprise")] == 2
    assert len([k for k in got if k[0] == 3]) == 7 * len(rs.T3_ROWS_2019)
    assert got[(2, "administrative_licensing", "change")] == -1
    assert got[(2, "administrative_licensing", "decisions")] == 31337
    proc = next(f for f in fs.figures if f.row_key == "government_procurement" and f.col_key == "procurement_amount")
    assert proc.value == pytest.approx(63363.40) and proc.unit == "万元"
    assert got[(4, "litigation_direct", "upheld")] == 1 and got[(4, "litigation_direct", "total")] == 1
    assert len([k for k in got if k[0] == 4]) == 15
    assert all(c.ok is True for c in fs.checks) and fs.identity_ok is True
    regs = next(f for f in fs.figures if f.row_key == "regulations")
    assert regs.row_label == "规章"   # pinyin artifact "规(guī)章" dropped from the label
    assert not any(f.table == 0 for f in fs.figures)   # tables present: no prose figure


def test_seed_003_empty_table_gives_nulls_only():
    fs = extract_figures([], seed("003"))
    assert fs.format == "2021"
    table_figs = [f for f in fs.figures if f.table in (2, 3, 4)]
    assert table_figs, "the empty table's recognized rows are recorded as blanks"
    assert all(f.value is None for f in table_figs)
    assert fs.identity_ok is None
    assert all(c.ok is None for c in fs.checks)


def test_row_per_line_and_pdf_like_text():
    rnd = random.Random(21)
    v3 = t3_values("2021", rnd)
    v4 = t4_values(rnd)
    lines = ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人 法人或其他组织 总计",
             "商业 企业 科研 机构 社会公益组织 法律服务机构 其他"]
    for k, label, g in rs.t3_rows("2021"):
        if k == "other_no_correction":
            lines.append("（六）其他处理")
        vals = " ".join(str(v3[(k, c)]) for c, _ in rs.T3_COLUMNS)
        lines.append(f"{label} {vals}")
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼",
              "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
              "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计",
              " ".join(str(v4[(b, c)]) for b, _ in rs.T4_BLOCKS for c, _ in rs.T4_COLUMNS),
              "五、存在的主要问题及改进情况", "一是培训 2 次，累计参学人员 100 余人。"]
    fs = extract_figures([], "\n".join(lines))
    assert fs.format == "2021"
    got = as_dict(fs)
    assert {(r, c): x for (t, r, c), x in got.items() if t == 3} == v3
    assert {(r, c): x for (t, r, c), x in got.items() if t == 4} == v4


def test_flattened_blank_cell_kept_in_position():
    text = "\n".join(["三、收到和处理政府信息公开申请情况",
                      "一、本年新收政府信息公开申请数量 |", "5 |", "|", "0 |", "0 |", "0 |", "0 |", "5 |", "||",
                      "四、结转下年度继续办理 |", "1 |", "0 |", "0 |", "0 |", "0 |", "0 |", "1 |", "||"])
    got = as_dict(extract_figures([], text))
    assert got[(3, "requests_new", "natural_person")] == 5
    assert got[(3, "requests_new", "commercial_enterprise")] is None
    assert got[(3, "requests_new", "total")] == 5
    assert got[(3, "carried_forward", "total")] == 1


# ------------------------------------------------------------------ prose, images, traps
def test_pre_2019_prose_figure_with_its_sentence():
    text = ("一、概述\n2017年，我局认真贯彻落实《条例》。\n三、依申请公开政府信息情况\n"
            "全年共收到政府信息公开申请23件，均已按时答复。其中当面申请5件。\n收到12345热线事项133件。")
    fs = extract_figures([], text)
    assert fs.format is None and not fs.checks
    assert [(f.table, f.row_key, f.col_key, f.value) for f in fs.figures] == [(0, "requests_new", "total", 23)]
    assert fs.figures[0].source == "全年共收到政府信息公开申请23件，均已按时答复。"


@pytest.mark.parametrize("sentence,value", [
    ("本年度共受理依申请公开申请二十三件。", 23),
    ("2016年收到各类信息公开申请共计1,024件。", 1024),
    ("本年度未收到政府信息公开申请。", 0),
])
def test_prose_variants(sentence, value):
    fs = extract_figures([], "二、主动公开情况\n" + sentence)
    assert [f.value for f in fs.figures] == [value]


def test_prose_without_a_count_invents_nothing():
    text = "一、概述\n我局高度重视政府信息公开工作，依法受理政府信息公开申请，及时答复。\n共发布信息120条。"
    fs = extract_figures([], text)
    assert fs.figures == [] and fs.format is None and fs.identity_ok is None


def test_tables_as_images():
    text = "二、主动公开政府信息情况\n<img src='t2.png'>\n三、收到和处理政府信息公开申请情况\n[图片]\n五、存在的主要问题及改进情况\n无"
    assert extract_figures([], text).image_tables is True
    html = "<p>三、收到和处理政府信息公开申请情况</p><p><img src='/u/t3.jpg'></p><p>五、存在的主要问题及改进情况</p>"
    assert extract_figures([], "三、收到和处理政府信息公开申请情况\n五、存在的主要问题及改进情况", html=html).image_tables
    report, _ = report_html("2021")
    assert extract_figures(html_tables_to_grids(report), "", html=report + "<img src=logo.png>").image_tables is False
    # a free-form report that names the section, with a QR code in the page footer far below
    prose = ("<p>三、收到和处理政府信息公开申请情况</p><p>全年共收到政府信息公开申请5件。</p>"
             "<p>四、存在的主要问题</p><p>" + "加强培训。" * 50 + "</p><div class=footer><img src=qr.png></div>")
    fs = extract_figures([], "三、收到和处理政府信息公开申请情况\n全年共收到政府信息公开申请5件。", html=prose)
    assert fs.image_tables is False and [f.value for f in fs.figures] == [5]


def test_not_a_report_gives_nothing():
    html, _ = report_html("2021")
    fs = extract_figures(html_tables_to_grids(html), "收到政府信息公开申请23件。", is_report=False)
    assert fs.figures == [] and fs.format is None


def test_unrelated_tables_give_nothing():
    html = ("<table><tr><td>索引号</td><td>000014349/2021-00012</td></tr><tr><td>发布机构</td><td>办公室</td></tr></table>"
            "<table><tr><td>指标</td><td>数量</td></tr><tr><td>网站总访问量</td><td>123456</td></tr></table>")
    fs = extract_figures(html_tables_to_grids(html), "")
    assert fs.figures == [] and fs.format is None and fs.checks == []


# ------------------------------------------------------------------ the sample portals' reports
@pytest.fixture(scope="module")
def portals():
    from nianbao.demo.server import SamplePortals

    with SamplePortals(port=0) as p:
        yield p


@pytest.fixture(scope="module")
def portal_reports(portals):
    """(gold, url, fetched body, response headers) of every report the sample portals publish."""
    from tests.support.http import fetch

    out = []
    for g in portals.gold_reports():
        url = g.attachment_url or g.url
        status, headers, body = fetch(url)
        assert status == 200, url
        out.append((g, url, body, {k.lower(): v for k, v in headers.items()}))
    return out


def _is_shell(body: bytes) -> bool:
    from nianbao.extract import looks_like_shell

    return not body.startswith(b"%PDF") and looks_like_shell(body)


def _page_text(html: str) -> str:
    """Block elements one a line: where a site flattened its tables, the lines are the cells."""
    from lxml import html as lh

    doc = lh.fromstring(html)
    for bad in doc.xpath("//script|//style"):
        bad.drop_tree()
    for el in doc.iter("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "td", "th"):
        el.tail = ("\t" if el.tag in ("td", "th") else "\n") + (el.tail or "")
    return doc.text_content()


def read_report(body: bytes, encoding: str = "utf-8"):
    """extract_figures on what a report page or attachment publishes, without the extractor."""
    if body.startswith(b"%PDF"):
        pdf = pdf_text(body)             # the crawl's own PDF reader
        return extract_figures(pdf.grids, "\n".join(pdf.lines))
    if sniff_kind(body) == "doc":
        doc = doc_text(body)             # the crawl's own Word 97 readers
        return extract_figures(doc.grids, "\n".join(doc.lines))
    html = T2S.convert(body.decode(encoding, "replace"))   # a no-op on Simplified pages
    return extract_figures(html_tables_to_grids(html), _page_text(html), html=html)


def _table_figures(fs):
    return {(f.table, f.row_key, f.col_key): f.value for f in fs.figures if f.table in (2, 3, 4)}


def _wide(figs: dict) -> dict:
    out = {}
    for name, (table, rows, col) in rs.WIDE_COLUMNS.items():
        vals = [figs[(table, r, col)] for r in rows if (table, r, col) in figs]
        if vals and all(v is not None for v in vals):
            out[name] = sum(vals)
    return out


def assert_matches_gold(g, fs, where):
    got = _table_figures(fs)
    if g.no_text_layer or g.ocr:    # pictures, extracted without OCR: nothing read, nothing invented
        assert fs.format is None and not got and fs.identity_ok is None, where
        return                      # (with OCR: tests/extract/test_ocr.py, tests/e2e)
    if (g.attachment_url or "").endswith(".doc"):    # Word 97: what the readers keep is right
        wrong = {k: (got[k], v) for k, v in g.figures.items() if k in got and got[k] != v}
        assert not wrong and len(got) >= 0.85 * len(g.figures), (where, wrong)
        return
    assert fs.format == g.format, where
    wrong = {k: (got.get(k, "missing"), v) for k, v in g.figures.items() if got.get(k, "missing") != v}
    assert not wrong, (where, wrong)
    extra = {k: v for k, v in got.items() if k not in g.figures and v is not None}
    assert not extra, (where, extra)
    gold_wide = {k: v for k, v in g.wide().items() if v is not None}
    assert _wide(got) == gold_wide, where
    assert fs.identity_ok is g.identity_ok, where


def test_sample_reports_every_figure_equals_gold(portal_reports):
    tabled = [x for x in portal_reports if x[0].format in ("2019", "2021") and not _is_shell(x[2])]
    assert {g.format for g, *_ in tabled} == {"2019", "2021"}
    assert any(body.startswith(b"%PDF") for _, _, body, _ in tabled), "PDF attachments are read"
    assert any(g.script == "traditional" for g, *_ in tabled)
    for g, url, body, _headers in tabled:
        assert_matches_gold(g, read_report(body, g.encoding), url)


@pytest.mark.browser
def test_sample_single_page_app_reports_equal_gold(portal_reports):
    from nianbao.crawler.browser import render_html

    shells = [x for x in portal_reports if _is_shell(x[2]) and x[0].format]
    assert shells, "the sample portals include a single-page app"
    rendered = render_html([url for _g, url, _body, _headers in shells])
    for g, url, _body, _headers in shells:
        assert_matches_gold(g, read_report(rendered[url]), url)


def test_sample_reports_through_extract_document(portal_reports):
    """The extractor's path (its grids, its text): the figures reach Document.figures."""
    from nianbao.extract import extract_document

    tabled = [x for x in portal_reports if x[0].format and not _is_shell(x[2])]
    for g, url, body, headers in tabled:
        assert_matches_gold(g, extract_document(body, url, headers).figures, url)


def test_sample_broken_identity_is_flagged(portal_reports):
    broken = [x for x in portal_reports if x[0].identity_ok is False]
    assert broken, "the sample portals publish one report with a broken identity"
    for g, url, body, _headers in broken:
        fs = read_report(body, g.encoding)
        failed = [c for c in fs.checks if c.name == "t3_identity" and c.ok is False]
        assert failed and fs.identity_ok is False
        assert _table_figures(fs) == g.figures     # kept as published, not corrected


def test_sample_free_form_reports_have_no_table_figures(portal_reports):
    free = [x for x in portal_reports if x[0].format is None and not _is_shell(x[2])]
    assert free
    for g, url, body, _headers in free:
        fs = read_report(body, g.encoding)
        assert fs.format is None and not _table_figures(fs) and fs.checks == [], url
        for f in fs.figures:      # at most the prose count, with the sentence it came from
            assert (f.table, f.row_key) == (0, "requests_new") and str(f.value) in f.source, url


# ------------------------------------------------------------------ label variants, PDF tables
def _all_labels():
    labels = [l for _, l, _ in rs.T3_ROWS_2019 + rs.T3_ROWS_2021] + list(rs.T3_GROUP_LABELS.values())
    labels += [l for _, l in rs.T3_COLUMNS + rs.T4_BLOCKS + rs.T4_COLUMNS]
    for bl, rows, cols in rs.T2_2019 + rs.T2_2021:
        labels += [bl] + [l for _, l in rows + cols]
    return labels


@pytest.mark.parametrize("config", ["s2t", "s2twp", "s2hk"])
def test_every_label_survives_traditional_round_trip(config):
    """Taiwan phrasing (專案 for 项目, 檔案 for 文件, 資訊 for 信息) read back after t2s."""
    from nianbao.extract.tables.labels import core

    conv = opencc.OpenCC(config)
    for label in _all_labels():
        assert core(T2S.convert(conv.convert(label))) == core(label), label


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_pdf_ruled_tables_rebuilt_into_grids(fmt):
    from nianbao.demo.generated import generate_report
    from nianbao.demo.pdfs import text_pdf
    g = generate_report("云溪市统计局", 2022 if fmt == "2021" else 2020, fmt, seed=9)
    grids = pdf_text(text_pdf(g.title, g.body)).grids
    t3 = next(gr for gr in grids if any("申请人情况" in c for c in gr[0]))
    assert any(c == "社会公益组织" for c in t3[2])   # a wrapped label comes back whole
    fs = extract_figures(grids, "")
    assert fs.format == fmt
    assert _table_figures(fs) == g.figures
    assert fs.identity_ok is True


def test_pdf_without_ruling_lines_has_no_grids():
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 720, "requests 23 8 30 1")
    c.save()
    plain = pdf_text(buf.getvalue())
    assert plain.grids == [] and plain.lines == ["requests 23 8 30 1"]
    broken = pdf_text(b"%PDF-1.4 broken")
    assert broken.grids == [] and broken.warnings and broken.warnings[0].startswith("pdf: cannot read")


def test_organisations_published_as_one_column_invent_nothing():
    """自然人 · 法人或其他组织 · 总计 only: the organisation breakdown is not guessed."""
    head = ('<table><tr><td colspan="3" rowspan="2">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
            '<td colspan="3">申请人情况</td></tr><tr><td>自然人</td><td>法人或其他组织</td><td>总计</td></tr>')
    rows = [("一、本年新收政府信息公开申请数量", 7, 2, 9, "requests_new"),
            ("二、上年结转政府信息公开申请数量", 1, 0, 1, "requests_carried_over"),
            ("（七）总计", 8, 2, 10, "handled_total"), ("四、结转下年度继续办理", 0, 0, 0, "carried_forward")]
    html = head + "".join(f'<tr><td colspan="3">{l}</td><td>{a}</td><td>{b}</td><td>{c}</td></tr>'
                          for l, a, b, c, _k in rows) + "</table>"
    text = "\n".join(["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人 法人或其他组织 总计"]
                     + [f"{l} {a} {b} {c}" for l, a, b, c, _k in rows])
    for fs in (extract_figures(html_tables_to_grids(html), ""), extract_figures([], text)):
        got = {(r, c): v for (t, r, c), v in _table_figures(fs).items()}
        assert got == {(key, col): v for _l, a, _b, c, key in rows
                       for col, v in (("natural_person", a), ("total", c))}
        ident = {c.key: c.ok for c in fs.checks if c.name == "t3_identity"}
        assert ident["total"] is True and ident["natural_person"] is True
        assert ident["commercial_enterprise"] is None


def test_table3_continued_after_a_page_break():
    """The header in one table, the rows in the next (Word/PDF page break): read in order."""
    rnd = random.Random(17)
    v = t3_values("2019", rnd)
    grid = html_tables_to_grids(t3_html("2019", v))[0]
    fs = extract_figures([grid[:8], grid[8:]], "")
    assert {(r, c): x for (t, r, c), x in _table_figures(fs).items()} == v
    assert fs.identity_ok is True


def test_table3_continued_with_labels_drawn_over_two_cells():
    """A continued table 3 without its header whose （一）/（七） labels are drawn as a
    label and an empty cell: values still read from the right seven cells."""
    rnd = random.Random(17)
    v = t3_values("2019", rnd)
    grid = html_tables_to_grids(t3_html("2019", v))[0]
    body = [row if row[1] != row[2] else row[:2] + [""] + row[3:] for row in grid[8:]]
    assert any(row[2] == "" for row in body)
    fs = extract_figures([grid[:8], body], "")
    assert {(r, c): x for (t, r, c), x in _table_figures(fs).items()} == v
    assert fs.identity_ok is True


def test_format_from_table2_when_table3_is_missing():
    rnd = random.Random(2)
    for fmt in ("2019", "2021"):
        v2 = t2_values(fmt, rnd)
        fs = extract_figures(html_tables_to_grids(t2_html(fmt, v2)), "")
        assert fs.format == fmt
        assert {(r, c): x for (t, r, c), x in _table_figures(fs).items()} == v2
        assert fs.identity_ok is None   # no table 3: the identity is unknown, not broken
    # table 4 alone cannot tell the formats apart; the text's format notice can
    v4 = t4_values(rnd)
    assert extract_figures(html_tables_to_grids(t4_html(v4)), "").format is None
    notice = "按照国办公开办函〔2021〕30号要求编制。"
    assert extract_figures(html_tables_to_grids(t4_html(v4)), notice).format == "2021"


def test_cells_keep_their_kind_and_blanks_are_not_reported():
    """A blank, "—", "/" or "无" cell is not 0: the figure keeps its kind and no value, and
    every check that needs it is unknown (None), never failed; the other columns still check."""
    rnd = random.Random(23)
    v = t3_values("2019", rnd)
    printed = {("granted", "commercial_enterprise"): "", ("granted", "research_institution"): "—",
               ("granted", "social_welfare_org"): "/", ("granted", "legal_service_org"): "无"}
    cells = {**v, **printed}
    fs = extract_figures(html_tables_to_grids(t3_html("2019", cells)), "")
    got = {(f.row_key, f.col_key): f for f in fs.figures if f.table == 3}
    assert all(f.kind == ("zero" if f.value == 0 else "number") for k, f in got.items() if k not in printed)
    assert any(f.kind == "zero" for f in got.values())
    kinds = {k: (got[k].kind, got[k].value) for k in printed}
    assert kinds == {("granted", "commercial_enterprise"): ("blank", None),
                     ("granted", "research_institution"): ("dash", None),
                     ("granted", "social_welfare_org"): ("dash", None),
                     ("granted", "legal_service_org"): ("dash", None)}
    handled = {c.key: c.ok for c in fs.checks if c.name == "t3_handled_total"}
    for col in ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org"):
        assert handled[col] is None                   # not reported: unknown, not failed
    assert handled["natural_person"] is True and handled["other_org"] is True
    assert all(c.ok is not False for c in fs.checks)
    assert fs.identity_ok is True                     # 一+二 = 三（七）+四 does not need those cells
