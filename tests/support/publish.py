"""A small real archive for the publish tests, written through `Archive.store_page`.

Not a mock: the same store, schema, views and search refresh a crawl uses; only the
pages come from here instead of a crawl, so the expected search hits are known exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

from nianbao.archive.store import Archive
from nianbao.archive.capture import Capture
from nianbao.extract.document import Check, Document, Figure, FigureSet

FETCHED = "2024-03-01T00:00:00Z"
EDITED = "2024-06-01T00:00:00Z"


@dataclass
class Sample:
    url: str
    site: str
    title: str
    agency: str
    year: int
    text: str
    script: str = "simplified"
    text_original: str = ""


# A: 公开 and 复议; B: 公开 only; C: neither (and no 公 at all); T: from a Traditional page
# (text stored Simplified, with 互联网, which Taiwan writes 網際網路).
SAMPLES = [
    Sample("http://www.zj.gov.cn/art/2023/1/20/art_1_1.html", "www.zj.gov.cn",
           "浙江省人民政府办公厅2022年政府信息公开工作年度报告", "浙江省人民政府办公厅", 2022,
           "一、总体情况\n2022年，本机关认真贯彻《中华人民共和国政府信息公开条例》。\n"
           "四、政府信息公开行政复议、行政诉讼情况\n全年发生行政复议2件，行政诉讼1件。"),
    Sample("http://www.beijing.gov.cn/gongkai/t20230115_2.html", "www.beijing.gov.cn",
           "北京市海淀区2022年政府信息公开工作年度报告", "北京市海淀区人民政府", 2022,
           "一、总体情况\n海淀区主动公开政府信息1200条。\n二、存在的主要问题\n栏目更新不够及时。"),
    Sample("http://www.deqing.gov.cn/col/col1/art_3.html", "www.deqing.gov.cn",
           "德清县2021年度工作报告", "德清县人民政府", 2021,
           "一、总体情况\n本年度依申请提供信息38件，均按期答复。\n二、改进措施\n加强培训。"),
    Sample("http://www.gov.hk.example/gate/big5/report_4.html", "www.gov.hk.example",
           "2021年度信息工作报告", "国务院某办公室", 2021,
           "一、总体情况\n依托互联网平台受理申请，全年办结申请56件。",
           script="traditional", text_original="一、總體情況\n依託網際網路平臺受理申請，全年辦結申請56件。"),
]

EDIT_OLD = "栏目更新不够及时。"
EDIT_NEW = "栏目更新不够及时，已于2023年整改完毕。"
RAW_BODY = ("<html><head><meta charset='utf-8'><title>x</title></head><body>"
            "<script>alert('xss')</script><p>{text}</p></body></html>")


def _figures(ok: bool) -> FigureSet:
    figs = [Figure(3, "requests_new", "total", 30), Figure(3, "requests_carried_over", "total", 2),
            Figure(3, "granted", "total", 20), Figure(3, "partially_granted", "total", 5),
            Figure(3, "handled_total", "total", 31 if ok else 40), Figure(3, "carried_forward", "total", 1),
            Figure(4, "reconsideration", "total", 2), Figure(4, "litigation_direct", "total", 1)]
    check = Check("t3_identity", "total", 32, 32 if ok else 41, ok)
    return FigureSet(format="2021", figures=figs, checks=[check])


def document(s: Sample, text: str | None = None, figures_ok: bool | None = None) -> Document:
    return Document(url=s.url, text=text or s.text, title=s.title, title_original=s.title,
                    text_original=s.text_original or (text or s.text), script=s.script,
                    agency=s.agency, year=s.year, published=f"{s.year + 1}-01-20", is_report=True,
                    content_type="html",
                    figures=_figures(figures_ok) if figures_ok is not None else FigureSet())


def page(s: Sample, text: str, fetched_at: str) -> Capture:
    return Capture(url=s.url, final_url=s.url, canonical_url=s.url, site=s.site, status=200,
                    headers={"content-type": "text/html; charset=utf-8"},
                    body=RAW_BODY.format(text=text).encode("utf-8"), fetched_at=fetched_at)


def build(path, edited: bool = True) -> None:
    """First run stores every sample; a second run edits report B (a new version)."""
    with Archive(path) as ar:
        run = ar.start_run([s.site for s in SAMPLES], {})
        for i, s in enumerate(SAMPLES):
            ok = {0: False, 1: True}.get(i)
            ar.store_page(run, page(s, s.text, FETCHED), document(s, figures_ok=ok))
        ar.finish_run(run, {})
        if edited:
            run = ar.start_run([SAMPLES[1].site], {})
            s = SAMPLES[1]
            new_text = s.text.replace(EDIT_OLD, EDIT_NEW)
            ar.store_page(run, page(s, new_text, EDITED), document(s, text=new_text, figures_ok=True))
            ar.finish_run(run, {})


# A report page whose table 3 excerpt has published spans, with the 网站标识码 of 沈阳市.
TABLE_URL = "http://www.yunxi.gov.cn/art/2022/1/25/art_1_9.html"
TABLE_LAST_SENTENCE = "本年度未收取信息处理费，全文完。"
TABLE_PAGE = """<html><head><meta charset="utf-8"><title>云溪市财政局2021年政府信息公开工作年度报告</title></head>
<body><div class="TRS_Editor"><p>一、总体情况</p><p>本机关认真贯彻落实条例。</p><table border=1>
<tr><td rowspan=2>三、本年度办理结果</td><td>（一）予以公开</td><td>5</td></tr>
<tr><td>（二）部分公开</td><td>2</td></tr><tr><td colspan=2>四、结转下年度继续办理</td><td>1</td></tr></table>
<p>六、其他需要报告的事项</p><p>""" + TABLE_LAST_SENTENCE + """</p></div>
<div class="footer">版权所有　网站标识码：2101000001</div></body></html>"""


def add_table_report(path) -> None:
    """Store TABLE_PAGE through the real extractor (its tables kept as published)."""
    from nianbao.extract import extract_document

    body = TABLE_PAGE.encode("utf-8")
    headers = {"content-type": "text/html; charset=utf-8"}
    with Archive(path) as ar:
        run = ar.start_run(["www.yunxi.gov.cn"], {})
        ar.store_page(run, Capture(url=TABLE_URL, final_url=TABLE_URL, canonical_url=TABLE_URL,
                                   site="www.yunxi.gov.cn", status=200, headers=headers, body=body,
                                   fetched_at="2022-02-01T08:00:00.000000Z"),
                      extract_document(body, TABLE_URL, headers))
        ar.finish_run(run, {})
