"""Figure quality and speed of `extract.tables.extract_figures`, against a naive baseline.

Quality: figures read correctly / figures in the gold, per report format and per way the
tables reach us (HTML grid, Traditional HTML, seed-002-style flattened text, tab-joined
rows, ruled PDF attachments — also printed the hard way: table 3 broken over pages, labels
drawn as a label and an empty cell —, the sample portals' reports as served, Word 97 files
included, and the real 淮安 2024 PDF report with its 26 hand-read figures). Reports that
only OCR can read are measured by bench/ocr.py.
The baseline is what a quick scraper does: every number in document order assigned to
the format's cells in schema order, blank cells read as 0. Speed: tables per second of
each reader on the same inputs, measured in the same run.

    .venv/bin/python bench/figures.py [--reports N] [--pdf-reports N] [--repeat N]

Exit status 1 when any gold figure is read wrong.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402

from nianbao.demo.content import Para, blocks_text, render_blocks  # noqa: E402
from nianbao.demo.generated import generate_report  # noqa: E402
from nianbao.demo.pdfs import text_pdf  # noqa: E402
from nianbao.extract import report_schema as rs  # noqa: E402
from nianbao.extract import extract_document  # noqa: E402
from nianbao.extract.html.grid import html_tables_to_grids  # noqa: E402
from nianbao.extract.tables import extract_figures  # noqa: E402
from nianbao.extract.tables.labels import parse_value  # noqa: E402
from nianbao.extract.tables.text import tokenize  # noqa: E402

SHARED = ROOT / ".." / "shared"
S2TWP, T2S = opencc.OpenCC("s2twp"), opencc.OpenCC("t2s")
TABLES_PER_REPORT = 3
AGENCIES = ["云溪市人民政府", "南屏县教育局", "青石镇人民政府", "云溪市交通运输局", "南屏县民政局"]


# ------------------------------------------------------------------ inputs
# A case: (format, input name, payload kind "html" | "text" | "pdf", payload, gold figures, gold identity)
def flattened(blocks) -> str:
    """The tables as seed 002 shows them: one cell a line with " |", spanned cells as bare "|"."""
    lines = []
    for b in blocks:
        if isinstance(b, Para):
            lines.append(b.text)
            continue
        width = max(sum(c.colspan for c in row) for row in b.rows)
        for row in b.rows:
            lines += [f"{c.text} |" for c in row]
            if width > len(row):
                lines.append("|" * (width - len(row)))
    return "\n".join(lines)


def generated_cases(n: int, n_pdf: int):
    for fmt in ("2019", "2021"):
        for i in range(n):
            g = generate_report(AGENCIES[i % len(AGENCIES)], 2019 + i % 2 if fmt == "2019" else 2021 + i % 3,
                                fmt, seed=100 + i, break_identity=(i % 7 == 3))
            gold = (g.figures, g.identity_ok)
            yield (fmt, "html grid", "html", render_blocks(g.body.blocks)) + gold
            # Traditional with Taiwan phrasing (專案, 檔案, 資訊), converted back as the extractor does
            yield (fmt, "Traditional (TW) html", "html", T2S.convert(render_blocks(g.body.blocks, S2TWP.convert))) + gold
            yield (fmt, "flattened text (seed 002 style)", "text", flattened(g.body.blocks)) + gold
            yield (fmt, "row text (tab-joined)", "text", blocks_text(g.body.blocks)) + gold
            if i < n_pdf:
                yield (fmt, "ruled PDF attachment", "pdf", text_pdf(g.title, g.body)) + gold
                yield (fmt, "ruled PDF, printed the hard way", "pdf", text_pdf(g.title, g.body, hard=True)) + gold


def portal_cases():
    """The sample portals' reports as served (pages and PDF attachments; the SPA needs a browser)."""
    from nianbao.demo.server import SamplePortals
    from nianbao.extract import looks_like_shell

    with SamplePortals(port=0) as portals:
        for g in portals.gold_reports():
            if g.format is None or g.no_text_layer or g.ocr:
                continue
            if portals.portal(g.portal).family == "real-web":
                continue          # pages of the families above, under *.gov.test names: bench/crawl.py
            url = g.attachment_url or g.url
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read()
            if body.startswith(b"%PDF"):
                yield g.format, "sample portals", "pdf", body, g.figures, g.identity_ok
            elif body.startswith(b"\xd0\xcf\x11\xe0"):
                yield g.format, "sample portals (Word 97)", "doc", body, g.figures, g.identity_ok
            elif not looks_like_shell(body):
                html = T2S.convert(body.decode(g.encoding, "replace"))
                yield g.format, "sample portals", "html", html, g.figures, g.identity_ok


def real_pdf_case():
    """The real 淮安 2024 report (tests/data/real-pages): its 26 figures read by hand."""
    import json

    real = ROOT / "tests" / "data" / "real-pages"
    gold = json.loads((real / "huaian-2024-report.gold.json").read_text(encoding="utf-8"))
    figs = {}
    for key, v in gold["figures"].items():
        t, r, c = key.split("/")
        figs[(int(t), r, c)] = v
    yield "2021", "real PDF (淮安 2024, hand-read)", "pdf", (real / "huaian-2024-report.pdf").read_bytes(), figs, True


def seed_case():
    (path,) = (SHARED / "seeds").glob("002_*.txt")
    text = T2S.convert(path.read_text(encoding="utf-8"))
    gold = {(3, "requests_new", "total"): 23, (3, "requests_carried_over", "total"): 8,
            (3, "handled_total", "total"): 30, (3, "carried_forward", "total"): 1}
    yield "2019", "seed 002 (its 4 stated totals)", "text", text, gold, True


