"""Metadata of a government page: title, agency, year reported on, dates, 信息公开目录 fields.

Each field has an order of evidence (page meta tags, labelled page fields, the title, the
signature at the end of the text, the URL); the patterns live in `rules`.
"""
from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

from . import rules
from .html.dom import SelectorSet
from .script import TRADITIONAL_SHARE, converter, traditional_share

_WS = re.compile(r"[\s\u3000\xa0]+")
_DATE = r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"
_DATE_RE = re.compile(_DATE)
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_DATE_RE = re.compile(r"([〇○零Ｏ一二三四五六七八九O0]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                         r"\s*([一二三四五六七八九十]{1,3})\s*日")
_CN_YEAR_RE = re.compile(r"([〇○零Ｏ一二三四五六七八九O0]{4})\s*年")
_URL_DATES = [
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"[/_-]((?:19|20)\d{2})-(\d{2})-(\d{2})[/_.-]"),
    re.compile(r"/[PW]0((?:19|20)\d{2})(\d{2})(\d{2})"),     # TRS attachments: P020220128….pdf
]
_TAG = re.compile(r"<[^>]*>")
_DROP_BLOCKS = re.compile(r"<(script|style|noscript|textarea)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年度|年)")
_TITLE_YEAR_ANY = re.compile(r"((?:19|20)\d{2})")
_REPORT_RES = [re.compile(p) for p in rules.REPORT_TITLE_PATTERNS]
_TRAP_RES = [re.compile(p) for p in rules.REPORT_TITLE_TRAPS]
_NOT_FOUND_RES = [re.compile(p, re.I) for p in rules.NOT_FOUND_PATTERNS]
_TITLE_SPLIT = re.compile(rules.TITLE_SEPARATORS)


@dataclass
class PageMeta:
    title: str = ""
    published: str | None = None
    source: str | None = None
    index_no: str | None = None
    publisher: str | None = None
    doc_no: str | None = None
    site_code: str | None = None     # 政府网站标识码


def label_text(html: str) -> str:
    """Visible page text with every tag turned into a line break (labels, then values)."""
    s = _DROP_BLOCKS.sub(" ", html)
    s = _TAG.sub("\n", s)
    s = htmllib.unescape(s)
    lines = (_WS.sub(" ", l).strip() for l in s.split("\n"))
    return "\n".join(l for l in lines if l)


def meta_tags(tree) -> dict[str, str]:
    """`<meta name|property=… content=…>` values, names lower-cased, first one wins."""
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if name and content and name not in out:
            out[name] = content
    return out


def _ymd(y, m, d) -> str | None:
    try:
        y, m, d = int(y), int(m), int(d)
    except (TypeError, ValueError):
        return None
    if 1990 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _cn_number(s: str) -> int:
    """二十三 -> 23, 十二 -> 12, 三 -> 3."""
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_DIGITS.get(a, 1) if a else 1) * 10 + (_CN_DIGITS.get(b, 0) if b else 0)
    return _CN_DIGITS.get(s, 0)


def _cn_year(s: str) -> int | None:
    try:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    except KeyError:
        return None


