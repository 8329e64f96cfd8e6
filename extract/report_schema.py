"""Stable English keys for the figures of the 2019 and 2021 report formats.

These keys are an archive contract (the long `figures` table and the `report_figures`
view use them), so they live in one place as data. Labels are the Simplified labels of
国办公开办函〔2019〕60号 and 〔2021〕30号; see ../shared/docs/report-format.md.
"""
from __future__ import annotations

# Table 3: the seven figure columns under 申请人情况, in published order.
T3_COLUMNS: list[tuple[str, str]] = [
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("social_welfare_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
]

# Table 3 rows: (key, label, group). `group` names the block a row sums into.
_T3_HEAD = [
    ("requests_new", "一、本年新收政府信息公开申请数量", None),
    ("requests_carried_over", "二、上年结转政府信息公开申请数量", None),
    ("granted", "（一）予以公开", "result"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result"),
    ("denied_state_secret", "1.属于国家秘密", "denied"),
    ("denied_law_prohibited", "2.其他法律行政法规禁止公开", "denied"),
    ("denied_three_safety", "3.危及“三安全一稳定”", "denied"),
    ("denied_third_party", "4.保护第三方合法权益", "denied"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", "denied"),
    ("denied_process_info", "6.属于四类过程性信息", "denied"),
    ("denied_enforcement_files", "7.属于行政执法案卷", "denied"),
    ("denied_inquiry_matters", "8.属于行政查询事项", "denied"),
    ("unable_not_held", "1.本机关不掌握相关政府信息", "unable"),
    ("unable_needs_creation", "2.没有现成信息需要另行制作", "unable"),
    ("unable_unclear", "3.补正后申请内容仍不明确", "unable"),
    ("not_processed_petition", "1.信访举报投诉类申请", "not_processed"),
    ("not_processed_duplicate", "2.重复申请", "not_processed"),
    ("not_processed_publications", "3.要求提供公开出版物", "not_processed"),
    ("not_processed_excessive", "4.无正当理由大量反复申请", "not_processed"),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", "not_processed"),
]
_T3_TAIL = [
    ("handled_total", "（七）总计", None),
    ("carried_forward", "四、结转下年度继续办理", None),
]
T3_ROWS_2019 = _T3_HEAD + [("other_processed", "（六）其他处理", "other")] + _T3_TAIL
T3_ROWS_2021 = _T3_HEAD + [
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other"),
    ("other_other", "3.其他", "other"),
] + _T3_TAIL

# Block headings of table 3's result rows (sub-rows carry the key of the group).
T3_GROUP_LABELS = {
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
# Rows whose sum is （七）总计.
T3_RESULT_GROUPS = ("result", "denied", "unable", "not_processed", "other")

# Table 4: three blocks of five columns, usually one published row of 15 cells.
T4_BLOCKS: list[tuple[str, str]] = [
    ("reconsideration", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_reconsideration", "复议后起诉"),
]
T4_COLUMNS: list[tuple[str, str]] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]

# Table 2: (block label, rows, columns) per format.
T2_2019 = [
    ("第二十条第（一）项", [("regulations", "规章"), ("normative_documents", "规范性文件")],
     [("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"), ("total_published", "对外公开总数量")]),
    ("第二十条第（五）项", [("administrative_licensing", "行政许可"), ("other_management_services", "其他对外管理服务事项")],
     [("previous_count", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")]),
    ("第二十条第（六）项", [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
     [("previous_count", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")]),
    ("第二十条第（八）项", [("administrative_fees", "行政事业性收费")],
     [("previous_count", "上一年项目数量"), ("change", "本年增/减")]),
    ("第二十条第（九）项", [("government_procurement", "政府集中采购")],
     [("procurement_items", "采购项目数量"), ("procurement_amount", "采购总金额")]),
]
T2_2021 = [
    ("第二十条第（一）项", [("regulations", "规章"), ("normative_documents", "行政规范性文件")],
     [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")]),
    ("第二十条第（五）项", [("administrative_licensing", "行政许可")],
     [("decisions", "本年处理决定数量")]),
    ("第二十条第（六）项", [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
     [("decisions", "本年处理决定数量")]),
    ("第二十条第（八）项", [("administrative_fees", "行政事业性收费")],
     [("fee_amount", "本年收费金额（单位：万元）")]),
]


def t3_rows(fmt: str) -> list[tuple[str, str, str | None]]:
    return T3_ROWS_2021 if fmt == "2021" else T3_ROWS_2019


def t3_denied_keys() -> list[str]:
    return [k for k, _, g in _T3_HEAD if g == "denied"]


# The wide `report_figures` view: column -> (table, row keys summed, column key).
# Table 3 columns come from the 总计 column; table 4 from the blocks' 总计.
WIDE_COLUMNS: dict[str, tuple[int, tuple[str, ...], str]] = {
    "requests_new": (3, ("requests_new",), "total"),
    "requests_carried_over": (3, ("requests_carried_over",), "total"),
    "granted": (3, ("granted",), "total"),
    "partially_granted": (3, ("partially_granted",), "total"),
    "denied": (3, tuple(t3_denied_keys()), "total"),
    "unable_to_provide": (3, ("unable_not_held", "unable_needs_creation", "unable_unclear"), "total"),
    "not_processed": (3, ("not_processed_petition", "not_processed_duplicate", "not_processed_publications",
                          "not_processed_excessive", "not_processed_confirmation"), "total"),
    "other_processed": (3, ("other_processed", "other_no_correction", "other_no_fee", "other_other"), "total"),
    "handled_total": (3, ("handled_total",), "total"),
    "carried_forward": (3, ("carried_forward",), "total"),
    "reconsideration_total": (4, ("reconsideration",), "total"),
    "litigation_total": (4, ("litigation_direct", "litigation_after_reconsideration"), "total"),
}
