"""Chinese full-text search over the `reports` view: a bigram FTS5 index kept in the archive.

Why bigrams: FTS5's trigram tokenizer cannot match a two-character word such as 公开 or
复议, and unicode61 alone sees a whole run of Han characters as one token. So the index
stores, for every Han character, one token made of that character and the next one of
its run (公开信息 -> 公开 开信 信息 息); the last character of a run stands alone. A query is
tokenized the same way and searched as an FTS5 phrase, so "信息公开" must appear as
consecutive characters, a two-character query is a single-token lookup and a one-character
query is a prefix lookup. Every query is also tried in Simplified script (OpenCC t2s and
tw2sp), because `reports.text` is Simplified while people may type Traditional.

The index is contentless (snippets are cut from `reports.text` in Python) and a report's
FTS5 rowid is its document id, so a search filter is `document_id IN (SELECT rowid ...)`
with nothing to map. A contentless row cannot be deleted without its old text, so a
changed report is indexed under the next generation of its id (document_id + k * GENERATION)
and its old rowid goes to `search_orphans`, which every query excludes; the index is rebuilt
(all at generation 0) once orphans pile up. `search_docs` keeps, per report, its current
rowid and a cheap signature of what was indexed, so `refresh(conn)` reads only small
columns when nothing changed.
"""
from __future__ import annotations

import functools
import operator
import re
import sqlite3
import threading
import unicodedata
import uuid
from collections import OrderedDict
from dataclasses import dataclass

# Bump when the tokenization changes: refresh() then rebuilds the index.
INDEX_FORMAT = "bigram-2"
FTS_TABLE = "search_index"
DOCS_TABLE = "search_docs"
ORPHANS_TABLE = "search_orphans"
META_TABLE = "search_meta"
# rowid = document_id + generation * GENERATION; document ids stay below it.
GENERATION = 1 << 40
# A full rebuild once orphaned rows exceed this share of live ones (and ORPHAN_MIN).
ORPHAN_SHARE = 0.25
ORPHAN_MIN = 1000

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
# What unicode61 keeps as a token: letters and digits (underscore is a separator).
_WORD = re.compile(r"[^\W_]+")

