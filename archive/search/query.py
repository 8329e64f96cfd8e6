"""Search queries: what a user types (words, "phrases", OR, -exclusion, Traditional) as
an FTS5 MATCH expression, the SQL that filters or ranks reports by it, a cache of its
matches for one page's several queries, and snippets around the matches."""
from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from .schema import DOCS_TABLE, FTS_TABLE, GENERATION, ORPHANS_TABLE, meta
from .tokens import query_tokens, simplified_variants


@dataclass
class ParsedQuery:
    """A user query: AND of clauses, each clause an OR of terms; plus excluded terms."""

    clauses: list[list[str]]
    excluded: list[str]

    def terms(self) -> list[str]:
        return [t for clause in self.clauses for t in clause]


_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(query: str) -> ParsedQuery:
    """Split on spaces; "quoted text" is one term; OR joins neighbours; -term excludes."""
    clauses: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for m in _QUERY_PART.finditer(query or ""):
        if m.group(3) is not None:
            raw = m.group(3)
            if raw == "OR":
                join_next = bool(clauses)
                continue
            negate, term = raw.startswith("-") and len(raw) > 1, raw
            if negate:
                term = raw[1:]
        else:
            negate, term = bool(m.group(1)), m.group(2)
        if not query_tokens(term)[0]:
            continue
        if negate:
            excluded.append(term)
        elif join_next:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    return ParsedQuery(clauses, excluded)


def _phrase(tokens: list[str], prefix: bool) -> str:
    quoted = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
    return quoted + (" *" if prefix else "")


