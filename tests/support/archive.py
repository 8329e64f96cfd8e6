"""Builders shared by the archive tests: PageItems and hand-built Documents."""
from __future__ import annotations

import sqlite3

from nianbao.archive.capture import Listing, Capture
from nianbao.extract.document import Check, Document, Figure, FigureSet

SITE = "gov.test"
BASE = f"http://{SITE}"

REPORT_TEXT = (
    "一、总体情况\n本机关2020年认真贯彻落实《条例》。\n二、主动公开政府信息情况\n"
    "三、收到和处理政府信息公开申请情况\n本年新收政府信息公开申请23件。\n"
    "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n"
)


def page(path: str, body: bytes | str = b"<html>report</html>", status: int | None = 200, *,
         final: str | None = None, canonical: str | None = None, kind: str = "page",
         parent: str | None = None, headers: dict | None = None, error: str | None = None,
         not_modified: bool = False) -> Capture:
    url = path if path.startswith("http") else BASE + path
    final_url = final if final is None or final.startswith("http") else BASE + final
    final_url = final_url or url
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Capture(url=url, final_url=final_url, canonical_url=canonical or final_url, site=SITE,
                    status=status, headers=headers or {"content-type": "text/html; charset=utf-8"},
                    body=body, fetched_at="", kind=kind,
                    parent_url=(BASE + parent) if parent and not parent.startswith("http") else parent,
                    error=error, not_modified=not_modified)


def report_doc(url: str = BASE + "/r/1.html", text: str = REPORT_TEXT, *, title: str | None = None,
               year: int = 2020, figures: FigureSet | None = None, **kw) -> Document:
    return Document(url=url, text=text, title=title or f"{year}年政府信息公开工作年度报告",
                    agency="测试市人民政府办公室", year=year, published=f"{year + 1}-01-20",
                    is_report=True, figures=figures or FigureSet(), extractor_version="test", **kw)


def plain_doc(url: str, text: str = "首页\n通知公告", title: str = "首页") -> Document:
    return Document(url=url, text=text, title=title, is_report=False, extractor_version="test")


def listing(path: str, links: list[str]) -> Listing:
    return Listing(url=BASE + path, site=SITE,
                       links=[u if u.startswith("http") else BASE + u for u in links])


def figure_set(fmt: str = "2019", total_new: int | None = 23, denied: dict | None = None,
               identity: list[bool | None] | None = None) -> FigureSet:
    figs = [Figure(3, "requests_new", "total", total_new, str(total_new or ""), "一、本年新收政府信息公开申请数量", "总计"),
            Figure(3, "requests_new", "natural_person", 20, "20", "一、本年新收政府信息公开申请数量", "自然人"),
            Figure(4, "reconsideration", "total", 2, "2", "行政复议", "总计"),
            Figure(4, "litigation_direct", "total", 1, "1", "未经复议直接起诉", "总计"),
            Figure(4, "litigation_after_reconsideration", "total", 3, "3", "复议后起诉", "总计")]
    for key, val in (denied or {}).items():
        figs.append(Figure(3, key, "total", val, "" if val is None else str(val), key, "总计"))
    checks = [Check("t3_identity", f"col{i}", 1, 1 if ok else 2, ok) for i, ok in enumerate(identity or [True])]
    return FigureSet(format=fmt, figures=figs, checks=checks)


def count(conn: sqlite3.Connection, table: str, where: str = "1", params: tuple = ()) -> int:
    return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
