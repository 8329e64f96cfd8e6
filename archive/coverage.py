"""Coverage and timeliness: for each agency and year, whether the archive holds its report
and whether it came out by the legal deadline.

Regulation Article 49 (政府信息公开条例): departments publish the previous year's report by
31 January, governments (人民政府, 政府) by 31 March. An agency's years run from its first
report in the archive to the latest year any report covers; a year in that span without
a report is a gap. The `report_coverage` view (a derived object, archive/schema.py) is
the definition; pages read it for a few agencies at a time.
"""
from __future__ import annotations

# 'government' | 'department', by the agency's name (人民政府, 政府 at its end)
KIND_SQL = ("CASE WHEN {agency} LIKE '%政府' THEN 'government' ELSE 'department' END")
DEADLINE_SQL = ("CASE WHEN {agency} LIKE '%政府' THEN ({year} + 1) || '-03-31' "
                "ELSE ({year} + 1) || '-01-31' END")

VIEW_SQL = f"""CREATE VIEW report_coverage AS
WITH RECURSIVE span(last) AS (SELECT max(year) FROM report_rows),
agencies AS (
    SELECT agency, min(year) AS first_year, max(region) AS region,
           max(prefecture) AS prefecture, max(county) AS county
    FROM report_rows WHERE agency IS NOT NULL AND year IS NOT NULL GROUP BY agency),
years(year) AS (
    SELECT min(year) FROM report_rows
    UNION ALL SELECT year + 1 FROM years, span WHERE year < span.last)
SELECT
    a.agency,
    a.region,
    a.prefecture,
    a.county,
    y.year,
    {KIND_SQL.format(agency='a.agency')} AS kind,
    {DEADLINE_SQL.format(agency='a.agency', year='y.year')} AS deadline,
    (SELECT count(*) FROM report_rows r WHERE r.agency = a.agency AND r.year = y.year) AS reports,
    (SELECT min(r.document_id) FROM report_rows r WHERE r.agency = a.agency AND r.year = y.year)
        AS document_id,
    (SELECT min(r.published) FROM report_rows r WHERE r.agency = a.agency AND r.year = y.year)
        AS published,
    CASE
        WHEN NOT EXISTS (SELECT 1 FROM report_rows r WHERE r.agency = a.agency AND r.year = y.year)
            THEN 'missing'
        WHEN (SELECT min(r.published) FROM report_rows r WHERE r.agency = a.agency AND r.year = y.year)
            IS NULL THEN 'date unknown'
        WHEN (SELECT min(r.published) FROM report_rows r WHERE r.agency = a.agency AND r.year = y.year)
            <= {DEADLINE_SQL.format(agency='a.agency', year='y.year')} THEN 'on time'
        ELSE 'late'
    END AS status
FROM agencies a JOIN years y ON y.year >= a.first_year"""


def kind(agency: str | None) -> str:
    """The same rule as KIND_SQL, for pages that show one report."""
    return "government" if (agency or "").endswith("政府") else "department"


def deadline(agency: str | None, year: int | None) -> str | None:
    """The same rule as DEADLINE_SQL: the last day the report for `year` was due."""
    if year is None:
        return None
    return f"{int(year) + 1}-03-31" if kind(agency) == "government" else f"{int(year) + 1}-01-31"