SCHEMA_SQL = [
    f"""CREATE TABLE IF NOT EXISTS {DOCS_TABLE} (
        document_id INTEGER PRIMARY KEY,
        fts_rowid INTEGER NOT NULL,       -- the report's live rowid in the FTS table
        url TEXT NOT NULL,
        signature TEXT NOT NULL
    )""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, agency, text, content='', tokenize='unicode61 remove_diacritics 0'
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ORPHANS_TABLE} (
        rowid INTEGER PRIMARY KEY,        -- an FTS rowid whose tokens are stale
        document_id INTEGER NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {ORPHANS_TABLE}_document ON {ORPHANS_TABLE}(document_id)",
    f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)",
]

# The cheap columns whose change means a report must be re-indexed: a new current version
# of the page (`version_id`) or of any attachment, or a re-extraction in place (`nianbao
# reextract` rewrites a version's text and stamps `extracted_at`).
_SIGNATURE_SQL = """SELECT document_id, url,
    coalesce(version_id, '') || '|' || coalesce(versions, '') || '|'
      || coalesce(attachment_document_id, '') || '|' || coalesce(title, '') || '|'
      || coalesce(agency, '') || '|' || coalesce((SELECT v.text_hash || v.extracted_at
         FROM versions v WHERE v.id = reports.version_id), '') || '|'
      || coalesce((SELECT group_concat(a.current_version_id || ':' || av.extracted_at)
         FROM documents a JOIN versions av ON av.id = a.current_version_id
         WHERE a.parent_id = reports.document_id), '') AS signature
  FROM reports"""


# ---------------------------------------------------------------- tokenization

def _bigram_run(run: str) -> str:
    """公开信息 -> '公开 开信 信息 息': one token per character, the last one alone."""
    return " ".join(map(operator.add, run[:-1], run[1:])) + " " + run[-1] if len(run) > 1 else run


def index_text(text: str | None) -> str:
    """The form a column is stored in the index: Han runs as bigram tokens, rest as is."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return _HAN_RUN.sub(lambda m: " " + _bigram_run(m.group()) + " ", text)


def query_tokens(term: str) -> tuple[list[str], bool]:
    """Tokens of one query term in index order, and whether the last one is a prefix.

    A term ending in a Han run of two or more characters drops the run's lone last
    character (the bigram before it already pins it); a term that is one Han character
    at its end becomes a prefix token, matching that character before anything.
    """
    term = unicodedata.normalize("NFKC", term)
    tokens: list[str] = []
    prefix = False
    words = list(_WORD.finditer(term))
    for i, m in enumerate(words):
        word = m.group()
        last_word = i == len(words) - 1
        # Split a word into Han runs and other runs, the way index_text separates them.
        pos = 0
        for run in _HAN_RUN.finditer(word):
            if run.start() > pos:
                tokens.append(word[pos:run.start()].lower())
            r = run.group()
            at_end = last_word and run.end() == len(word)
            if at_end:
                if len(r) == 1:
                    tokens.append(r)
                    prefix = True
                else:
                    tokens.extend(a + b for a, b in zip(r, r[1:]))
            else:
                tokens.extend(a + b for a, b in zip(r, r[1:]))
                tokens.append(r[-1])
            pos = run.end()
        if pos < len(word):
            tokens.append(word[pos:].lower())
    return tokens, prefix


@functools.lru_cache(maxsize=4)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(f"{config}.json")


def simplified_variants(text: str) -> list[str]:
    """The text as typed plus its Simplified forms (t2s, Taiwan phrases), deduplicated."""
    out = [text]
    for config in ("t2s", "tw2sp"):
        converted = _converter(config).convert(text)
        if converted not in out:
            out.append(converted)
    return out


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


# The SQL function a MatchCache is registered under (see MatchCache.register).
IDS_FUNCTION = "nianbao_search_ids"


def cached_where_clause(param: str = "search", id_column: str = "document_id") -> str:
    """Like where_clause, through a connection's MatchCache (MatchCache.register): every
    query of one page (rows, count, each facet) reuses one run of the full-text match."""
    return f"{id_column} IN (SELECT value FROM json_each({IDS_FUNCTION}(:{param})))"


class MatchCache:
    """The document ids matching recent match expressions, as JSON arrays, per database
    file and index version (a fresh token whenever refresh() changes the index): a Datasette page runs the same search
    filter for its rows, its count and every facet, and a phrase's FTS5 match is the
    costly part, so it runs once. Results are exact: a new index version is a new key."""

    def __init__(self, size: int = 32):
        self.size = size
        self._entries: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def ids_json(self, conn: sqlite3.Connection, database: str, expr: str) -> str:
        key = (database, _meta(conn, "version", "0"), expr)
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

    def register(self, conn: sqlite3.Connection) -> None:
        """Make `nianbao_search_ids(expr)` (cached_where_clause) available on `conn`."""
        row = conn.execute("PRAGMA database_list").fetchone()
        database = row[2] if row else ""
        conn.create_function(IDS_FUNCTION, 1, lambda expr: self.ids_json(conn, database, expr))


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


# ---------------------------------------------------------------- the index

@dataclass
class RefreshStats:
    indexed: int = 0        # reports (re)indexed by this call
    dropped: int = 0        # reports no longer in the view
    rebuilt: bool = False   # the whole index was rebuilt
    total: int = 0          # reports in the index afterwards


def _conn(conn) -> sqlite3.Connection:
    return getattr(conn, "conn", conn)   # a sqlite_utils.Database works too


def _has_object(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def _meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def _set_meta(conn: sqlite3.Connection, key: str, value) -> None:
    conn.execute(f"INSERT OR REPLACE INTO {META_TABLE}(key, value) VALUES (?, ?)", (key, str(value)))


def index_exists(conn) -> bool:
    conn = _conn(conn)
    return all(_has_object(conn, t) for t in (FTS_TABLE, DOCS_TABLE, ORPHANS_TABLE, META_TABLE))


def _plan(conn: sqlite3.Connection):
    current = {doc_id: (url, sig) for doc_id, url, sig in conn.execute(_SIGNATURE_SQL)}
    existing = {}
    if _has_object(conn, DOCS_TABLE):
        existing = {doc_id: (rowid, sig) for doc_id, rowid, sig in
                    conn.execute(f"SELECT document_id, fts_rowid, signature FROM {DOCS_TABLE}")}
    changed = [d for d, (_, sig) in current.items() if existing.get(d, (None, None))[1] != sig]
    gone = [d for d in existing if d not in current]
    return current, existing, changed, gone


def pending(conn) -> int:
    """How many reports refresh() would (re)index or drop; -1 when the index is missing."""
    conn = _conn(conn)
    if not _has_object(conn, "reports"):
        return 0
    if not index_exists(conn) or _meta(conn, "format") != INDEX_FORMAT:
        return -1
    _, _, changed, gone = _plan(conn)
    return len(changed) + len(gone)


def refresh(conn, *, rebuild: bool = False) -> RefreshStats:
    """Bring the search index up to date with the `reports` view (idempotent).

    Reads only the view's small columns when nothing changed; indexes changed reports in
    batches; rebuilds from scratch when the format changed or orphans pile up.
    Runs inside a savepoint, so it joins a caller's transaction or commits on its own.
    """
    conn = _conn(conn)
    stats = RefreshStats()
    if not _has_object(conn, "reports"):
        return stats
    conn.execute("SAVEPOINT nianbao_search_refresh")
    try:
        conn.execute(SCHEMA_SQL[-1])
        if _meta(conn, "format") != INDEX_FORMAT:
            # an older layout: start over with the current tables
            for table in (FTS_TABLE, DOCS_TABLE, ORPHANS_TABLE):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            rebuild = True
        for stmt in SCHEMA_SQL:
            conn.execute(stmt)
        current, existing, changed, gone = _plan(conn)
        orphans = conn.execute(f"SELECT count(*) FROM {ORPHANS_TABLE}").fetchone()[0]
        orphans += len(gone) + sum(1 for d in changed if d in existing)
        if orphans > max(ORPHAN_MIN, ORPHAN_SHARE * len(current)):
            rebuild = True
        if rebuild:
            conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
            conn.execute(f"DELETE FROM {DOCS_TABLE}")
            conn.execute(f"DELETE FROM {ORPHANS_TABLE}")
            stats.rebuilt = True
            stats.dropped = len(gone)
            _index_rows(conn, conn.execute("SELECT document_id, title, agency, text FROM reports"),
                        current, {}, stats)
        elif changed or gone:
            stale = [d for d in changed if d in existing] + gone
            conn.executemany(f"INSERT INTO {ORPHANS_TABLE}(rowid, document_id) VALUES (?, ?)",
                             [(existing[d][0], d) for d in stale])
            for i in range(0, len(gone), 500):
                chunk = gone[i:i + 500]
                conn.execute(f"DELETE FROM {DOCS_TABLE} WHERE document_id IN "
                             f"({','.join('?' * len(chunk))})", chunk)
            stats.dropped = len(gone)
            # the next free rowid of each document: above its live and orphaned ones
            last = {d: rowid for d, (rowid, _) in existing.items()}
            for d, rowid in conn.execute(f"SELECT document_id, max(rowid) FROM {ORPHANS_TABLE} "
                                         f"GROUP BY document_id"):
                last[d] = max(rowid, last.get(d, rowid))
            for i in range(0, len(changed), 200):
                chunk = changed[i:i + 200]
                rows = conn.execute(
                    "SELECT document_id, title, agency, text FROM reports WHERE document_id IN "
                    f"({','.join('?' * len(chunk))})", chunk).fetchall()
                _index_rows(conn, rows, current, last, stats)
        _set_meta(conn, "format", INDEX_FORMAT)
        if stats.indexed or stats.dropped or stats.rebuilt:
            _set_meta(conn, "version", uuid.uuid4().hex)    # unique: no cache confuses files
        stats.total = conn.execute(f"SELECT count(*) FROM {DOCS_TABLE}").fetchone()[0]
        conn.execute("RELEASE nianbao_search_refresh")
    except BaseException:
        conn.execute("ROLLBACK TO nianbao_search_refresh")
        conn.execute("RELEASE nianbao_search_refresh")
        raise
    return stats


def _index_rows(conn: sqlite3.Connection, rows, current: dict, last: dict,
                stats: RefreshStats) -> None:
    """Index reports under their next free rowid (`last`: a document's highest used one)."""
    for doc_id, title, agency, text in rows:
        if doc_id >= GENERATION or doc_id < 0:
            raise ValueError(f"document id {doc_id} out of the search index's range")
        url, sig = current[doc_id]
        rowid = last[doc_id] + GENERATION if doc_id in last else doc_id
        conn.execute(f"INSERT OR REPLACE INTO {DOCS_TABLE}(document_id, fts_rowid, url, signature) "
                     f"VALUES (?, ?, ?, ?)", (doc_id, rowid, url, sig))
        conn.execute(f"INSERT INTO {FTS_TABLE}(rowid, title, agency, text) VALUES (?, ?, ?, ?)",
                     (rowid, index_text(title), index_text(agency), index_text(text)))
        stats.indexed += 1