# ------------------------------------------------------------------ readers
def page_text(html: str) -> str:
    """Block elements one a line, cells tab-joined: the text a flattened page gives."""
    from lxml import html as lh

    doc = lh.fromstring(html)
    for el in doc.iter("p", "div", "br", "tr", "li", "td", "th"):
        el.tail = ("\t" if el.tag in ("td", "th") else "\n") + (el.tail or "")
    return doc.text_content()


def ours(kind: str, payload):
    """Our reader from the published form: grids expanded (or rebuilt from the PDF) included."""
    if kind == "html":
        return extract_figures(html_tables_to_grids(payload), page_text(payload), html=payload)
    if kind in ("pdf", "doc"):     # an attachment as a crawl reads it: the whole extractor
        return extract_document(payload, f"http://bench.invalid/report.{kind}").figures
    return extract_figures([], payload)


def _schema_order(fmt: str) -> list[tuple[int, str, str]]:
    t2 = rs.T2_2021 if fmt == "2021" else rs.T2_2019
    keys = [(2, r, c) for _b, rows, cols in t2 for r, _ in rows for c, _ in cols]
    keys += [(3, r, c) for r, _, _ in rs.t3_rows(fmt) for c, _ in rs.T3_COLUMNS]
    keys += [(4, b, c) for b, _ in rs.T4_BLOCKS for c, _ in rs.T4_COLUMNS]
    return keys


def baseline(kind: str, payload, fmt: str) -> dict:
    """Numbers in document order into the schema's cells; blanks and dashes count as 0."""
    if kind == "html":
        from lxml import html as lh
        cells = [td.text_content().strip() for td in lh.fromstring(payload).iter("td")]
    else:
        if kind == "pdf":
            from pdfminer.high_level import extract_text
            payload = extract_text(io.BytesIO(payload))
        elif kind == "doc":
            from nianbao.extract.attachments.word import doc_text
            payload = "\n".join(doc_text(payload).lines)
        cells = [t[1] for t in tokenize(payload) if t[0] != "empty"]
    values = []
    for c in cells:
        kind_, v, _ = parse_value(c)
        if kind_ == "num":
            values.append(v)
        elif kind_ == "blank":
            values.append(0)
    return dict(zip(_schema_order(fmt), values))


# ------------------------------------------------------------------ scoring
def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-6


def score(got: dict, gold: dict) -> int:
    return sum(1 for k, v in gold.items() if k in got and _same(got[k], v))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=30, help="generated reports per format (default 30)")
    ap.add_argument("--pdf-reports", type=int, default=3,
                    help="of those, how many also as a PDF attachment (slow: pdfminer) (default 3)")
    ap.add_argument("--repeat", type=int, default=3, help="timing repetitions, best kept (default 3)")
    args = ap.parse_args()

    cases = (list(generated_cases(args.reports, args.pdf_reports)) + list(portal_cases()) + list(real_pdf_case())
             + list(seed_case()))
    rows: dict[tuple[str, str], dict] = {}
    for fmt, name, kind, payload, gold, ident in cases:
        r = rows.setdefault((fmt, name), dict(reports=0, gold=0, ours=0, base=0, ident=0, broken=0,
                                              t_ours=0.0, t_base=0.0))
        best_o = best_b = float("inf")
        for _ in range(args.repeat if kind not in ("pdf", "doc") else 1):
            t0 = time.perf_counter()
            fs = ours(kind, payload)
            t1 = time.perf_counter()
            base = baseline(kind, payload, fmt)
            t2 = time.perf_counter()
            best_o, best_b = min(best_o, t1 - t0), min(best_b, t2 - t1)
        got = {(f.table, f.row_key, f.col_key): f.value for f in fs.figures}
        r["reports"] += 1
        r["gold"] += len(gold)
        r["ours"] += score(got, gold)
        r["base"] += score(base, gold)
        r["ident"] += fs.identity_ok is ident and fs.format == fmt
        r["broken"] += ident is False
        r["t_ours"] += best_o
        r["t_base"] += best_b

    head = ("format", "input", "reports", "figures in gold", "correct (ours)", "ours %", "baseline %",
            "identity+format right", "tables/s ours", "tables/s baseline", "speed ours/baseline")
    out = [head]
    tot = dict(gold=0, ours=0, base=0, reports=0, ident=0, t_ours=0.0, t_base=0.0)
    for (fmt, kind), r in sorted(rows.items()):
        tables = r["reports"] * TABLES_PER_REPORT
        out.append((fmt, kind, r["reports"], r["gold"], r["ours"], f"{100 * r['ours'] / r['gold']:.1f}",
                    f"{100 * r['base'] / r['gold']:.1f}", f"{r['ident']}/{r['reports']} ({r['broken']} broken)",
                    f"{tables / r['t_ours']:.0f}", f"{tables / r['t_base']:.0f}",
                    f"{r['t_base'] / r['t_ours']:.2f}"))
        for k in tot:
            tot[k] += r[k]
    tables = tot["reports"] * TABLES_PER_REPORT
    out.append(("all", "", tot["reports"], tot["gold"], tot["ours"], f"{100 * tot['ours'] / tot['gold']:.1f}",
                f"{100 * tot['base'] / tot['gold']:.1f}", f"{tot['ident']}/{tot['reports']}",
                f"{tables / tot['t_ours']:.0f}", f"{tables / tot['t_base']:.0f}",
                f"{tot['t_base'] / tot['t_ours']:.2f}"))
    widths = [max(len(str(row[i])) for row in out) for i in range(len(head))]
    for n, row in enumerate(out):
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    return 0 if tot["ours"] == tot["gold"] else 1


if __name__ == "__main__":
    sys.exit(main())
