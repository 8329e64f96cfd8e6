"""Reading the labels and cells of report tables 2-4 as published, variants and all.

Published tables spell the same label many ways: full- or half-width punctuation,
（一）/(一)/一、 numbering, “”/"" quotes, wrapped lines, pinyin-annotation artifacts
("规(guī)章"), Taiwan-phrase conversions (档案 for 文件), notes in parentheses. Labels are
compared by their *core*: the text with all of that removed. The catalogue of cores is
built from `extract.report_schema`, so the stable keys live in one place.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache, wraps

from .. import report_schema as rs

_CACHE_MAXLEN = 64   # cells and labels are short; prose lines are not cached


def _cached(fn):
    """Memoize a function of one cell text, but only for cell-sized texts (bounded memory
    in a long crawl: prose lines pass through uncached)."""
    memo = lru_cache(maxsize=8192)(fn)

    @wraps(fn)
    def wrapper(s):
        return memo(s) if s is not None and len(s) <= _CACHE_MAXLEN else fn(s)

    return wrapper


_PINYIN = re.compile(r"[（(][a-zA-ZāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüÜńňǹḿ]{1,7}[)）]")
_WS = re.compile(r"[\s\u3000\xa0\u200b\u200c\u200d\ufeff]+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉【】]")
# Traditional/Taiwan words that OpenCC t2s leaves as mainland synonyms of label words.
_VARIANTS = (("资讯", "信息"), ("档案", "文件"), ("专案", "项目"), ("程式", "程序"), ("钩稽", "勾稽"),
             ("複", "复"), ("申请者", "申请人"))
_NUMBERING = re.compile(r"^(?:第?[一二三四五六七八九十]+[、.,]|\([一二三四五六七八九十0-9]+\)|[0-9]+[、.,)]|[0-9]+(?=[^0-9.,]))")
_PARENS = re.compile(r"\([^()]*\)")
_OPEN_PAREN_TAIL = re.compile(r"\([^()]*$")
_PUNCT = re.compile(r"[,.;:、。!?·/\\\-—–_~…*#]")
_T2_BLOCK = re.compile(r"第二十条第\(?([一二三四五六七八九十]+)\)?项")


@_cached
def normalize(s: str) -> str:
    """Width-, space-, quote- and variant-normalized text of a cell (parentheses ASCII)."""
    s = unicodedata.normalize("NFKC", s or "")
    s = _PINYIN.sub("", s)
    s = _WS.sub("", s)
    s = _QUOTES.sub("", s)
    for a, b in _VARIANTS:
        if a in s:
            s = s.replace(a, b)
    return s


@_cached
def clean_label(s: str) -> str:
    """A label as published, minus pinyin-annotation artifacts and wrapped-line spaces."""
    s = _PINYIN.sub("", s or "")
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", _WS.sub(" ", s)).strip()


@_cached
def split_label(s: str) -> tuple[str, str]:
    """(numbering, core) of a label: "（三）不予公开" -> ("(三)", "不予公开")."""
    n = normalize(s)
    numbering = ""
    while True:
        m = _NUMBERING.match(n)
        if not m:
            break
        numbering += m.group(0)
        n = n[m.end():]
    n = _PARENS.sub("", _PARENS.sub("", n))
    n = _OPEN_PAREN_TAIL.sub("", n)
    n = _PUNCT.sub("", n)
    return numbering, n


def core(s: str) -> str:
    return split_label(s)[1]


def t2_block(s: str) -> str | None:
    """Block id ("一", "五", …) of a table 2 heading like 第二十条第（一）项."""
    m = _T2_BLOCK.search(normalize(s))
    return m.group(1) if m else None


def is_identity_note(s: str) -> bool:
    return "勾稽关系" in normalize(s)


# ---------------------------------------------------------------- cell values
_BLANK = {"", "-", "--", "---", "—", "——", "―", "─", "–", "/", "//", "\\", "无", "空", "×", "…", "...", "_"}
_NUMBER = re.compile(
    r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(万元|亿元|万|元|件|个|项|条|次|人次|家|份|宗|%)?(?:\([^()]*\))?$")
_ZH_UNIT = re.compile(r"单位:?(万元|亿元|元|件|个)")


@_cached
def parse_value(raw: str) -> tuple[str, float | int | None, str]:
    """("num" | "blank" | "text", value, unit) of a published cell; blank never becomes 0."""
    s = _WS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if s in _BLANK:
        return "blank", None, ""
    m = _NUMBER.match(s)
    if not m:
        return "text", None, ""
    sign, whole, frac, unit = m.group(1), m.group(2).replace(",", ""), m.group(3), m.group(4) or ""
    if frac:
        v: float | int = float(whole + frac)
    else:
        v = int(whole)
    if sign == "-":
        v = -v
    return "num", v, unit


_DASH = {"-", "--", "---", "—", "——", "―", "─", "–", "/", "//", "\\", "×", "…", "...", "_", "无", "空"}


@_cached
def cell_kind(raw: str) -> str:
    """What a published cell says: 'number', 'zero', 'blank' (nothing printed), 'dash'
    (—, /, 无: printed as not applicable), 'text'. Blank and dash are not 0."""
    s = _WS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not s:
        return "blank"
    if s in _DASH:
        return "dash"
    kind, value, _ = parse_value(raw)
    if kind == "num":
        return "zero" if value == 0 else "number"
    return "blank" if kind == "blank" else "text"


@_cached
def header_unit(label: str) -> str:
    """Unit stated in a column header, e.g. 本年收费金额（单位：万元） -> 万元."""
    n = normalize(label)
    m = _ZH_UNIT.search(n)
    if m:
        return m.group(1)
    if "(万元)" in n:
        return "万元"
    return ""


# ---------------------------------------------------------------- catalogue
def _cores(pairs):
    return {core(label): key for key, label in pairs}


# Table 3 rows: core -> key (both formats); the special cases 其他 and 总计 need context.
T3_ROW_CORES: dict[str, str] = {}
T3_ROW_GROUP: dict[str, str | None] = {}
for _key, _label, _group in rs.T3_ROWS_2019 + rs.T3_ROWS_2021:
    T3_ROW_GROUP[_key] = _group
    c = core(_label)
    if c not in ("其他", "总计"):
        T3_ROW_CORES[c] = _key
T3_ROW_CORES.update({
    "本年新收政府信息公开申请": "requests_new",
    "本年度新收政府信息公开申请数量": "requests_new",
    "上年结转政府信息公开申请": "requests_carried_over",
    "上一年结转政府信息公开申请数量": "requests_carried_over",
    "结转下一年度继续办理": "carried_forward",
    "结转下年继续办理": "carried_forward",
})
T3_2021_ONLY = {"other_no_correction", "other_no_fee", "other_other"}
T3_2019_ONLY = {"other_processed"}
T3_GROUP_CORES = {core(v): k for k, v in rs.T3_GROUP_LABELS.items()}  # 其他处理 is also the 2019 row
T3_GROUP_CORES["本年度办理结果"] = "result_head"
T3_COL_CORES = _cores(rs.T3_COLUMNS)
T3_COL_CORES["合计"] = "total"
TOTAL_CORES = ("总计", "合计")
T3_HEADER_CORES = set(T3_COL_CORES) | {"申请人情况", "法人或其他组织", "信息内容"}

T4_BLOCK_CORES = _cores(rs.T4_BLOCKS)
T4_COL_CORES = _cores(rs.T4_COLUMNS)
T4_COL_CORES.update({"维持": "upheld", "纠正": "corrected", "未审结": "pending", "合计": "total"})
T4_HEADER_CORES = set(T4_BLOCK_CORES) | set(T4_COL_CORES) | {"行政诉讼"}
# Header words that only table 4 uses (总计/合计 are table 3's too).
T4_SPECIFIC = T4_HEADER_CORES - {"总计", "合计"}

T2_ROW_CORES: dict[str, str] = {}
T2_COL_CORES: dict[str, tuple[str, str | None]] = {}   # core -> (col key, format it proves)
T2_ROW_BLOCK: dict[str, str] = {}
for _fmt, _blocks in (("2019", rs.T2_2019), ("2021", rs.T2_2021)):
    for _blabel, _rows, _cols in _blocks:
        _bid = t2_block(_blabel)
        for _k, _l in _rows:
            T2_ROW_CORES[core(_l)] = _k
            T2_ROW_BLOCK[_k] = _bid
        for _k, _l in _cols:
            T2_COL_CORES[core(_l)] = (_k, _fmt)
T2_ROW_CORES["行政规范性文件"] = "normative_documents"
T2_ROW_CORES["规范性文件"] = "normative_documents"


def t2_columns(fmt: str, block: str) -> list[tuple[str, str]]:
    for blabel, _rows, cols in (rs.T2_2021 if fmt == "2021" else rs.T2_2019):
        if t2_block(blabel) == block:
            return cols
    return []


SECTION_CORES = {
    "主动公开政府信息情况": 2,
    "收到和处理政府信息公开申请情况": 3,
    "政府信息公开行政复议行政诉讼情况": 4,
    "存在的主要问题及改进情况": 0,
    "其他需要报告的事项": 0,
    "总体情况": 0,
}


@_cached
def section_of(s: str) -> int | None:
    """Table number announced by a section heading (0 for a section without tables)."""
    c = core(s)
    if len(c) > 24:
        return None
    for k, v in SECTION_CORES.items():
        if k in c and len(c) <= len(k) + 6:
            return v
    return None


def _fuzzy(c: str, catalogue: dict[str, str]) -> str | None:
    """A catalogue key for a label that is a wrapped fragment or a near-spelling."""
    if len(c) < 5:
        return None
    prefixed = [k for k in catalogue if k.startswith(c) and len(c) >= 8]
    if len(prefixed) == 1:
        return catalogue[prefixed[0]]
    for k, key in catalogue.items():
        if c.startswith(k) and len(c) - len(k) <= 6 and len(k) >= 5:
            return key
    best, best_ratio = None, 0.0
    for k, key in catalogue.items():
        if abs(len(k) - len(c)) > max(3, len(k) // 4):
            continue
        r = SequenceMatcher(None, c, k).ratio()
        if r > best_ratio:
            best, best_ratio = key, r
    return best if best_ratio >= 0.85 else None


@_cached
def t3_row_key(label: str) -> str | None:
    """Table 3 row key of a label, without context (其他 and 总计 are resolved by callers)."""
    c = core(label)
    if not c:
        return None
    if c in T3_ROW_CORES:
        return T3_ROW_CORES[c]
    if c in T3_GROUP_CORES or c in T3_HEADER_CORES or c in T4_HEADER_CORES:
        return None
    return _fuzzy(c, T3_ROW_CORES)


@_cached
def t2_row_key(label: str) -> str | None:
    c = core(label)
    if c in T2_ROW_CORES:
        return T2_ROW_CORES[c]
    return None


@_cached
def t2_col(label: str) -> tuple[str, str | None] | None:
    c = core(label)
    if c in T2_COL_CORES:
        return T2_COL_CORES[c]
    if len(c) >= 5:
        key = _fuzzy(c, {k: k for k in T2_COL_CORES})
        if key:
            return T2_COL_CORES[key][0], None  # a near-spelling proves no format
    return None


ALL_LABEL_CORES = (set(T3_ROW_CORES) | set(T3_GROUP_CORES) | T3_HEADER_CORES | T4_HEADER_CORES
                   | set(T2_ROW_CORES) | set(T2_COL_CORES) | {"其他", "总计", "合计"})
