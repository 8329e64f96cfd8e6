"""The arithmetic a report's tables state about themselves, checked (never corrected):
table 3's identity (一+二 = 三（七）+四), its handled total and row totals; table 4's block
totals. A blank cell makes a check unknown (None), not failed."""
from __future__ import annotations

from .. import report_schema as rs
from ..document import Check, Figure


def _sum(values: list) -> float | int | None:
    if not values or any(v is None for v in values):
        return None
    return sum(values)


def _check(name: str, key: str, expected, actual) -> Check:
    ok = None if expected is None or actual is None else abs(expected - actual) < 1e-6
    return Check(name=name, key=key, expected=expected, actual=actual, ok=ok)


def table3_checks(figures: list[Figure], fmt: str) -> list[Check]:
    """一+二 = 三（七）+四 and （七） = its rows, per column; 总计 = the six applicant columns, per row."""
    cell = {(f.row_key, f.col_key): f.value for f in figures if f.table == 3}
    if not cell:
        return []
    rows = rs.t3_rows(fmt)
    result_rows = [k for k, _, g in rows if g in rs.T3_RESULT_GROUPS]
    checks = []
    for ck, _ in rs.T3_COLUMNS:
        checks.append(_check("t3_identity", ck,
                             _sum([cell.get(("requests_new", ck)), cell.get(("requests_carried_over", ck))]),
                             _sum([cell.get(("handled_total", ck)), cell.get(("carried_forward", ck))])))
    for ck, _ in rs.T3_COLUMNS:
        checks.append(_check("t3_handled_total", ck, _sum([cell.get((rk, ck)) for rk in result_rows]),
                             cell.get(("handled_total", ck))))
    applicants = [ck for ck, _ in rs.T3_COLUMNS if ck != "total"]
    for rk, _, _ in rows:
        if not any((rk, ck) in cell for ck, _ in rs.T3_COLUMNS):
            continue
        checks.append(_check("t3_row_total", rk, _sum([cell.get((rk, ck)) for ck in applicants]),
                             cell.get((rk, "total"))))
    return checks


def table4_checks(figures: list[Figure]) -> list[Check]:
    """Each block's 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    cell = {(f.row_key, f.col_key): f.value for f in figures if f.table == 4}
    if not cell:
        return []
    parts = [ck for ck, _ in rs.T4_COLUMNS if ck != "total"]
    return [_check("t4_total", bk, _sum([cell.get((bk, ck)) for ck in parts]), cell.get((bk, "total")))
            for bk, _ in rs.T4_BLOCKS]


