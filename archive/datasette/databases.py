"""Which served databases are archives, and whether an archive has its search index:
our pages and filters apply to archives only (other databases are left alone)."""
from __future__ import annotations

from nianbao.archive import search


async def is_archive(db) -> bool:
    """A database with our views and tables."""
    names = set(await db.table_names()) | set(await db.view_names())
    return {"reports", "versions", "captures"} <= names


async def has_search_index(db) -> bool:
    # an index of an older layout (no orphans table) is not used until refreshed
    return set(await db.table_names()) >= {search.FTS_TABLE, search.DOCS_TABLE, search.ORPHANS_TABLE}
