"""Chinese labels of the figure keys, beside which the English keys are shown: the
report format's own row and column labels (extract/report_schema.py, one source)."""
from __future__ import annotations

import functools

from nianbao.extract import report_schema as rs

ENGLISH = {
    "requests_new": "new requests", "requests_carried_over": "carried over from last year",
    "granted": "granted", "partially_granted": "partially granted", "denied": "denied",
    "unable_to_provide": "unable to provide", "not_processed": "not processed",
    "other_processed": "other handling", "handled_total": "total handled",
    "carried_forward": "carried forward", "reconsideration_total": "administrative reconsiderations",
    "litigation_total": "lawsuits (both blocks)",
}


@functools.lru_cache(maxsize=1)
def wide_labels() -> dict[str, str]:
    """report_figures column -> its Chinese label in the format (the row, or the block it sums)."""
    rows = {k: label for k, label, _ in rs.T3_ROWS_2019 + rs.T3_ROWS_2021}
    groups = {k: g for k, _, g in rs.T3_ROWS_2019 + rs.T3_ROWS_2021}
    blocks = dict(rs.T4_BLOCKS)
    total = dict(rs.T4_COLUMNS)["total"]
    out = {}
    for column, (table, keys, _col) in rs.WIDE_COLUMNS.items():
        if table == 4:
            labels = [blocks[k] for k in keys]
            out[column] = ("表四 " + "+".join(labels) + " " + total) if len(labels) > 1 \
                else f"表四 {labels[0]} {total}"
        elif len(keys) == 1:
            out[column] = rows[keys[0]]
        else:
            out[column] = rs.T3_GROUP_LABELS[groups[keys[0]]]
    return out


def bilingual(column: str) -> str:
    """'一、本年新收政府信息公开申请数量 · requests_new (new requests)'."""
    zh = wide_labels().get(column)
    en = ENGLISH.get(column)
    key = f"{column} ({en})" if en else column
    return f"{zh} · {key}" if zh else key