def parse_date(s: str) -> str | None:
    """First date in `s` as YYYY-MM-DD (Arabic or Chinese numerals)."""
    m = _DATE_RE.search(s)
    if m:
        return _ymd(*m.groups())
    m = _CN_DATE_RE.search(s)
    if m:
        return _ymd(_cn_year(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
    return None


def url_date(url: str) -> str | None:
    for r in _URL_DATES:
        m = r.search(url or "")
        if m:
            d = _ymd(*m.groups())
            if d:
                return d
    return None


def signature_date(lines: list[str]) -> str | None:
    """The date a report is signed with: a short date-only line among the last lines."""
    for line in reversed(lines[-6:]):
        if len(line) <= 24:
            d = parse_date(line)
            if d and len(_DATE_RE.sub("", line).strip()) <= 2 or d and _CN_DATE_RE.fullmatch(line.strip()):
                return d
    return None


def _labelled(text: str, labels: str, value: str = r"[^\n]{1,80}") -> str | None:
    m = re.search(rf"(?:^|\n|\s)(?:{labels})[ \t]*(?:[:：]\s*\n?|\n)[ \t]*({value})", text)
    return m.group(1).strip() if m else None


def _cut_at_next_label(v: str) -> str:
    """Cut a value where the next label starts (`来源：X 发布时间：Y` on one line)."""
    v = re.split(r"\s{2,}|\s(?=[^\s]{2,6}[:：])|(?=(?:发布时间|发布日期|浏览次数|点击数|作者|字体|【|\[)[:：]?)", v)[0]
    return v.strip(" ：:|｜")


def page_title(tree, meta: dict[str, str]) -> str:
    """Article title without the site suffix: ArticleTitle/og:title, else <title> (suffix
    removed, completed from a heading when <title> is truncated), else a heading."""
    for name in rules.TITLE_META_NAMES:
        v = _WS.sub(" ", _TAG.sub("", meta.get(name, ""))).strip()
        if v and not _site_like(v):
            return v
    t = tree.find(".//title")
    raw = _WS.sub(" ", t.text_content()).strip() if t is not None else ""
    cleaned = strip_site_suffix(raw)
    site = meta.get("sitename", "")
    heads = []
    found = _title_heads(tree)
    for i in range(len(rules.TITLE_SELECTORS)):
        for el in found.get(i, [])[:5]:
            v = _WS.sub(" ", el.text_content()).strip()
            if 4 <= len(v) <= 150 and not _site_like(v) and v != site:
                heads.append(v)
    if cleaned and not _site_like(cleaned) and cleaned != site:
        short = cleaned.rstrip(".…")
        for v in heads:
            if v != short and v.startswith(short) and len(short) >= 8:
                return v          # <title> was cut short
        return cleaned
    for v in heads:
        if not raw or v not in raw or len(v) > 12:
            return v
    return cleaned


_TITLE_SET = SelectorSet(rules.TITLE_SELECTORS)


def _title_heads(tree) -> dict[int, list]:
    return _TITLE_SET.find(tree)


_GENERIC = re.compile(rules.GENERIC_TITLE, re.I)


def is_generic_title(title: str) -> bool:
    """No title, or one that names no article (`rules.GENERIC_TITLE`, a site name)."""
    t = (title or "").strip()
    return not t or bool(_GENERIC.match(t)) or _site_like(t)


def _site_like(part: str) -> bool:
    p = part.strip()
    return (p.endswith(("网站", "门户网站", "政府网", "门户", "首页", "政务网", "政务服务网", "官网", "官方网站"))
            or ".gov" in p or p.lower().startswith("www."))


def strip_site_suffix(title: str) -> str:
    """"X - 某市人民政府门户网站" -> "X"; keeps titles whose own text has dashes."""
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) <= 1:
        # "标题-某市人民政府": a bare hyphen separates only when a site name follows it.
        m = re.match(r"^(.{4,}?)[-—–](.{2,25})$", title.strip())
        if m and (_site_like(m.group(2)) or m.group(2).endswith(("人民政府", "政府网", "网"))):
            return m.group(1).strip()
        return title.strip()
    keep = [p.strip() for p in parts if not _site_like(p)]
    if not keep:
        return parts[0].strip()
    # "标题_栏目_站点": once site-like parts are gone, the title is the first part.
    return keep[0]


def page_fields(tree, html: str, url: str) -> tuple[PageMeta, str]:
    """Title, publication date, source and 信息公开目录 fields; also returns the label text."""
    meta = meta_tags(tree)
    lt = label_text(html)
    if traditional_share(lt) >= TRADITIONAL_SHARE:
        # Labels are matched in Simplified: 來源 -> 来源, 釋出時間 -> 发布时间.
        for tw, cn in rules.TAIWAN_PHRASE_MAP:
            if tw in ("釋出", "資訊"):
                lt = lt.replace(tw, cn)
        lt = converter("t2s").convert(lt)
    pm = PageMeta(title=page_title(tree, meta))
    for name in rules.DATE_META_NAMES:
        if meta.get(name):
            pm.published = parse_date(meta[name])
            if pm.published:
                break
    if not pm.published:
        v = _labelled(lt, rules.DATE_LABELS)
        pm.published = parse_date(v) if v else None
    if not pm.published:
        pm.published = url_date(url)
    for name in rules.SOURCE_META_NAMES:
        if meta.get(name):
            pm.source = meta[name].strip()
            break
    if not pm.source:
        v = _labelled(lt, rules.SOURCE_LABELS)
        if v:
            pm.source = _cut_at_next_label(v) or None
    v = _labelled(lt, rules.INFO_LABELS["index_no"], r"[A-Za-z0-9][A-Za-z0-9_/\-.（）()\[\]〔〕 ]{2,60}")
    pm.index_no = v.strip() if v else None
    v = _labelled(lt, rules.INFO_LABELS["publisher"])
    pm.publisher = _cut_at_next_label(v) if v else None
    v = _labelled(lt, r"文\s*号|发文字号")
    if v:
        v = _cut_at_next_label(v)
        pm.doc_no = v if v and not re.fullmatch(r"[-—无/\s]*", v) else None
    pm.site_code = next((meta[n].strip() for n in rules.SITE_CODE_META_NAMES
                         if re.fullmatch(r"\s*[0-9A-Za-z]{10}\s*", meta.get(n, ""))), None) \
        or _labelled(lt, rules.SITE_CODE_LABELS, r"[0-9A-Za-z]{10}(?![0-9A-Za-z])")
    return pm, lt


def report_year(title: str, text: str = "", published: str | None = None) -> int | None:
    """The year reported on: from the title, else the opening of the text, else published-1."""
    for m in _TITLE_YEAR.finditer(title or ""):
        return int(m.group(1))
    m = _CN_YEAR_RE.search(title or "")
    if m and _cn_year(m.group(1)):
        return _cn_year(m.group(1))
    m = _TITLE_YEAR_ANY.search(title or "")
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})\s*年度", (text or "")[:400])
    if m:
        return int(m.group(1))
    if published:
        return int(published[:4]) - 1
    return None


