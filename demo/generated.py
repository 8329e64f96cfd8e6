"""Synthetic reports in the 2019 and 2021 formats, with tables whose figures satisfy the
format's identities (or, on request, break one the way a typo does).

Agencies are fictional (云溪市, 南屏县, …): the numbers are made up and must never be read
as facts about a real body. Deterministic: the same arguments give the same report.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from nianbao.demo.content import Body, Cell, Para, Table
from nianbao.extract import report_schema as rs

SECTIONS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


@dataclass
class GeneratedReport:
    agency: str
    year: int
    format: str
    title: str
    published: str
    body: Body
    figures: dict
    identity_ok: bool


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def _t3_figures(rnd: random.Random, fmt: str, break_identity: bool) -> tuple[dict, bool]:
    rows = rs.t3_rows(fmt)
    cols = [k for k, _ in rs.T3_COLUMNS if k != "total"]
    fig: dict = {}
    for ci, col in enumerate(cols):
        scale = 12 if ci == 0 else (3 if ci == 1 else 1)
        handled = 0
        for key, _, group in rows:
            if group is None:
                continue
            if ci >= 2 and rnd.random() < 0.8:
                v = 0
            elif key in ("granted", "partially_granted", "unable_not_held"):
                v = rnd.randint(0, scale * 3)
            else:
                v = rnd.randint(0, max(1, scale // 3)) if rnd.random() < 0.5 else 0
            fig[(3, key, col)] = v
            handled += v
        fig[(3, "handled_total", col)] = handled
        over = rnd.randint(0, min(handled, max(1, scale // 2)))
        fwd = rnd.randint(0, max(1, scale // 3)) if ci < 2 else 0
        fig[(3, "requests_carried_over", col)] = over
        fig[(3, "carried_forward", col)] = fwd
        fig[(3, "requests_new", col)] = handled + fwd - over
    for key, _, _ in rows:
        fig[(3, key, "total")] = sum(fig[(3, key, c)] for c in cols)
    ok = True
    if break_identity:
        # A typo as published: 本年新收 of 自然人 one too high, the 总计 column summed from it.
        fig[(3, "requests_new", "natural_person")] += 1
        fig[(3, "requests_new", "total")] += 1
        ok = False
    return fig, ok


def _t3_table(fig: dict, fmt: str) -> Table:
    rows = rs.t3_rows(fmt)
    colkeys = [k for k, _ in rs.T3_COLUMNS]
    vals = lambda key: [Cell(_fmt(fig[(3, key, c)])) for c in colkeys]  # noqa: E731
    out: list[list[Cell]] = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(label) for _, label in rs.T3_COLUMNS[1:6]],
    ]
    result_rows = [r for r in rows if r[2] is not None]
    n_result = len(result_rows) + 1   # plus （七）总计
    group_sizes = {g: sum(1 for r in rows if r[2] == g) for g in rs.T3_GROUP_LABELS}
    seen_groups: set[str] = set()
    first_result = True
    for key, label, group in rows:
        row: list[Cell] = []
        if key in ("requests_new", "requests_carried_over", "carried_forward"):
            row.append(Cell(label, colspan=3))
        else:
            if first_result:
                row.append(Cell("三、本年度办理结果", rowspan=n_result))
                first_result = False
            if group in ("denied", "unable", "not_processed") or (group == "other" and fmt == "2021"):
                if group not in seen_groups:
                    seen_groups.add(group)
                    row.append(Cell(rs.T3_GROUP_LABELS[group], rowspan=group_sizes[group]))
                row.append(Cell(label))
            else:
                row.append(Cell(label, colspan=2))
        out.append(row + vals(key))
    return Table(out)


def _t4(rnd: random.Random) -> tuple[dict, Table]:
    fig: dict = {}
    for block, _ in rs.T4_BLOCKS:
        parts = [rnd.randint(0, 3) if rnd.random() < 0.5 else 0 for _ in range(4)]
        for (col, _), v in zip(rs.T4_COLUMNS[:4], parts):
            fig[(4, block, col)] = v
        fig[(4, block, "total")] = sum(parts)
    head5 = [Cell(label, rowspan=2) for _, label in rs.T4_COLUMNS]
    rows = [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        head5 + [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(label) for _, label in rs.T4_COLUMNS] * 2,
        [Cell(_fmt(fig[(4, b, c)])) for b, _ in rs.T4_BLOCKS for c, _ in rs.T4_COLUMNS],
    ]
    return fig, Table(rows)


def _t2(rnd: random.Random, fmt: str, blanks: bool) -> tuple[dict, Table]:
    fig: dict = {}
    rows: list[list[Cell]] = []
    spec = rs.T2_2021 if fmt == "2021" else rs.T2_2019
    for block_label, brows, bcols in spec:
        rows.append([Cell(block_label, colspan=4)])
        head = [Cell("信息内容")] + [Cell(label) for _, label in bcols]
        if len(bcols) < 3:
            head[-1].colspan = 4 - len(bcols)
        rows.append(head)
        for rkey, rlabel in brows:
            cells = [Cell(rlabel)]
            for ckey, _ in bcols:
                if ckey in ("procurement_amount", "fee_amount"):
                    v = round(rnd.uniform(10, 9000), 2)
                elif ckey == "change":
                    v = rnd.randint(-3, 5)
                elif ckey in ("decisions", "previous_count"):
                    v = rnd.randint(0, 3000)
                else:
                    v = rnd.randint(0, 40)
                fig[(2, rkey, ckey)] = v
                cells.append(Cell(_fmt(v)))
            if len(bcols) < 3:
                cells[-1].colspan = 4 - len(bcols)
            rows.append(cells)
    if blanks:
        # Blank is not 0: a few cells left empty or dashed, as published.
        blank_keys = [k for k in fig if k[2] in ("repealed", "new_made", "change")][:2]
        for k in blank_keys:
            fig[k] = None
        rows = _blank_cells(rows, spec, fig)
    return fig, Table(rows)


def _blank_cells(rows: list[list[Cell]], spec, fig: dict) -> list[list[Cell]]:
    """Rewrite the cells whose gold value is None (first as empty, then as '—')."""
    dash = False
    labels = {rlabel: rkey for _, brows, _ in spec for rkey, rlabel in brows}
    block_cols: list = []
    out = []
    for row in rows:
        if len(row) == 1:                     # block heading
            block_cols = next(bc for bl, _, bc in spec if bl == row[0].text)
        elif row[0].text in labels:
            rkey = labels[row[0].text]
            for (ckey, _), cell in zip(block_cols, row[1:]):
                if fig.get((2, rkey, ckey), 0) is None:
                    cell.text = "—" if dash else ""
                    dash = True
        out.append(row)
    return out


def _prose(rnd: random.Random, agency: str, year: int, fig: dict, fmt: str) -> dict[str, list[str]]:
    new = fig[(3, "requests_new", "total")]
    over = fig[(3, "requests_carried_over", "total")]
    done = fig[(3, "handled_total", "total")]
    items = rnd.randint(3000, 40000)
    portal = rnd.choice(["政府门户网站", "门户网站", "政务公开专栏"])
    return {
        SECTIONS[0]: [
            f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实"
            f"《中华人民共和国政府信息公开条例》，紧紧围绕中心工作，持续深化政务公开，"
            f"不断提升政府信息公开工作质量和实效。本报告由{agency}编制。",
            f"（一）主动公开。全年通过{portal}、政务新媒体等渠道主动公开政府信息{items}条，"
            f"进一步优化公开栏目设置，推进“互联网+政务服务”建设。",
            f"（二）依申请公开。全年新收政府信息公开申请{new}件，上年结转{over}件，办结{done}件，"
            f"均在法定期限内答复。",
            "（三）政府信息管理。严格落实公开前保密审查和公文公开属性源头认定机制，"
            "动态更新政府信息公开指南和目录。",
            "（四）平台建设。优化政府门户网站政府信息公开专栏，完善政府信息公开平台功能，"
            "加强政务新媒体规范管理。",
            "（五）监督保障。将政务公开纳入年度绩效考核，开展业务培训，强化监督检查。",
        ],
        SECTIONS[4]: [
            f"{year}年，{agency}政府信息公开工作取得一定成效，但仍存在公开内容不够全面、"
            "政策解读形式较为单一等问题。",
            f"{year + 1}年，将进一步优化公开内容，丰富解读形式，加强队伍建设，不断提高政务公开工作水平。",
        ],
        SECTIONS[5]: [
            f"{year}年，{agency}未收取信息处理费。" + (
                "本机关按照《政府信息公开信息处理费管理办法》规定执行。" if fmt == "2021" else ""),
        ],
    }


def generate_report(agency: str, year: int, fmt: str, *, seed: int, break_identity: bool = False,
                    blanks: bool = True, published: str | None = None) -> GeneratedReport:
    """A complete report (six sections, tables 2-4) for `agency` and report `year`."""
    rnd = random.Random(f"{agency}/{year}/{fmt}/{seed}")
    fig3, ok = _t3_figures(rnd, fmt, break_identity)
    fig2, t2 = _t2(rnd, fmt, blanks)
    fig4, t4 = _t4(rnd)
    prose = _prose(rnd, agency, year, fig3, fmt)
    blocks: list = []
    blocks.append(Para(f"本报告根据《中华人民共和国政府信息公开条例》要求编制。"
                       f"报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"))
    blocks.append(Para(SECTIONS[0], heading=True))
    blocks += [Para(p) for p in prose[SECTIONS[0]]]
    blocks.append(Para(SECTIONS[1], heading=True))
    blocks.append(t2)
    blocks.append(Para(SECTIONS[2], heading=True))
    blocks.append(_t3_table(fig3, fmt))
    blocks.append(Para(SECTIONS[3], heading=True))
    blocks.append(t4)
    blocks.append(Para(SECTIONS[4], heading=True))
    blocks += [Para(p) for p in prose[SECTIONS[4]]]
    blocks.append(Para(SECTIONS[5], heading=True))
    blocks += [Para(p) for p in prose[SECTIONS[5]]]
    if published is None:
        published = f"{year + 1}-01-{rnd.randint(15, 30):02d}"
    figures = {**fig2, **fig3, **fig4}
    return GeneratedReport(agency=agency, year=year, format=fmt,
                           title=f"{agency}{year}年政府信息公开工作年度报告",
                           published=published, body=Body(blocks), figures=figures,
                           identity_ok=ok)
