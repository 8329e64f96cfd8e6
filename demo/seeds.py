"""The five seed reports (real published texts, in `demo/seeds/`, copied from
../shared/seeds) turned into report bodies and honest gold.

Seeds carry noise that real pages put around a report (a loading-shell line, breadcrumbs,
"[字体] 打印", date/source lines): that is chrome, so it is cut here and re-created as
real chrome by the portals. Traditional seeds get a hand-checked Simplified gold: the
pinyin annotations ("發(fā)") removed and the Taiwan phrases a converter introduced
(網際網路, 最佳化, 入口網站, 檔案 for 文件, …) restored to the original wording.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nianbao.demo.content import Body, Cell, Para, Table, blocks_text
from nianbao.extract import report_schema as rs

SEED_DIR = Path(__file__).resolve().parent / "seeds"
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")


@dataclass
class SeedReport:
    key: str                    # '000' …
    title: str                  # as the page shows it (original script)
    title_gold: str             # Simplified
    agency: str
    year: int
    published: str
    script: str                 # 'simplified' | 'traditional'
    format: str | None
    body: Body                  # original script, what the page shows
    gold_text: str              # Simplified, clean
    figures: dict = field(default_factory=dict)
    identity_ok: bool | None = None
    trailer: str = ""           # chrome after the body (e.g. ">>图解版"), not gold


def _read(prefix: str) -> list[str]:
    path = next(SEED_DIR.glob(f"{prefix}_*.txt"))
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.split("\n")
    # Seeds were cut at a byte limit: a last line with a broken character is dropped.
    if lines and "\ufffd" in lines[-1]:
        lines = lines[:-1]
    return [ln.strip() for ln in lines]


def _paras(lines: list[str]) -> list[Para]:
    return [Para(ln, heading=bool(_HEADING.match(ln)) and len(ln) < 40) for ln in lines if ln]


@lru_cache(maxsize=1)
def _t2s_converter():
    import opencc
    return opencc.OpenCC("t2s.json")


def _t2s(text: str) -> str:
    return _t2s_converter().convert(text)


# Phrases a Simplified→Taiwan converter wrote into seed 003, mapped back to the original
# Simplified wording (checked against the context of every occurrence in that seed).
TW_RESTORE_003 = [
    ("网际网路", "互联网"), ("最佳化", "优化"), ("入口网站", "门户网站"),
    ("档案", "文件"), ("按程式", "按程序"), ("专栏设定", "专栏设置"), ("套用情况", "应用情况"),
    ("民众", "群众"), ("覆核", "复核"), ("著重", "着重"),
]
# Seed 002 went through a plain character converter; t2s leaves 著 where Simplified has 着.
RESTORE_002 = [("有著落", "有着落"), ("行使著", "行使着"), ("存在著", "存在着")]


def _numeric(s: str):
    s = s.strip().rstrip("|").strip()
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(万元)?", s)
    if not m:
        return None
    return float(m.group(1)) if "." in m.group(1) else int(m.group(1))


def _runs(lines: list[str]) -> list[list]:
    runs, cur = [], []
    for ln in lines:
        v = _numeric(ln)
        if v is not None:
            cur.append(v)
        elif ln.strip(" |"):
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _flat_figures_2019(lines: list[str]) -> dict:
    """Figures of a flattened 2019-format table set (one cell a line, '|' separators)."""
    i2 = lines.index("二、主动公开政府信息情况")
    i3 = lines.index("三、收到和处理政府信息公开申请情况")
    i4 = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    i5 = next(i for i, ln in enumerate(lines) if ln.startswith("五、"))
    fig: dict = {}
    t2 = _runs(lines[i2 + 1:i3])
    cells = [(rkey, ckey) for _, brows, bcols in rs.T2_2019 for rkey, _ in brows for ckey, _ in bcols]
    flat2 = [v for run in t2 for v in run]
    assert len(flat2) == len(cells), (len(flat2), len(cells))
    for (rkey, ckey), v in zip(cells, flat2):
        fig[(2, rkey, ckey)] = v
    t3 = _runs(lines[i3 + 1:i4])
    rows = rs.t3_rows("2019")
    assert len(t3) == len(rows) and all(len(r) == 7 for r in t3)
    for (rkey, _, _), run in zip(rows, t3):
        for (ckey, _), v in zip(rs.T3_COLUMNS, run):
            fig[(3, rkey, ckey)] = v
    t4 = [v for run in _runs(lines[i4 + 1:i5]) for v in run]
    assert len(t4) == 15
    keys4 = [(b, c) for b, _ in rs.T4_BLOCKS for c, _ in rs.T4_COLUMNS]
    for (b, c), v in zip(keys4, t4):
        fig[(4, b, c)] = v
    return fig


def t3_identity_ok(fig: dict) -> bool | None:
    """一+二 = 三（七）+四 for every column of table 3; None when a cell is missing/blank."""
    results = []
    for col, _ in rs.T3_COLUMNS:
        vals = [fig.get((3, k, col)) for k in
                ("requests_new", "requests_carried_over", "handled_total", "carried_forward")]
        if any(v is None for v in vals):
            return None
        results.append(vals[0] + vals[1] == vals[2] + vals[3])
    return all(results) if results else None


def _table_from_bars(lines: list[str]) -> Table:
    """A published-but-empty table: each flattened line one row, '|' between cells."""
    rows = []
    for ln in lines:
        cells = [c.strip() for c in ln.split("|")]
        if cells and cells[-1] == "":
            cells = cells[:-1] or [""]
        rows.append([Cell(c) for c in cells])
    return Table(rows)


@lru_cache(maxsize=None)
def load_seeds() -> dict[str, SeedReport]:
    out: dict[str, SeedReport] = {}

    # 000: 沈阳市皇姑区 2016, Simplified, prose only (pre-2019 free form).
    lines = _read("000")
    body = Body(_paras(lines))
    out["000"] = SeedReport(
        key="000", title="皇姑区2016年政府信息公开工作年度报告", title_gold="皇姑区2016年政府信息公开工作年度报告",
        agency="沈阳市皇姑区人民政府", year=2016, published="2017-01-23", script="simplified",
        format=None, body=body, gold_text=blocks_text(body.blocks))

    # 001: 咸宁 2013; the loading-shell line, title and 来源/发布时间 line are chrome.
    lines = _read("001")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("本年度报告根据"))
    assert lines[start - 2].startswith("来源:") and "Loading" in lines[0]
    body = Body(_paras(lines[start:]))
    out["001"] = SeedReport(
        key="001", title="咸宁市2013年政府信息公开工作年度报告", title_gold="咸宁市2013年政府信息公开工作年度报告",
        agency="咸宁市人民政府", year=2013, published="2014-02-20", script="simplified",
        format=None, body=body, gold_text=blocks_text(body.blocks))

    # 002: Traditional with pinyin artifacts; tables flattened to one cell a line.
    lines = [ln for ln in _read("002") if ln]
    body = Body(_paras(lines))
    simp = [_t2s(_PINYIN.sub("", ln)) for ln in lines]
    for old, new in RESTORE_002:
        simp = [ln.replace(old, new) for ln in simp]
    fig = _flat_figures_2019(simp)
    out["002"] = SeedReport(
        key="002", title="海安市行政審批局2020年政府信息公開工作年度報告",
        title_gold="海安市行政审批局2020年政府信息公开工作年度报告",
        agency="海安市行政审批局", year=2020, published="2021-01-27", script="traditional",
        format="2019", body=body, gold_text="\n".join(simp), figures=fig,
        identity_ok=t3_identity_ok(fig))

    # 003: Traditional with Taiwan phrases; table 3 published empty (figures lost).
    lines = [ln for ln in _read("003") if ln]
    blocks: list = []
    bar: list[str] = []
    for ln in lines + [""]:
        if "|" in ln:
            bar.append(ln)
            continue
        if bar:
            blocks.append(_table_from_bars(bar))
            bar = []
        if ln:
            blocks.append(Para(ln, heading=bool(_HEADING.match(ln)) and len(ln) < 40))
    body = Body(blocks)
    gold = _t2s(blocks_text(blocks))
    for old, new in TW_RESTORE_003:
        gold = gold.replace(old, new)
    out["003"] = SeedReport(
        key="003", title="銀川市興慶區2021年政府信息公開工作年度報告",
        title_gold="银川市兴庆区2021年政府信息公开工作年度报告",
        agency="银川市兴庆区人民政府", year=2021, published="2022-01-28", script="traditional",
        format="2021", body=body, gold_text=gold, figures={}, identity_ok=None)

    # 004: 沈阳市发改委 2017; breadcrumbs, title, date/source, [字体] 打印 are chrome.
    lines = _read("004")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("根据《中华人民共和国政府信息公开条例》"))
    end = max(i for i, ln in enumerate(lines) if ln.startswith(">>图解版"))
    body = Body(_paras(lines[start:end]))
    out["004"] = SeedReport(
        key="004", title="沈阳市发展和改革委员会2017年度政府信息公开工作报告",
        title_gold="沈阳市发展和改革委员会2017年度政府信息公开工作报告",
        agency="沈阳市发展和改革委员会", year=2017, published="2018-03-23", script="simplified",
        format=None, body=body, gold_text=blocks_text(body.blocks), trailer="图解版")
    return out
