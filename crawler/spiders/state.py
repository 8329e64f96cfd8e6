"""What the report spider keeps about a crawl: request kinds, per-site budgets and
progress, per-list paging progress, and the duplicate-request key."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from nianbao.crawler import linkscore as ls
from nianbao.crawler.discovery import page_template
from nianbao.crawler.portals import Portal

# Request kinds (meta "nianbao_kind"). Pages and attachments are stored; list answers of
# APIs are read for links only; images of a report page are stored with its capture (OCR).
HOME, SECTION, LIST, REPORT, ATTACHMENT, EXPLORE, API, DATAPROXY, SITEMAP, IMAGE = (
    "home", "section", "list", "report", "attachment", "explore", "api", "dataproxy", "sitemap", "image")
STORED_KINDS = {HOME, SECTION, LIST, REPORT, ATTACHMENT, EXPLORE}
# Answers the spider sees whatever their status (Scrapy's HttpErrorMiddleware would drop
# them): 304 and every 4xx/5xx, stored with their reason. Redirects (3xx) are not among
# them: Scrapy's redirect middlewares follow them.
HANDLED_STATUSES = [304, *range(400, 600)]


@dataclass
class ListState:
    """Paging progress of one list (keyed by its page template)."""

    strong: bool = False          # reached through a report column link or a registry hint
    pages: int = 0
    reported: bool = False        # some page of it showed a report link
    empty_streak: int = 0


@dataclass
class SiteState:
    portal: Portal
    site: str = ""
    requests: int = 0
    explored: int = 0
    candidates: set[str] = field(default_factory=set)   # canonical URLs of report candidates
    shells: int = 0
    rendered: int = 0
    pages: int = 0
    capped: bool = False
    sitemap_asked: bool = False
    parked: list = field(default_factory=list)           # heap of (-priority, depth, seq, kwargs)


class ListPaging:
    """Whether to follow a list to its next page: while it shows reports (and `slack`
    pages past the last that did), and a strong list (a report column) for
    `section_pages` pages before its first report."""

    def __init__(self, slack: int, section_pages: int, max_pages: int = 0):
        self.slack = slack
        self.section_pages = section_pages
        self.max_pages = max_pages               # a list's page budget (0: none)
        self.lists: dict[str, ListState] = {}

    def state(self, key: str, strong: bool = False) -> ListState:
        return self.lists.setdefault(key, ListState(strong=strong))

    def keep_paging(self, key: str, reports_here: int, strong: bool) -> bool:
        st = self.state(key, strong)
        st.strong = st.strong or strong
        st.pages += 1
        if self.max_pages and st.pages >= self.max_pages:
            return False
        if reports_here:
            st.reported, st.empty_streak = True, 0
            return True
        st.empty_streak += 1
        if st.reported:
            return st.empty_streak <= self.slack
        return st.strong and st.pages < self.section_pages

    def priority(self, key: str) -> int:
        st = self.lists.get(key)
        return ls.PRIORITY[ls.SECTION] + (40 if st and st.reported else 0)


_DIR_INDEX = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$", re.I)


def seen_key(canonical: str) -> str:
    """Duplicate-request key of a canonical URL: a directory and its index page as one."""
    c = canonical
    parts = urlsplit(c)
    if not parts.query and _DIR_INDEX.search(parts.path):
        c = c[: c.rindex("/") + 1]
    return c


def page_template_key(url: str) -> str:
    t = page_template(url)
    return t[0] if t else url
