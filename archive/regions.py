"""Which province-level region a report belongs to, by a rule simple enough to state.

The rule (in this order):
1. the agency name starts with a province-level name (浙江省…, 北京市…, 中共浙江省委…,
   广西壮族自治区…, or the short form 浙江…), or contains one in full (国家税务总局
   浙江省税务局): that region;
2. the agency is a central body (国务院…, 国家…, 中华人民共和国…, 中央…, 最高人民…,
   or a ministry-style name ending in 部 / 委员会 / 总局 / 总署 with no place in it): 中央;
3. the portal's host is `<code>.gov.cn` and <code> is a province's domain label
   (zj.gov.cn, beijing.gov.cn, …): that region;
4. otherwise 未知 (unknown) — a county portal named after its county stays unknown
   rather than being guessed.
"""
from __future__ import annotations

import functools

from .urls import host_of

# bump when the rule changes: stored rows are then re-derived (archive/schema.py)
RULE_VERSION = 1
CENTRAL = "中央"
UNKNOWN = "未知"

# (full name, short name, domain labels of the provincial portal)
PROVINCES: list[tuple[str, str, tuple[str, ...]]] = [
    ("北京市", "北京", ("beijing",)),
    ("天津市", "天津", ("tj", "tianjin")),
    ("上海市", "上海", ("sh", "shanghai")),
    ("重庆市", "重庆", ("cq", "chongqing")),
    ("河北省", "河北", ("hebei",)),
    ("山西省", "山西", ("shanxi",)),
    ("辽宁省", "辽宁", ("ln", "liaoning")),
    ("吉林省", "吉林", ("jl", "jilin")),
    ("黑龙江省", "黑龙江", ("hlj", "heilongjiang")),
    ("江苏省", "江苏", ("js", "jiangsu")),
    ("浙江省", "浙江", ("zj", "zhejiang")),
    ("安徽省", "安徽", ("ah", "anhui")),
    ("福建省", "福建", ("fj", "fujian")),
    ("江西省", "江西", ("jx", "jiangxi")),
    ("山东省", "山东", ("sd", "shandong")),
    ("河南省", "河南", ("henan",)),
    ("湖北省", "湖北", ("hubei",)),
    ("湖南省", "湖南", ("hunan",)),
    ("广东省", "广东", ("gd", "guangdong")),
    ("海南省", "海南", ("hainan",)),
    ("四川省", "四川", ("sc", "sichuan")),
    ("贵州省", "贵州", ("guizhou",)),
    ("云南省", "云南", ("yn", "yunnan")),
    ("陕西省", "陕西", ("shaanxi",)),
    ("甘肃省", "甘肃", ("gansu",)),
    ("青海省", "青海", ("qinghai",)),
    ("台湾省", "台湾", ()),
    ("内蒙古自治区", "内蒙古", ("nmg",)),
    ("广西壮族自治区", "广西", ("gxzf", "gx")),
    ("西藏自治区", "西藏", ("xizang",)),
    ("宁夏回族自治区", "宁夏", ("nx", "nxzf")),
    ("新疆维吾尔自治区", "新疆", ("xinjiang", "xj")),
    ("香港特别行政区", "香港", ()),
    ("澳门特别行政区", "澳门", ()),
]

_CENTRAL_PREFIXES = ("国务院", "国家", "中华人民共和国", "中央", "最高人民", "全国", "中国")
_CENTRAL_SUFFIXES = ("部", "委员会", "总局", "总署")
_PLACE_MARKERS = ("省", "市", "县", "区", "州", "盟", "旗", "镇", "乡")
_BY_SHORT = sorted(((short, full) for full, short, _ in PROVINCES), key=lambda p: -len(p[0]))
_BY_LABEL = {label: full for full, _, labels in PROVINCES for label in labels}


@functools.lru_cache(maxsize=65536)
def region(site: str | None, agency: str | None) -> str:
    """The province-level region of a report (full name), 中央, or 未知."""
    name = (agency or "").strip()
    for prefix in ("中共", "中国共产党"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix):]
            break
    for short, full in _BY_SHORT:
        if name.startswith(short):
            return full
    for full, _, _ in PROVINCES:
        if full in name:
            return full
    if name.startswith(_CENTRAL_PREFIXES):
        return CENTRAL
    if name.endswith(_CENTRAL_SUFFIXES) and not any(m in name for m in _PLACE_MARKERS):
        return CENTRAL
    labels = host_of(site).split(".")
    if len(labels) >= 3 and labels[-2:] == ["gov", "cn"]:
        if labels[-3] in _BY_LABEL:
            return _BY_LABEL[labels[-3]]
        if labels[-3] == "www":
            return CENTRAL
    return UNKNOWN
