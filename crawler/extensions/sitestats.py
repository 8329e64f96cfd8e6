"""Per-site counters of a crawl, kept in one place.

The spider counts what it fetched (fetched, rendered, shells, failed, not_modified,
robots_blocked, ignored, capped, explored), the site-scope middleware what reached the
downloader (requests, renders, robots_txt), the archive pipelines what they stored
(stored, reports, new, changed). Everyone writes here through `inc()`; the end-of-crawl
table, the crawl log and a distributed crawl's writer read `rows()`. At the close the rows
are also put into the Scrapy stats as one value (`nianbao/sites`), so a distributed
worker's counts travel with its stats to the archive writer.

    sites = SiteStats.of(crawler)
    sites.inc("a.gov.cn", "fetched")
"""
from __future__ import annotations

from collections import defaultdict

from scrapy import signals

STATS_KEY = "nianbao/sites"

# the columns of the end-of-crawl table, in order, with their headings
COLUMNS = ("fetched", "rendered", "reports", "new", "changed", "failed", "refused", "requests",
           "robots_blocked", "not_modified")
HEADINGS = ("pages", "rendered", "reports", "new", "changed", "failed", "refused", "requests", "robots", "304")


class SiteStats:
    def __init__(self, crawler=None):
        self.crawler = crawler
        self._rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._reasons: dict[str, str] = {}     # site -> why it was not crawled (first said)
        if crawler is not None:
            crawler.signals.connect(self.publish, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @classmethod
    def of(cls, crawler) -> "SiteStats":
        ext = crawler.get_extension(cls)
        if ext is None:
            raise RuntimeError("SiteStats is not enabled in EXTENSIONS")
        return ext

    def inc(self, site: str, name: str, n: int = 1) -> None:
        self._rows[site][name] += n

    def get(self, site: str, name: str) -> int:
        return self._rows.get(site, {}).get(name, 0)

    def note(self, site: str, reason: str) -> None:
        """Why a site gave no pages though no fetch of a page failed (its robots.txt could
        not be fetched): the crawl's exit code and summary name it."""
        self._reasons.setdefault(site, reason)

    def reasons(self) -> dict[str, str]:
        return dict(self._reasons)

    def add_rows(self, rows: dict[str, dict[str, int]]) -> None:
        """Counts made elsewhere (a distributed worker's rows) added to these."""
        for site, row in rows.items():
            for name, n in row.items():
                self.inc(site, name, int(n))

    def rows(self, sites=()) -> dict[str, dict[str, int]]:
        """Every site's counters (each table column present), plus empty rows for `sites`."""
        out = {s: {**{c: 0 for c in COLUMNS}, **row} for s, row in self._rows.items()}
        for s in sites:
            out.setdefault(s, {c: 0 for c in COLUMNS})
        return out

    def publish(self, spider=None) -> None:
        self.crawler.stats.set_value(STATS_KEY, {s: dict(r) for s, r in self._rows.items()})


def totals(rows: dict[str, dict[str, int]], extra: tuple[str, ...] = ()) -> dict[str, int]:
    return {c: sum(r.get(c, 0) for r in rows.values()) for c in COLUMNS + extra}


def format_table(rows: dict[str, dict[str, int]]) -> str:
    """The end-of-crawl table: one line per site, then the totals."""
    lines = [f"{'site':<28} " + " ".join(f"{h:>8}" for h in HEADINGS)]
    for site, row in sorted(rows.items()):
        lines.append(f"{site:<28} " + " ".join(f"{row.get(c, 0):>8}" for c in COLUMNS))
    total = totals(rows)
    lines.append(f"{'total':<28} " + " ".join(f"{total[c]:>8}" for c in COLUMNS))
    return "\n".join(lines)
