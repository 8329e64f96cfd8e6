"""OCR quality and cost on the sample material, RapidOCR vs Tesseract in one run.

Inputs (made by demo/scans.py from generated reports, so gold figures and text are known):
a scanned PDF (tilted, yellowed, JPEG noise, red seal), a 图片版 page's images, and an
HTML report whose tables are images. Each goes through `extract_with_ocr` with
`extract.ocr.ocr_blob` of one engine, as the crawl's pipeline does. Per input kind and
engine: figures exact %, text character-bigram F1, seconds and peak memory (RSS of a
fresh worker process, as the crawler's pool runs it) per page. Exits 1 when RapidOCR
misses a target (figures >= 98% exact, F1 >= 0.95).

    .venv/bin/python bench/ocr.py [--reports N]
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nianbao.demo.gold import bigram_f1 as f1  # noqa: E402

FIG_TARGET, F1_TARGET = 98.0, 0.95

AGENCIES = ["西岭县人民政府", "西岭县教育局", "西岭县卫生健康局", "南屏县民政局"]




def cases(n: int):
    """(kind, url, body, images, gold figures, gold text) of the sample material."""
    from nianbao.demo.content import Table
    from nianbao.demo.generated import generate_report
    from nianbao.demo.scans import page_images, scanned_report_pdf, table_image
    for i in range(n):
        g = generate_report(AGENCIES[i % len(AGENCIES)], 2021 + i % 3, "2021" if i % 2 else "2019", seed=300 + i)
        gold = g.body.gold_text()
        yield "scanned PDF", "http://bench.invalid/P020240101_1.pdf", scanned_report_pdf(g.title, g.body, g.title), {}, \
            g.figures, gold, 3
        pages = page_images(g.title, g.body, g.title + "/page", paper=(225, 225, 225))
        imgs = {f"http://bench.invalid/W0_{k}.jpg": p for k, p in enumerate(pages)}
        html = (f"<html><head><title>{g.title}</title></head><body><div class='TRS_Editor'>"
                + "".join(f"<p><img src='{u}'></p>" for u in imgs) + "</div></body></html>")
        yield "图片版 page", "http://bench.invalid/t1.html", html.encode(), imgs, g.figures, gold, len(pages)
        parts, timgs = [], {}
        for k, b in enumerate(g.body.blocks):
            if isinstance(b, Table):
                u = f"http://bench.invalid/t{k}.png"
                timgs[u] = table_image(b, f"{g.title}/{k}")
                parts.append(f"<p><img src='{u}'></p>")
            else:
                parts.append(f"<p>{b.text}</p>")
        html = (f"<html><head><title>{g.title}</title></head><body><div class='TRS_Editor'>"
                + "".join(parts) + "</div></body></html>")
        yield "image tables (HTML)", "http://bench.invalid/t2.html", html.encode(), timgs, g.figures, gold, len(timgs)


def run_one(args):
    """In a fresh process: one input through one engine; (figures right, figures, F1, seconds, peak MB)."""
    engine, url, body, images, gold_figs, gold_text = args
    from nianbao.extract import extract_with_ocr
    from nianbao.extract.ocr import ocr_blob
    from nianbao.extract.ocr.engines import get_engine
    get_engine(engine)                          # model loading is not per page
    t0 = time.perf_counter()
    doc = extract_with_ocr(body, url, None, images, lambda data: ocr_blob(data, engine))
    secs = time.perf_counter() - t0
    got = {(f.table, f.row_key, f.col_key): f.value for f in doc.figures.figures}
    right = sum(1 for k, v in gold_figs.items() if k in got and got[k] == v)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return right, len(gold_figs), f1(doc.text, gold_text), secs, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2, help="generated reports per input kind (default 2)")
    args = ap.parse_args()
    rows: dict[tuple[str, str], dict] = {}
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        for kind, url, body, images, figs, text, pages in cases(args.reports):
            for engine in ("rapidocr", "tesseract"):
                right, total, f, secs, peak = pool.apply(run_one, ((engine, url, body, images, figs, text),))
                r = rows.setdefault((kind, engine), dict(docs=0, pages=0, right=0, total=0, f1=[], secs=0.0, peak=0.0))
                r["docs"] += 1
                r["pages"] += pages
                r["right"] += right
                r["total"] += total
                r["f1"].append(f)
                r["secs"] += secs
                r["peak"] = max(r["peak"], peak)
    head = ("input", "engine", "reports", "pages", "figures exact %", "text F1 (mean)", "text F1 (min)",
            "s/page", "peak MB")
    out = [head]
    failed = []
    for (kind, engine), r in rows.items():
        exact = 100 * r["right"] / r["total"]
        mean_f1 = sum(r["f1"]) / len(r["f1"])
        out.append((kind, engine, r["docs"], r["pages"], f"{exact:.1f}", f"{mean_f1:.3f}", f"{min(r['f1']):.3f}",
                    f"{r['secs'] / r['pages']:.1f}", f"{r['peak']:.0f}"))
        if engine == "rapidocr" and (exact < FIG_TARGET or mean_f1 < F1_TARGET):
            failed.append(f"{kind}: figures {exact:.1f}% / F1 {mean_f1:.3f}")
    widths = [max(len(str(row[i])) for row in out) for i in range(len(head))]
    for n, row in enumerate(out):
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    for f in failed:
        print("MISSED", f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
