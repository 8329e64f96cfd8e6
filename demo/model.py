"""What a sample portal holds: columns of articles, and the gold facts of its reports."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

STATES = ("first", "second")


@dataclass
class ReportInfo:
    """Gold facts of a report article (the text can differ per state)."""

    title_gold: str
    agency: str
    year: int
    format: str | None
    script: str
    text: dict[str, str]                       # state -> gold text
    figures: dict = field(default_factory=dict)
    identity_ok: bool | None = None
    robots_disallowed: bool = False
    attachment_path: str | None = None
    no_text_layer: bool = False
    source: str = "generated"
    ocr: str | None = None                     # OCR reads it: 'scanned-pdf' | 'image-page' | 'image-tables'


@dataclass
class Article:
    id: int
    column: str
    title: str                                  # as displayed (original script)
    published: str                              # YYYY-MM-DD
    body: dict[str, str]                        # state -> body HTML (original script)
    kind: str = "news"                          # 'report' | 'news' | 'trap' | 'interpretation'
    report: ReportInfo | None = None
    states: tuple[str, ...] = STATES            # states the article exists in
    source: str = ""                            # 来源
    topic: str = "综合政务"
    doc_no: str = ""
    path: str = ""                              # set by the portal
    trailer_html: str = ""                      # chrome after the body (links)

    def in_state(self, state: str) -> bool:
        return state in self.states


@dataclass
class Column:
    key: str
    name: str
    parent: tuple[str, str] | None = None       # breadcrumb parent (name, key)
    per_page: int = 15
    articles: list[Article] = field(default_factory=list)
    path: str = ""                              # list base path, set by the portal
    extra_links: list[tuple[str, str, str]] = field(default_factory=list)  # (title, path, date)

    _memo: dict = field(default_factory=dict, repr=False)  # state -> (visible, position)

    def visible(self, state: str) -> list[Article]:
        """Articles shown in `state`, newest first (memoized: large columns are read often)."""
        if state not in self._memo:
            arts = sorted((a for a in self.articles if a.in_state(state)),
                          key=lambda a: (a.published, a.id), reverse=True)
            self._memo[state] = (arts, {a.id: i for i, a in enumerate(arts)})
        return self._memo[state][0]

    def position(self, art: Article, state: str) -> int | None:
        self.visible(state)
        return self._memo[state][1].get(art.id)

    def entries(self, state: str) -> list[tuple[str, str, str]]:
        """(title, path, date) as the list shows them; extra (dead) links sit third."""
        items = [(a.title, a.path, a.published) for a in self.visible(state)]
        for title, path, date in self.extra_links:
            items.insert(min(2, len(items)), (title, path, date))
        return items

    def page_entries(self, state: str, page: int) -> list[tuple[str, str, str]]:
        return self.entries(state)[page * self.per_page:(page + 1) * self.per_page]

    def pages(self, state: str) -> int:
        n = len(self.visible(state)) + len(self.extra_links)
        return max(1, math.ceil(n / self.per_page))
