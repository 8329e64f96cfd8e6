"""The document side of the archive: one document per canonical URL, its URL aliases, its
moves, its versions (a new one only when the normalized text changes), and the stored
report rows of exactly the documents a write touched. Used by `Archive` inside its write
transactions; nothing here commits.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from nianbao.extract import Document

from . import report_rows
from .capture import Capture
from .versions import version_hash, write_version


@dataclass(frozen=True)
class StoreResult:
    """What storing one capture did."""

    capture_id: int
    document_id: int | None
    new_document: bool
    new_version: bool


class Documents:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        # documents whose `report_rows` row the current write may have changed
        self.dirty: set[int] = set()

    def _one(self, sql: str, params: tuple = ()):
        return self.conn.execute(sql, params).fetchone()

    def find(self, *urls: str | None) -> tuple | None:
        for u in urls:
            if not u:
                continue
            row = self._one(
                "SELECT d.id, d.url, d.merged_into FROM document_urls du "
                "JOIN documents d ON d.id = du.document_id WHERE du.url = ?", (u,))
            if row:
                doc_id, url, merged = row
                while merged:
                    doc_id, url, merged = self._one(
                        "SELECT id, url, merged_into FROM documents WHERE id = ?", (merged,))
                return doc_id, url
        return None

    def alias(self, url: str | None, doc_id: int, now: str) -> None:
        if url:
            self.conn.execute(
                "INSERT OR IGNORE INTO document_urls (url, document_id, first_seen) VALUES (?,?,?)",
                (url, doc_id, now))

    def event(self, doc_id: int, run_id: int | None, now: str, kind: str, **detail) -> None:
        self.conn.execute(
            "INSERT INTO events (document_id, run_id, at, kind, detail) VALUES (?,?,?,?,?)",
            (doc_id, run_id, now, kind, json.dumps(detail, ensure_ascii=False)))

    def store(self, page: Capture, document: Document, found: tuple | None, capture_id: int,
                        site_id: int, run_id: int | None, now: str, url: str, final_url: str,
                        canonical: str, kind: str, parent_url: str | None) -> StoreResult:
        """The document side of a usable capture: identity, aliases, version."""
        c = self.conn
        new_document = False
        if found:
            doc_id, doc_url = found
            if (final_url != url and canonical == doc_url
                    and not self._one("SELECT 1 FROM document_urls WHERE url = ?", (final_url,))):
                # redirected to a URL never seen, while the identity stays the old one
                self.event(doc_id, run_id, now, "moved", old_url=url, new_url=final_url,
                            canonical=canonical)
            doc_id = self.follow_move(doc_id, doc_url, url, final_url, canonical, run_id, now)
        else:
            doc_id = c.execute(
                "INSERT INTO documents (url, site_id, kind, parent_url, link_text, first_seen, "
                "last_seen) VALUES (?,?,?,?,?,?,?)",
                (canonical, site_id, kind, parent_url, page.link_text or None,
                 now, now)).lastrowid
            new_document = True
        self.alias(canonical, doc_id, now)
        if final_url != url:
            self.alias(final_url, doc_id, now)
            if not found:
                self.alias(url, doc_id, now)
        if kind == "attachment" and parent_url:
            c.execute("UPDATE documents SET parent_url = ? WHERE id = ?", (parent_url, doc_id))
            self.link_orphan_attachments(doc_id)
        new_version = self.version(doc_id, capture_id, document, now)
        self.seen_alive(doc_id, capture_id, run_id, now)
        c.execute("UPDATE captures SET document_id = ? WHERE id = ?", (doc_id, capture_id))
        # anything of the document may have changed (identity, parent, version): re-derive
        # its report row, and those of its page and attachments, in this transaction
        self.dirty.add(doc_id)
        self.sync_rows()
        return StoreResult(capture_id, doc_id, new_document, new_version)

    def follow_move(self, doc_id: int, doc_url: str, url: str, final_url: str, canonical: str,
                     run_id: int | None, now: str) -> int:
        """A fetch answered from a new URL (301/302 or a new canonical): keep one document."""
        if canonical == doc_url:
            return doc_id
        other = self._one("SELECT document_id FROM document_urls WHERE url = ?", (canonical,))
        if other and other[0] != doc_id:
            # Both URLs already had documents: the old one merges into the one at the new URL.
            self.conn.execute("UPDATE documents SET merged_into = ? WHERE id = ?", (other[0], doc_id))
            self.dirty.update((doc_id, other[0]))
            self.conn.execute("UPDATE document_urls SET document_id = ? WHERE document_id = ?",
                              (other[0], doc_id))
            self.event(doc_id, run_id, now, "moved", old_url=doc_url, new_url=canonical,
                        merged_into=other[0])
            return other[0]
        self.conn.execute("UPDATE documents SET url = ? WHERE id = ?", (canonical, doc_id))
        self.dirty.add(doc_id)
        self.event(doc_id, run_id, now, "moved", old_url=doc_url, new_url=canonical,
                    requested=url, final_url=final_url)
        return doc_id

    def seen_alive(self, doc_id: int, capture_id: int, run_id: int | None, now: str) -> None:
        c = self.conn
        c.execute("UPDATE documents SET last_seen = ?, failures = 0 WHERE id = ?", (now, doc_id))
        # an unchanged recrawl's one write to the report row: its last_seen
        report_rows.touch_last_seen(c, doc_id, now)
        row = self._one("SELECT current_version_id, removed FROM documents WHERE id = ?", (doc_id,))
        if row and row[0]:
            c.execute("UPDATE versions SET last_seen = ? WHERE id = ?", (now, row[0]))
            c.execute("UPDATE captures SET version_id = coalesce(version_id, ?) WHERE id = ?",
                      (row[0], capture_id))
        if row and row[1]:
            c.execute("UPDATE documents SET removed = 0, removed_at = NULL WHERE id = ?", (doc_id,))
            self.event(doc_id, run_id, now, "restored", capture_id=capture_id)
            self.dirty.add(doc_id)

    def version(self, doc_id: int, capture_id: int, document: Document, now: str) -> bool:
        """Add a version if the normalized text differs from the current one."""
        h = version_hash(document)
        cur = self._one("SELECT v.id, v.text_hash FROM documents d JOIN versions v "
                        "ON v.id = d.current_version_id WHERE d.id = ?", (doc_id,))
        if cur and cur[1] == h:
            self.conn.execute("UPDATE captures SET version_id = ? WHERE id = ?", (cur[0], capture_id))
            return False
        vid = write_version(self.conn, doc_id, capture_id, document, h, now)
        self.conn.execute("UPDATE documents SET current_version_id = ? WHERE id = ?", (vid, doc_id))
        self.conn.execute("UPDATE captures SET version_id = ? WHERE id = ?", (vid, capture_id))
        return True

    def link_orphan_attachments(self, doc_id: int | None = None) -> None:
        """Attachments point at their page by URL; resolve it once the page is known."""
        sql = ("SELECT id, parent_id, (SELECT du.document_id FROM document_urls du "
               "WHERE du.url = documents.parent_url) FROM documents WHERE parent_url IS NOT NULL")
        if doc_id is not None:
            rows = self.conn.execute(sql + " AND id = ?", (doc_id,)).fetchall()
        else:
            rows = self.conn.execute(
                sql + " AND (parent_id IS NULL OR parent_id NOT IN "
                "(SELECT document_id FROM document_urls WHERE url = documents.parent_url))").fetchall()
        for attachment, old_parent, new_parent in rows:
            if old_parent != new_parent:
                self.conn.execute("UPDATE documents SET parent_id = ? WHERE id = ?",
                                  (new_parent, attachment))
                self.dirty.update(i for i in (attachment, old_parent) if i is not None)

    def sync_rows(self) -> None:
        """Bring the stored report rows of the documents this write touched up to date."""
        if self.dirty:
            report_rows.sync(self.conn, self.dirty)
            self.dirty = set()

