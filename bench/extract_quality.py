"""Extraction quality and speed: our extractor vs plain `trafilatura.extract`, one run.

Documents: every gold report of the sample portals (grouped by portal family, plus a
"seeds" group for the five real seed texts as the portals render them; reports only OCR
can read are bench/ocr.py's), and the three real pages in tests/data/real-pages with their
gold texts (tests/pages/real/, and the chinaneast page's own hand-cleaned gold). Pages that are
JavaScript shells are rendered in Chromium first, as the crawler does.

Quality: character-bigram precision / recall / F1 against the gold text (whitespace
ignored), and the number of chrome strings (`extract.rules.CHROME_STRINGS`) left in the
output that the gold does not contain. Speed: documents per second over all HTML documents,
both extractors on the same bytes, interleaved rounds. Prints one table; exits 1 when a
target is missed (F1 >= 0.98 per family, no chrome, time <= 1.5x trafilatura).

    .venv/bin/python bench/extract_quality.py [--rounds N]
"""
from __future__ import annotations

import argparse
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from nianbao.crawler.browser import render_html  # noqa: E402
from nianbao.extract import extract_document, looks_like_shell  # noqa: E402
from nianbao.extract.rules import CHROME_STRINGS  # noqa: E402
from nianbao.demo.gold import bigram_prf as prf  # noqa: E402

REAL = ROOT / "tests" / "data" / "real-pages"
REAL_URLS = {
    "deqing-gov-article": "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
    "shanxi-gov-article": "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
    "chinaneast-gov-article": "http://www.chinaneast.gov.cn/2005-05/article.html",
}
F1_TARGET, SPEED_TARGET = 0.98, 1.5


def chrome_left(out: str, gold: str) -> int:
    return sum(out.count(s) for s in CHROME_STRINGS if s not in gold)


def fetch(url: str) -> tuple[bytes, dict]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read(), dict(r.headers)


def collect() -> list[dict]:
    """(family, url, body, headers, gold) for every document of the bench."""
    from nianbao.demo.server import SamplePortals
    docs = []
    for name, url in REAL_URLS.items():
        gold = ROOT / "tests" / "pages" / "real" / f"{name}.gold.txt"
        docs.append(dict(family="real-pages", url=url, body=(REAL / f"{name}.html").read_bytes(), headers={},
                         gold=(gold if gold.exists() else REAL / f"{name}.gold.txt").read_text("utf-8")))
    with SamplePortals(port=0) as portals:
        # the page families; the real-web portals (demo/portals/realweb.py) show how pages
        # are reached, not new page layouts, and live under *.gov.test names (bench/crawl.py)
        golds = [g for g in portals.gold_reports() if portals.portal(g.portal).family != "real-web"]
        shells = []
        for g in golds:
            if g.no_text_layer or g.ocr:
                continue              # nothing extractable without OCR: bench/ocr.py
            url = g.attachment_url or g.url
            body, headers = fetch(url)
            d = dict(family=g.family, url=url, body=body, headers=headers, gold=g.text, source=g.source)
            if not g.attachment_url and looks_like_shell(body, headers):
                shells.append(d)
            docs.append(d)
        rendered = render_html([d["url"] for d in shells])      # as the crawler renders
        for d in shells:
            d["body"], d["headers"] = rendered[d["url"]], {"Content-Type": "text/html; charset=utf-8"}
            d["rendered"] = True
    for d in list(docs):
        if str(d.get("source", "")).startswith("seed:"):
            docs.append(dict(d, family="seeds (as rendered)"))
    return docs


def traf(body: bytes) -> str:
    try:
        return trafilatura.extract(body) or ""
    except Exception:
        return ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="timing rounds over all HTML documents")
    args = ap.parse_args()
    docs = collect()
    rows = defaultdict(lambda: defaultdict(list))
    for d in docs:
        ours = extract_document(d["body"], d["url"], d["headers"]).text
        base = traf(d["body"])
        r = rows[d["family"]]
        r["ours"].append(prf(ours, d["gold"]))
        r["traf"].append(prf(base, d["gold"]))
        r["ours_chrome"].append(chrome_left(ours, d["gold"]))
        r["traf_chrome"].append(chrome_left(base, d["gold"]))

    # Speed: same bytes, both extractors, interleaved rounds (HTML documents, no duplicates).
    seen, timed = set(), []
    for d in docs:
        if d["url"] not in seen and not d["body"].startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            seen.add(d["url"])
            timed.append(d)
    for d in timed:                       # warm caches (OpenCC, charset tables) for both
        extract_document(d["body"], d["url"], d["headers"]), traf(d["body"])
    t_ours = t_traf = 0.0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for d in timed:
            traf(d["body"])
        t1 = time.perf_counter()
        for d in timed:
            extract_document(d["body"], d["url"], d["headers"])
        t2 = time.perf_counter()
        t_traf += t1 - t0
        t_ours += t2 - t1
    n = len(timed) * args.rounds

    def mean(xs, i):
        return sum(x[i] for x in xs) / len(xs)

    head = (f"{'family':<22}{'docs':>5} | {'ours P':>7}{'R':>7}{'F1':>7}{'minF1':>7}{'chrome':>7} | "
            f"{'traf P':>7}{'R':>7}{'F1':>7}{'minF1':>7}{'chrome':>7}")
    line = "-" * len(head)
    print(head)
    print(line)
    failed = []
    for fam in sorted(rows):
        r = rows[fam]
        o, t = r["ours"], r["traf"]
        of1, tf1 = mean(o, 2), mean(t, 2)
        print(f"{fam:<22}{len(o):>5} | {mean(o, 0):>7.3f}{mean(o, 1):>7.3f}{of1:>7.3f}"
              f"{min(x[2] for x in o):>7.3f}{sum(r['ours_chrome']):>7} | {mean(t, 0):>7.3f}{mean(t, 1):>7.3f}"
              f"{tf1:>7.3f}{min(x[2] for x in t):>7.3f}{sum(r['traf_chrome']):>7}")
        if of1 < F1_TARGET:
            failed.append(f"{fam}: F1 {of1:.3f} < {F1_TARGET}")
        if sum(r["ours_chrome"]):
            failed.append(f"{fam}: {sum(r['ours_chrome'])} chrome strings left")
    print(line)
    ratio = t_ours / t_traf if t_traf else float("inf")
    print(f"{'speed (docs/s)':<22}{len(timed):>5} | {'ours':>7}{n / t_ours:>14.1f}{'':>14} | "
          f"{'traf':>7}{n / t_traf:>14.1f}{'':>14}")
    print(f"{'time ours / traf':<22}{'':>5} | {ratio:>7.2f}x (target <= {SPEED_TARGET}x, {args.rounds} rounds)")
    if ratio > SPEED_TARGET:
        failed.append(f"speed: {ratio:.2f}x trafilatura > {SPEED_TARGET}x")
    for f in failed:
        print("MISSED", f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