def is_report_title(title: str) -> bool:
    """True for an OGI annual report title, False for the look-alike traps."""
    t = _WS.sub("", title or "")
    if t:
        # 資訊公開/资讯公开 is the Taiwan phrasing of 信息公开: the same report
        t = converter("t2s").convert(t.replace("資訊", "信息")).replace("资讯公开", "信息公开")
    if not t or not any(r.search(t) for r in _REPORT_RES):
        return False
    if len(t) <= rules.COLUMN_TITLE_MAX_LEN and not (_TITLE_YEAR.search(t) or _CN_YEAR_RE.search(t)):
        return False  # "政府信息公开年报" with neither year nor agency names a column, not a report
    return not any(r.search(t) for r in _TRAP_RES)


def is_not_found(title: str, text: str) -> bool:
    """A "页面不存在" page served with status 200."""
    probe = (title or "") + "\n" + (text or "")[:300]
    if len(_WS.sub("", text or "")) > 400:
        return any(r.search(title or "") for r in _NOT_FOUND_RES)
    return any(r.search(probe) for r in _NOT_FOUND_RES)


def _is_agency(s: str) -> bool:
    return 2 <= len(s) <= 40 and s.endswith(rules.AGENCY_SUFFIXES)


def _as_agency(prefix: str) -> str | None:
    p = re.sub(r"(关于|的|：|:|【[^】]*】|\[[^\]]*\])+$", "", prefix.strip())
    p = re.sub(r"^[【\[][^】\]]*[】\]]", "", p).strip(" 　-—_")
    if p.endswith("人民"):  # "XX市人民政府信息公开…": the 政府 was taken by 政府信息公开
        p = p[:-2]
    if not p or len(p) > 40:
        return None
    if p.endswith(rules.PLACE_SUFFIXES) and not p.endswith(rules.AGENCY_SUFFIXES[:3]):
        return p + "人民政府"
    if _is_agency(p):
        return p
    return None


def agency_from_title(title: str) -> str | None:
    """沈阳市发展和改革委员会2017年度… -> 沈阳市发展和改革委员会; 2021年XX市政府信息… -> XX市人民政府."""
    t = _WS.sub("", title or "")
    m = _TITLE_YEAR.search(t) or _CN_YEAR_RE.search(t)
    if m:
        a = _as_agency(t[: m.start()])
        if a:
            return a
        rest = t[m.end():]
        k = rest.find("政府信息公开")
        if k > 0:
            return _as_agency(rest[:k])
    k = t.find("政府信息公开")
    if k > 0:
        return _as_agency(t[:k])
    return None


def agency_from_signature(lines: list[str]) -> str | None:
    """The issuing body signed above the date at the end of a report."""
    tail = lines[-6:]
    for i in range(len(tail) - 1, 0, -1):
        if len(tail[i]) <= 24 and parse_date(tail[i]):
            cand = tail[i - 1].strip()
            if _is_agency(cand):
                return cand
            d = _DATE_RE.search(tail[i]) or _CN_DATE_RE.search(tail[i])
            before = tail[i][: d.start()].strip() if d else ""
            if _is_agency(before):
                return before
    return None


def find_agency(title: str, lines: list[str], publisher: str | None, source: str | None) -> str | None:
    """Issuing body: the title's prefix (completed by the 发布机构 field or the signature when
    they name the same body in full, 皇姑区 -> 沈阳市皇姑区人民政府), else 发布机构, the
    signature, 来源."""
    from_title = agency_from_title(title)
    pub = publisher.strip() if publisher and _is_agency(publisher.strip()) else None
    sig = agency_from_signature(lines)
    if from_title:
        for full in (pub, sig):
            if full and full != from_title and full.endswith(from_title):
                return full
        return complete_district(from_title, lines)
    for cand in (pub, sig):
        if cand:
            return cand
    if source and _is_agency(source.strip()):
        return source.strip()
    return None


_STOP_BEFORE_CITY = set("的在对了是据和与及为由向从于将把按经全本该")


def complete_district(agency: str, lines: list[str]) -> str:
    """皇姑区人民政府 -> 沈阳市皇姑区人民政府 when the text names the district with its city."""
    if not agency.endswith("人民政府"):
        return agency
    place = agency[:-4]
    if not place.endswith(("区", "县", "旗")) or any(c in place[:-1] for c in "省市州盟"):
        return agency
    text = "\n".join(lines[:400])
    for m in re.finditer("市" + re.escape(place), text):
        i = m.start()
        j = i
        while j > 0 and i - j < 4 and "\u4e00" <= text[j - 1] <= "\u9fff" and text[j - 1] not in _STOP_BEFORE_CITY:
            j -= 1
        if i - j >= 4 and j > 0 and "\u4e00" <= text[j - 1] <= "\u9fff":
            j = i - 2          # no boundary in sight: most city names have two characters
        if i - j >= 2:
            return text[j:i] + "市" + agency
    return agency
