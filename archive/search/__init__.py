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
from .index import RefreshStats, index_exists, pending, refresh
from .query import (
    IDS_FUNCTION, RANK_FUNCTION, SCAN_SHARE, SHARE_FUNCTION, MatchCache, ParsedQuery, cached_where_clause, highlight_terms, match_expression,
    matching_ids_sql, parse_query, ranked_sql, snippet, where_clause,
)
from .schema import DOCS_TABLE, FTS_TABLE, GENERATION, INDEX_FORMAT, META_TABLE, ORPHANS_TABLE
from .tokens import index_text, query_tokens, simplified_variants

__all__ = [
    "DOCS_TABLE", "FTS_TABLE", "GENERATION", "IDS_FUNCTION", "INDEX_FORMAT", "META_TABLE", "RANK_FUNCTION",
    "SCAN_SHARE", "SHARE_FUNCTION",
    "MatchCache", "ORPHANS_TABLE", "ParsedQuery", "RefreshStats", "cached_where_clause",
    "highlight_terms", "index_exists", "index_text", "match_expression", "matching_ids_sql",
    "parse_query", "pending", "query_tokens", "ranked_sql", "refresh", "simplified_variants",
    "snippet", "where_clause",
]