def _term_expression(term: str) -> str:
    phrases = []
    for variant in simplified_variants(term):
        tokens, prefix = query_tokens(variant)
        if tokens:
            p = _phrase(tokens, prefix)
            if p not in phrases:
                phrases.append(p)
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH expression for a user query; None when it has nothing to search."""
    parsed = parse_query(query)
    if not parsed.clauses:
        return None
    parts = []
    for clause in parsed.clauses:
        exprs = [_term_expression(t) for t in clause]
        parts.append(exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")")
    expr = " AND ".join(parts)
    for term in parsed.excluded:
        expr = f"({expr}) NOT {_term_expression(term)}"
    return expr


def matching_ids_sql(param: str = "search") -> str:
    """SQL selecting the document ids of reports matching :param (a match_expression)."""
    return (f"SELECT rowid % {GENERATION} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :{param} "
            f"AND rowid NOT IN (SELECT rowid FROM {ORPHANS_TABLE})")


def ranked_sql(param: str = "search", limit: int = 20) -> str:
    """SQL for the best `limit` matches of :param: document_id, rank (bm25, title weighted)."""
    return (f"SELECT rowid % {GENERATION} AS document_id, "
            f"bm25({FTS_TABLE}, 10.0, 3.0, 1.0) AS rank FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH :{param} AND rowid NOT IN (SELECT rowid FROM {ORPHANS_TABLE}) "
            f"ORDER BY rank LIMIT {int(limit)}")


def where_clause(param: str = "search", id_column: str = "document_id") -> str:
    """SQL for `WHERE <id_column> IN (reports matching :param)`, param = match_expression."""
    return f"{id_column} IN ({matching_ids_sql(param)})"


# The SQL functions a MatchCache is registered under (see MatchCache.register).
IDS_FUNCTION = "nianbao_search_ids"
RANK_FUNCTION = "nianbao_search_rank"
SHARE_FUNCTION = "nianbao_search_share"
# Past this share of the indexed reports, a match is cheaper to test row by row while
# scanning (see cached_where_clause's `scan`) than to look its rows up one by one.
SCAN_SHARE = 0.3


def cached_where_clause(param: str = "search", id_column: str = "document_id", ranked: bool = False,
                        scan: bool = False) -> str:
    """Like where_clause, through a connection's MatchCache (MatchCache.register): every
    query of one page (rows, count, each facet) reuses one run of the full-text match.
    `ranked`: the page sorts by relevance, so `nianbao_search_rank` answers (otherwise it
    gives NULL and the costly ranking is never computed).

    `scan`: the match covers much of the table (MatchCache.share >= SCAN_SHARE). SQLite
    would otherwise drive every query from the id list, one primary-key lookup per match
    and a sort for each facet's GROUP BY; the unary `+` makes the ids a membership test
    instead, so a facet reads its column's index in order (measured on 100,000 reports, a
    word in every report: the five facets and the count 30 % faster; a word in 3 % of
    them: 3x slower, hence the threshold)."""
    flag = ", 1" if ranked else ""
    plus = "+" if scan else ""
    return f"{plus}{id_column} IN (SELECT value FROM json_each({IDS_FUNCTION}(:{param}{flag})))"


class MatchCache:
    """The document ids matching recent match expressions, as JSON arrays, per database
    file and index version (a fresh token whenever refresh() changes the index): a Datasette page runs the same search
    filter for its rows, its count and every facet, and a phrase's FTS5 match is the
    costly part, so it runs once. Results are exact: a new index version is a new key.

    `nianbao_search_rank(document_id)` gives a matching report's place in the relevance
    order (bm25, title weighted; 1 is best) of the last search its connection filtered
    by with ranking asked for (`cached_where_clause(..., ranked=True)`), so a page can
    sort by it; the ranking is computed only then, once; otherwise it is NULL."""

    def __init__(self, size: int = 32):
        self.size = size
        self._entries: OrderedDict[tuple, str] = OrderedDict()
        self._ranks: OrderedDict[tuple, dict[int, int]] = OrderedDict()
        self._last: dict[int, tuple] = {}          # id(conn) -> key of its last search
        self._indexed: dict[tuple, int] = {}       # (database, index version) -> reports indexed
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._ranks.clear()
            self._indexed.clear()

    def rank(self, conn: sqlite3.Connection, document_id) -> int | None:
        key, ranked = self._last.get(id(conn), (None, False))
        if key is None or not ranked or document_id is None:
            return None
        with self._lock:
            ranks = self._ranks.get(key)
            if ranks is not None:
                self._ranks.move_to_end(key)
        if ranks is None:
            ranks = {doc: i for i, (doc,) in enumerate(conn.execute(
                f"SELECT rowid % {GENERATION} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND rowid "
                f"NOT IN (SELECT rowid FROM {ORPHANS_TABLE}) ORDER BY bm25({FTS_TABLE}, 10.0, 3.0, 1.0)",
                (key[2],)), start=1)}
            with self._lock:
                self._ranks[key] = ranks
                while len(self._ranks) > self.size // 4:
                    self._ranks.popitem(last=False)
        return ranks.get(int(document_id))

    def ids_json(self, conn: sqlite3.Connection, database: str, expr: str, ranked: bool = False) -> str:
        key = (database, meta(conn, "version", "0"), expr)
        self._last[id(conn)] = (key, bool(ranked))
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        ids = conn.execute(f"SELECT json_group_array(rowid % {GENERATION}) FROM {FTS_TABLE} "
                           f"WHERE {FTS_TABLE} MATCH ? AND rowid NOT IN "
                           f"(SELECT rowid FROM {ORPHANS_TABLE})", (expr,)).fetchone()[0]
        with self._lock:
            self._entries[key] = ids
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return ids

    def share(self, conn: sqlite3.Connection, database: str, expr: str) -> float:
        """The share of the indexed reports that match `expr` (0 to 1), to choose the
        query's form (cached_where_clause's `scan`); runs the match into the cache."""
        ids = self.ids_json(conn, database, expr)
        key = (database, meta(conn, "version", "0"))
        with self._lock:
            indexed = self._indexed.get(key)
        if indexed is None:
            indexed = conn.execute(f"SELECT count(*) FROM {DOCS_TABLE}").fetchone()[0]
            with self._lock:
                self._indexed[key] = indexed
        matched = conn.execute("SELECT json_array_length(?)", (ids,)).fetchone()[0]
        return matched / indexed if indexed else 0.0

    def register(self, conn: sqlite3.Connection) -> None:
        """Make `nianbao_search_ids(expr)` (cached_where_clause),
        `nianbao_search_rank(document_id)` and `nianbao_search_share(expr)` available on `conn`."""
        row = conn.execute("PRAGMA database_list").fetchone()
        database = row[2] if row else ""
        conn.create_function(IDS_FUNCTION, -1, lambda expr, ranked=0: self.ids_json(conn, database, expr, ranked))
        conn.create_function(RANK_FUNCTION, 1, lambda doc: self.rank(conn, doc))
        conn.create_function(SHARE_FUNCTION, 1, lambda expr: self.share(conn, database, expr))


# ---------------------------------------------------------------- snippets

def highlight_terms(query: str) -> list[str]:
    """Literal strings to highlight in Simplified report text for a query."""
    out: list[str] = []
    for term in parse_query(query).terms():
        for variant in simplified_variants(unicodedata.normalize("NFKC", term).strip()):
            if variant and variant not in out:
                out.append(variant)
    return sorted(out, key=len, reverse=True)


def snippet(text: str | None, query: str, width: int = 60, max_windows: int = 2
            ) -> list[tuple[str, bool]]:
    """Pieces of `text` around the query's matches: (piece, is_match), '…' between windows.

    Returned unescaped: the caller escapes every piece before adding <mark>.
    """
    text = text or ""
    terms = highlight_terms(query)
    if not terms or not text:
        return [(text[: 2 * width] + ("…" if len(text) > 2 * width else ""), False)]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    matches = list(pattern.finditer(text))
    if not matches:
        return [(text[: 2 * width] + ("…" if len(text) > 2 * width else ""), False)]
    windows: list[list[int]] = []
    for m in matches:
        start, end = max(0, m.start() - width), min(len(text), m.end() + width)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        elif len(windows) < max_windows:
            windows.append([start, end])
    pieces: list[tuple[str, bool]] = []
    for start, end in windows:
        if start > 0:
            pieces.append(("…", False))
        pos = start
        for m in matches:
            if m.start() < start or m.end() > end:
                continue
            if m.start() > pos:
                pieces.append((text[pos:m.start()], False))
            pieces.append((m.group(), True))
            pos = m.end()
        if end > pos:
            pieces.append((text[pos:end], False))
    if windows[-1][1] < len(text):
        pieces.append(("…", False))
    return pieces


