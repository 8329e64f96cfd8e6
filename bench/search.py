"""Search and page latency over a synthetic archive of 100,000 reports, through Datasette's HTTP API.

Builds the archive with the real schema (archive.schema.migrate) and the real index code
(archive.search.refresh), inserting rows in bulk instead of through Archive.store_page
(zstd-19 per page would take an hour) and deriving the stored rows behind the views the
way the archive derives them when their definition changes (archive.report_rows.rebuild), then times requests
through Datasette's in-process ASGI client with our metadata, settings and plugin
(`nianbao serve`'s Datasette):

- two-character search: /DB/reports.json?_search=复议 (and other two-character words)
- phrase search:        /DB/reports.json?_search=政府信息公开申请 (and other phrases)
- faceted list:         the same search as a user's URL asks it: the table's configured
                        facets (agency, year, region) come with it
- the same page without the exact count (_nocount=1), and the ranked API of our plugin
- the faceted list without a search (region, prefecture, county, year, agency facets)
- the researcher's pages: a report's reading page, the coverage page (all agencies and
  one region), an agency's page with its two-year comparison

Every request is timed as a first-time search (the plugin's match cache emptied before
it), except one row that repeats the phrase searches with the cache kept (a user paging
through results, or the same search again).

each side by side with the same page answered by a plain LIKE scan
(/DB/reports.json?_where=title LIKE '%q%' OR text LIKE '%q%'; for the API row, a
?sql= LIKE query with LIMIT 20). Prints one table.

    python bench/search.py [--reports 100000] [--db PATH] [--rounds 5]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nianbao.archive import report_rows, search  # noqa: E402
from nianbao.archive.regions import gazetteer  # noqa: E402
from nianbao.archive.datasette.plugin import SEARCH_CACHE  # noqa: E402
from nianbao.archive.datasette.serve import build_datasette  # noqa: E402
from nianbao.archive.schema import migrate  # noqa: E402

TWO_CHAR = ["复议", "公开", "诉讼", "保密", "培训", "网站", "收费", "政务", "咨询", "涉密"]
PHRASES = ["政府信息公开申请", "行政复议", "主动公开政府信息", "依申请公开", "信息公开工作机构",
           "政务公开工作要点", "不予公开", "门户网站", "保密审查机制", "政府信息公开条例"]
CITIES = ["杭州市", "宁波市", "温州市", "南京市", "苏州市", "广州市", "深圳市", "成都市", "武汉市", "长沙市",
          "郑州市", "济南市", "青岛市", "合肥市", "福州市", "厦门市", "南昌市", "昆明市", "贵阳市", "西安市"]
COUNTIES = ["城关区", "开发区", "高新区", "东城区", "西湖区", "德清县", "安吉县", "长兴县", "临安区", "海宁市"]
DEPTS = ["人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局",
         "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
         "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局",
         "统计局", "医疗保障局", "税务局", "信访局"]
SENTENCES = [
    "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。",
    "全年主动公开政府信息{n}条，其中通过门户网站公开{m}条，通过政务新媒体公开{k}条。",
    "本年度共收到政府信息公开申请{n}件，上年结转{k}件，均在法定期限内予以答复。",
    "严格落实保密审查机制，坚持先审查、后公开，全年未发生泄密事件。",
    "组织开展政务公开业务培训{k}次，参训人员{m}人次，工作人员业务能力进一步提升。",
    "全年发生政府信息公开行政复议{k}件，行政诉讼{k}件，结果均为维持。",
    "完善依申请公开工作流程，规范受理、登记、办理、答复等环节。",
    "深入推进决策、执行、管理、服务、结果公开，及时发布重大政策解读材料{k}篇。",
    "加强政府网站和政务新媒体管理，全年更新信息{m}条，办理网民留言{k}件。",
    "本年度未收取任何政府信息公开费用，未发生因政府信息公开工作被责任追究的情况。",
    "政务公开工作要点各项任务全部完成，政府信息公开工作机构设置在办公室。",
    "存在的主要问题是公开内容不够全面，部分栏目更新不够及时，政策解读形式较为单一。",
    "下一步将进一步健全政府信息管理动态调整机制，提升政务公开标准化规范化水平。",
    "召开新闻发布会{k}场，回应社会关切{k}次，开展政府开放日活动{k}次。",
    "及时公开财政预决算、重大建设项目、公共资源配置等重点领域信息{m}条。",
    "对不予公开的申请，均依法说明理由并告知救济途径。",
    "推进基层政务公开标准化规范化建设，编制公开事项标准目录{k}个。",
    "接受社会公众咨询{m}人次，办理人大代表建议和政协委员提案{k}件。",
    "全年疫情防控相关信息发布{k}条，确保信息权威准确。",
    "进一步加强政策文件解读，采用图解、视频等形式解读文件{k}件。",
    "修订完善政府信息公开指南和目录，方便公众查阅和申请。",
    "在政府信息公开专栏设置法定主动公开内容、政策文件、规划计划等栏目。",
    "全年制发规范性文件{k}件，废止{k}件，现行有效{m}件，均按规定向社会公开。",
    "行政许可处理决定{m}件，行政处罚处理决定{n}件，行政强制处理决定{k}件。",
    "依法依规做好申请人个人信息保护工作，防止因公开不当损害第三方合法权益。",
    "在政务服务中心设立政府信息公开查阅点{k}个，提供信息查阅和申请服务。",
    "建立健全政务舆情回应机制，对涉及本部门的舆情及时研判、妥善回应。",
    "规范政府信息公开申请答复文书格式，答复内容做到依据充分、理由充分。",
    "开展政务公开第三方评估，针对评估发现的问题逐项整改落实。",
    "推进公共企事业单位信息公开，督促指导供水、供电、供气等单位公开办事信息。",
    "做好人大代表建议和政协提案办理结果公开工作，公开办理复文{k}件。",
    "深化“放管服”改革信息公开，及时公布权责清单和负面清单调整情况。",
    "加强政务新媒体矩阵建设，运营微信公众号{k}个、政务微博{k}个。",
    "聚焦乡村振兴、生态环境、安全生产等重点领域加大信息公开力度。",
    "按照上级要求，及时做好政府信息公开工作年度报告的编制和发布工作。",
    "本年度收到的申请主要涉及征地拆迁、规划建设、社会保障等方面。",
    "认真落实重大行政决策预公开制度，公开征求意见{k}次，收到意见建议{m}条。",
    "组织开展政务公开日活动，邀请市民代表走进机关，面对面交流意见。",
    "严格执行信息发布审核制度，实行分级审核、专人负责。",
    "对照政务公开标准目录，梳理公开事项{m}项，明确公开主体、时限和方式。",
]
T3_TABLE_ROWS = ["一、本年新收政府信息公开申请数量\t{a}", "二、上年结转政府信息公开申请数量\t{b}",
                 "三、本年度办理结果\t（一）予以公开\t{c}", "（二）部分公开\t{d}", "（三）不予公开\t{e}",
                 "（七）总计\t{t}", "四、结转下年度继续办理\t{f}"]


def _provinces() -> list[tuple[str, str]]:
    """(name, a host label) of the 31 mainland province-level divisions, from the gazetteer."""
    places = gazetteer().places.values()
    return [(p.name, f"p{p.code[:2]}") for p in places if p.level == 0 and p.code < "710000"]


PROVINCES = _provinces()


def _agency(rng: random.Random) -> tuple[str, str]:
    full, label = rng.choice(PROVINCES)
    kind = rng.random()
    if kind < 0.3:
        name = full + rng.choice(DEPTS)
    elif kind < 0.7:
        name = rng.choice(CITIES) + rng.choice(DEPTS)
        if rng.random() < 0.5:
            name = full + name
    else:
        name = rng.choice(CITIES) + rng.choice(COUNTIES) + rng.choice(DEPTS)
    host = f"www.{label}.gov.cn" if rng.random() < 0.3 else f"www.site{rng.randrange(500)}.gov.cn"
    return name, host


def _report_text(rng: random.Random, agency: str, year: int) -> tuple[str, dict]:
    n = lambda lo, hi: rng.randint(lo, hi)  # noqa: E731
    lines = [f"{agency}{year}年政府信息公开工作年度报告", "一、总体情况"]
    for s in rng.sample(SENTENCES, rng.randint(18, 30)):
        lines.append(s.format(n=n(100, 9000), m=n(50, 5000), k=n(0, 40)))
    figures = {}
    if year >= 2019:
        a, b = n(0, 300), n(0, 20)
        c, d, e = n(0, a), n(0, 20), n(0, 10)
        f = n(0, 10)
        t = a + b - f if rng.random() < 0.95 else a + b - f + n(1, 9)
        figures = dict(requests_new=a, requests_carried_over=b, granted=c, partially_granted=d,
                       denied_state_secret=e, handled_total=t, carried_forward=f,
                       reconsideration=n(0, 5), litigation_direct=n(0, 3))
        lines.append("三、收到和处理政府信息公开申请情况")
        lines += [r.format(a=a, b=b, c=c, d=d, e=e, t=t, f=f) for r in T3_TABLE_ROWS]
    for s in rng.sample(SENTENCES, rng.randint(6, 12)):
        lines.append(s.format(n=n(100, 9000), m=n(50, 5000), k=n(0, 40)))
    return "\n".join(lines), figures


def build_archive(path: Path, reports: int, seed: int = 7) -> float:
    """The synthetic archive (schema + bulk rows + search.refresh); returns seconds taken."""
    import sqlite_utils

    t0 = time.perf_counter()
    rng = random.Random(seed)
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    migrate(sqlite_utils.Database(conn))
    conn.execute("BEGIN")
    hosts: dict[str, int] = {}
    now = "2024-03-01T00:00:00Z"
    docs, versions, figures, checks = [], [], [], []
    fig_id = 0
    for i in range(1, reports + 1):
        agency, host = _agency(rng)
        if host not in hosts:
            hosts[host] = len(hosts) + 1
            conn.execute("INSERT INTO sites (id, host, first_seen) VALUES (?, ?, ?)", (hosts[host], host, now))
        year = rng.randint(2015, 2024)
        text, figs = _report_text(rng, agency, year)
        title = f"{agency}{year}年政府信息公开工作年度报告"
        fmt = ("2021" if year >= 2021 else "2019") if figs else None
        ok = None
        if figs:
            ok = int(figs["requests_new"] + figs["requests_carried_over"]
                     == figs["handled_total"] + figs["carried_forward"])
        removed = 1 if rng.random() < 0.01 else 0
        docs.append((i, f"http://{host}/art/{year + 1}/1/{i}/art_{i}.html", hosts[host], now, now, i,
                     removed, now if removed else None))
        versions.append((i, i, 1, f"{i:064x}", now, now, title, agency, year, f"{year + 1}-01-20",
                         "simplified", text, 1, "html", fmt, ok))
        for key, value in figs.items():
            fig_id += 1
            table = 4 if key in ("reconsideration", "litigation_direct") else 3
            figures.append((fig_id, i, table, key, "total", value, str(value)))
        if figs:
            checks.append((i, "t3_identity", "total", ok))
        if len(docs) >= 5000:
            _flush(conn, docs, versions, figures, checks)
    _flush(conn, docs, versions, figures, checks)
    conn.execute("INSERT INTO document_urls (url, document_id, first_seen) SELECT url, id, first_seen FROM documents")
    # rows written behind Archive's back: derive the stored view rows as migration 5 does
    report_rows.rebuild(conn)
    conn.execute("COMMIT")
    search.refresh(conn)
    conn.close()
    return time.perf_counter() - t0


def _flush(conn, docs, versions, figures, checks) -> None:
    conn.executemany("INSERT INTO documents (id, url, site_id, first_seen, last_seen, current_version_id, "
                     "removed, removed_at) VALUES (?,?,?,?,?,?,?,?)", docs)
    conn.executemany("INSERT INTO versions (id, document_id, seq, text_hash, first_seen, last_seen, title, "
                     "agency, year, published, script, text, is_report, content_type, figures_format, "
                     "identity_ok) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", versions)
    conn.executemany("INSERT INTO figures (id, version_id, table_no, row_key, col_key, value, raw) "
                     "VALUES (?,?,?,?,?,?,?)", figures)
    conn.executemany("INSERT INTO checks (version_id, name, key, ok) VALUES (?,?,?,?)", checks)
    for lst in (docs, versions, figures, checks):
        lst.clear()


def _like(q: str) -> str:
    q = q.replace("'", "''")
    return quote(f"title LIKE '%{q}%' OR text LIKE '%{q}%'")


async def _time(ds, paths: list[str], rounds: int, cold: bool = True) -> list[float]:
    """Latencies in ms; `cold`: the plugin's match cache is emptied before every request,
    so each request runs its full-text match once (a first-time search)."""
    timings = []
    for _ in range(rounds):
        for path in paths:
            if cold:
                SEARCH_CACHE.clear()
            t0 = time.perf_counter()
            r = await ds.client.get(path)
            timings.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"{path}: HTTP {r.status_code}: {r.text[:300]}")
    return timings


async def measure(db_path: Path, rounds: int, like_rounds: int) -> list[tuple]:
    # Same settings both sides; the time limit is raised so the LIKE scans can finish.
    ds = build_datasette([db_path], settings={"sql_time_limit_ms": 120_000,
                                              "facet_time_limit_ms": 120_000})
    name = db_path.stem
    page = f"/{name}/reports.json?_nofacet=1"
    facets = f"/{name}/reports.json?"      # a plain page: the configured facets come with it
    sql = (f"/{name}.json?sql=" + quote("SELECT url, title, agency, year FROM reports WHERE "
                                        "title LIKE :q OR text LIKE :q LIMIT 20") + "&q=")
    cases = [
        ("two-character search: page + exact count", [page + "&_search=" + quote(q) for q in TWO_CHAR],
         [page + "&_where=" + _like(q) for q in TWO_CHAR]),
        ("phrase search: page + exact count", [page + "&_search=" + quote(q) for q in PHRASES],
         [page + "&_where=" + _like(q) for q in PHRASES]),
        ("faceted list: search + region/prefecture/county/year/agency facets",
         [facets + "_search=" + quote(q) for q in TWO_CHAR[:5]],
         [facets + "_where=" + _like(q) for q in TWO_CHAR[:5]]),
        ("two-character search: page, no count (_nocount=1)",
         [page + "&_nocount=1&_search=" + quote(q) for q in TWO_CHAR],
         [page + "&_nocount=1&_where=" + _like(q) for q in TWO_CHAR]),
        ("phrase search repeated (match cached): page + exact count",
         [page + "&_search=" + quote(q) for q in PHRASES], None),
        ("ranked search API /-/nianbao/search.json (20 best)",
         ["/-/nianbao/search.json?q=" + quote(q) for q in TWO_CHAR + PHRASES],
         [sql + quote(f"%{q}%") for q in TWO_CHAR + PHRASES]),
    ]
    conn = sqlite3.connect(str(db_path))
    rng = random.Random(11)
    doc_ids = [r[0] for r in conn.execute("SELECT document_id FROM report_rows ORDER BY random() LIMIT 40")]
    agencies = [r[0] for r in conn.execute(
        "SELECT agency FROM report_rows GROUP BY agency HAVING count(*) >= 2 ORDER BY random() LIMIT 20")]
    regions = [r[0] for r in conn.execute("SELECT DISTINCT region FROM report_rows LIMIT 10")]
    conn.close()
    page_cases = [
        ("faceted list, no search: region/prefecture/county/year/agency facets", [facets] * 5),
        ("reading page /-/nianbao/report/<id>", [f"/-/nianbao/report/{d}" for d in doc_ids]),
        ("coverage page (every agency, then one region, then page 20)",
         ["/-/nianbao/coverage", "/-/nianbao/coverage?region=" + quote(rng.choice(regions)),
          "/-/nianbao/coverage?page=20"]),
        ("agency page with its two-year comparison", ["/-/nianbao/agency?name=" + quote(a) for a in agencies]),
    ]
    await ds.client.get(page + "&_search=" + quote("复议"))      # open connections, warm the cache
    rows = []
    for label, paths in page_cases:
        t_ours = await _time(ds, paths, rounds, cold=False)
        rows.append((label, len(t_ours), statistics.median(t_ours), _p95(t_ours), 0, float("nan"), float("nan")))
    for label, ours, theirs in cases:
        if theirs is None or not like_rounds:    # cache kept, or no LIKE baseline asked for
            t_ours = await _time(ds, ours, rounds, cold=theirs is not None)
            rows.append((label, len(t_ours), statistics.median(t_ours), _p95(t_ours),
                         0, float("nan"), float("nan")))
            continue
        t_ours = await _time(ds, ours, rounds)
        t_like = await _time(ds, theirs, like_rounds)
        rows.append((label, len(t_ours), statistics.median(t_ours), _p95(t_ours),
                     len(t_like), statistics.median(t_like), _p95(t_like)))
    return rows


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000, help="synthetic reports to build")
    ap.add_argument("--db", help="archive path to build (or reuse with --reuse); default: a temp file")
    ap.add_argument("--reuse", action="store_true", help="reuse --db if it exists")
    ap.add_argument("--rounds", type=int, default=5, help="passes over each query list (ours)")
    ap.add_argument("--like-rounds", type=int, default=1,
                    help="passes for the slow LIKE baseline (0: none, for a big archive)")
    args = ap.parse_args(argv)
    tmp = None
    if args.db:
        db = Path(args.db)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="nianbao-bench-")
        db = Path(tmp.name) / "bench.db"
    try:
        if args.reuse and db.exists():
            built = "reused"
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            built = f"{build_archive(db, args.reports):.0f} s"
        conn = sqlite3.connect(str(db))
        n = conn.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        chars = conn.execute("SELECT avg(length(text)) FROM versions").fetchone()[0]
        conn.close()
        size_mb = db.stat().st_size / 1e6
        rows = asyncio.run(measure(db, args.rounds, args.like_rounds))
        print(f"search latency over {n:,} reports (avg {chars:,.0f} chars, {size_mb:,.0f} MB, built {built}); "
              f"Datasette in-process HTTP API, latency in ms; targets: faceted list and pages p95 <= 200 ms")
        head = ("query", "n ours", "ours median", "ours p95", "n LIKE", "LIKE median", "LIKE p95",
                "median LIKE/ours")
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for label, n_ours, om, op, n_like, lm, lp in rows:
            like = (f"{n_like} | {lm:.0f} | {lp:.0f} | {lm / om:.1f}x" if n_like
                    else "— | — | — | —")
            print(f"| {label} | {n_ours} | {om:.0f} | {op:.0f} | {like} |")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
