"""The archive: one SQLite file that records every fetch and every text version.

`Archive` is the only writer API. Each stored page is one short `BEGIN IMMEDIATE`
transaction (blob, capture, document, version, figures together), so a process killed
at any moment leaves every capture either complete or absent, and Datasette can read
(WAL mode) while a crawl writes. A locked database raises `ArchiveBusyError` after
`busy_timeout` seconds instead of losing anything silently.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import sqlite_utils

from . import blobs, blocking, history, search
from nianbao.extract import Document

from .capture import Capture, Listing, OcrRecord, utc_now
from .documents import Documents, StoreResult
from .removal import classify, detect_removals, is_refusal_reason
from .schema import migrate, needs_migration
from .sets import header_set_id, link_set_id
from .urls import site_name

logger = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 30.0
DEFAULT_REMOVAL_AFTER = 3


class ArchiveError(RuntimeError):
    """A problem with the archive file that the user must act on."""


class ArchiveBusyError(ArchiveError):
    """Another process held the write lock for longer than the busy timeout."""


class ArchiveFullError(ArchiveError):
    """The archive could not grow: its disk is full, or it reached its size cap."""


def _is_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
               "/default.html", "/default.htm", "/default.aspx", "/home", "/main.html"}
_ERROR_MARKERS = ("404", "error", "notfound", "not_found", "not-found", "nopage")


def is_redirect_to_home_or_error(url: str, final_url: str | None) -> bool:
    """A redirect that lands on a site's home or an error page means "gone", not "moved"."""
    if not final_url or final_url == url:
        return False
    path = urlsplit(final_url).path.lower()
    if path in _HOME_PATHS and urlsplit(url).path.lower() not in _HOME_PATHS:
        return True
    last = path.rsplit("/", 1)[-1]
    return any(m in last for m in _ERROR_MARKERS)


def _ok_status(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


class Archive:
    """Open (creating or migrating) an archive database."""

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
                 removal_after: int = DEFAULT_REMOVAL_AFTER, create: bool = True,
                 max_bytes: int = 0):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ArchiveError(f"no archive at {self.path}")
        if not self.path.parent.is_dir():
            raise ArchiveError(f"{self.path}: the directory {self.path.parent} does not exist")
        if self.path.is_dir():
            raise ArchiveError(f"{self.path} is a directory, not an archive file")
        self.busy_timeout = float(busy_timeout)
        self.removal_after = int(removal_after)
        self.max_bytes = 0
        self.conn = None
        self._batch = False              # store_pages holds the write transaction
        # documents whose `report_rows` row the current write may have changed
        self.docs: Documents | None = None
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=self.busy_timeout,
                                        isolation_level=None, check_same_thread=False)
            self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            _refuse_foreign(self.conn, self.path)    # before anything changes the file
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise ArchiveError(f"{self.path}: could not switch to WAL mode (got {mode})")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.max_bytes = int(max_bytes)
            if max_bytes:       # a size cap: past it, writes fail as on a full disk
                page = self.conn.execute("PRAGMA page_size").fetchone()[0]
                self.conn.execute(f"PRAGMA max_page_count = {max(1, int(max_bytes) // page)}")
            self.db = sqlite_utils.Database(self.conn)
            self.docs = Documents(self.conn)
            if needs_migration(self.db):         # readers never wait for a crawl's write lock
                with self._write():
                    migrate(self.db)
        except sqlite3.OperationalError as exc:
            self.close()
            if _is_full(exc):
                raise ArchiveFullError(f"archive {self.path}: {exc}; nothing was written") from exc
            if "locked" in str(exc) or "busy" in str(exc):
                raise ArchiveBusyError(
                    f"archive {self.path} is locked by another writer for more than "
                    f"{self.busy_timeout:g} s; nothing was written (stop the other crawl "
                    f"or retry later)") from exc
            raise ArchiveError(f"{self.path}: not a usable SQLite archive ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            self.close()
            raise ArchiveError(f"{self.path}: not a usable SQLite archive ({exc})") from exc
        except BaseException:
            self.close()
            raise

    # -- plumbing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection, first copying the write-ahead log into the database file
        (a passive checkpoint: it waits for no reader), so the file alone holds every
        committed write even while read-only connections are still open."""
        if self.conn is not None:
            try:
                if not self.conn.in_transaction:
                    self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass
            self.conn.close()
            self.conn = None

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taken up front so it cannot deadlock mid-way."""
        if self._batch:                  # inside store_pages: one savepoint of its transaction
            with self._savepoint():
                yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ArchiveBusyError(
                    f"archive {self.path} is locked by another writer for more than "
                    f"{self.busy_timeout:g} s; nothing was written (stop the other crawl "
                    f"or retry later)") from exc
            raise
        try:
            yield self.conn
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if _is_full(exc):
                raise ArchiveFullError(f"archive {self.path}: {exc}; the page was not stored") from exc
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if _is_full(exc):
                    raise ArchiveFullError(f"archive {self.path}: {exc}; the page was not stored") from exc
                raise ArchiveBusyError(f"archive {self.path}: commit failed ({exc})") from exc

    def _one(self, sql: str, params: tuple = ()) -> sqlite3.Row | tuple | None:
        return self.conn.execute(sql, params).fetchone()

    def _site_id(self, host: str, now: str) -> int:
        row = self._one("SELECT id FROM sites WHERE host = ?", (host,))
        if row:
            return row[0]
        return self.conn.execute("INSERT INTO sites (host, first_seen) VALUES (?, ?)",
                                 (host, now)).lastrowid

    # -- runs -------------------------------------------------------------------------

    def start_run(self, sites: list[str], options: dict | None = None) -> int:
        """Open a crawl run; runs left 'running' by a dead process become 'interrupted'."""
        now = utc_now()
        hostname = socket.gethostname()
        with self._write() as c:
            for rid, pid, host in c.execute(
                    "SELECT id, pid, host FROM runs WHERE status = 'running'").fetchall():
                if host == hostname and pid and not _pid_alive(pid):
                    c.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", (rid,))
            names = [site_name(s) for s in sites or []]
            for s in names:
                self._site_id(s, now)
            return c.execute(
                "INSERT INTO runs (started_at, status, sites, options, pid, host) "
                "VALUES (?, 'running', ?, ?, ?, ?)",
                (now, json.dumps(names, ensure_ascii=False),
                 json.dumps(options or {}, ensure_ascii=False, default=str),
                 os.getpid(), hostname)).lastrowid

    def open_reserve(self) -> None:
        """Past the size cap, room for the run's log (1 MiB): a crawl stopped by the cap still
        records why. (A truly full disk has no reserve; the run then stays 'running' and the
        next crawl calls it interrupted.)"""
        if self.max_bytes:
            pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
            page = self.conn.execute("PRAGMA page_size").fetchone()[0]
            self.conn.execute(f"PRAGMA max_page_count = {pages + (1 << 20) // page}")

    def finish_run(self, run_id: int, stats: dict | None = None, status: str = "finished") -> dict:
        """Close a run: removal detection, the run's log, then the search index refresh."""
        options = self._run_options(run_id)
        removal_after = int(options.get("removal_after", self.removal_after))
        with self._write() as c:
            self.docs.dirty = set()
            self.docs.link_orphan_attachments()
            answers = {site_name(h): row.get("answered", 0)
                       for h, row in ((stats or {}).get("sites") or {}).items() if isinstance(row, dict)}
            verdicts = blocking.assess_sites(c, run_id, answers)
            outcome = detect_removals(c, run_id, removal_after, utc_now(), changed=self.docs.dirty,
                                      silent_sites=blocking.not_answering(verdicts))
            outcome["sites_not_answering"] = blocking.summary(c, verdicts)
            self.docs.sync_rows()
            counts = dict(c.execute(
                "SELECT 'captures', count(*) FROM captures WHERE run_id = ? UNION ALL "
                "SELECT 'failed_captures', count(*) FROM captures WHERE run_id = ? "
                "  AND (status IS NULL OR status >= 400) UNION ALL "
                "SELECT 'new_versions', count(*) FROM versions v JOIN captures k "
                "  ON k.id = v.first_capture_id WHERE k.run_id = ?",
                (run_id, run_id, run_id)).fetchall())
            log = {**(stats or {}), "archive": {**counts, **outcome}}
            c.execute("UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                      (utc_now(), status, json.dumps(log, ensure_ascii=False, default=str), run_id))
        try:
            self.refresh_search()
        except sqlite3.OperationalError as exc:
            if not _is_full(exc):
                raise
            logger.warning("archive %s is full: the search index was not refreshed (the next "
                           "crawl or `nianbao reextract` refreshes it)", self.path)
        return log

    def refresh_search(self) -> search.RefreshStats:
        """Bring the full-text index up to date with `reports`: the one way it is refreshed
        (after every crawl, by `reextract`, and by `serve` before it publishes)."""
        return search.refresh(self.conn)

    def _run_options(self, run_id: int) -> dict:
        row = self._one("SELECT options FROM runs WHERE id = ?", (run_id,))
        if row is None:
            raise ArchiveError(f"no run {run_id} in {self.path}")
        try:
            return json.loads(row[0] or "{}")
        except ValueError:
            return {}

    # -- pages --------------------------------------------------------------------------

    def store_page(self, run_id: int | None, page: Capture, document: Document | None = None,
                   ocr_results: dict[str, OcrRecord] | None = None) -> StoreResult:
        """Record one fetch (with the images fetched for OCR, and the OCR results made for
        it, keyed by blob hash); version its document when the normalized text changed."""
        now = page.fetched_at
        url, final_url, canonical = page.url, page.final_url, page.canonical_url
        status, body, not_modified = page.status, page.body or b"", page.not_modified
        kind, parent_url, site = page.kind, page.parent_url, site_name(page.site)
        not_found = document is not None and document.is_not_found
        shell = document is not None and document.is_shell
        gone_redirect = is_redirect_to_home_or_error(url, final_url)
        usable = (document is not None and _ok_status(status) and not gone_redirect
                  and not not_found and not shell and not is_refusal_reason(page.error))
        outcome = classify(status, page.error, not_modified=not_modified, usable=usable,
                           has_document=document is not None, gone_redirect=gone_redirect,
                           not_found_page=not_found, shell=shell)

        with self._write() as c:
            self.docs.dirty = set()
            site_id = self._site_id(site, now)
            found = self.docs.find(canonical, url, final_url if not gone_redirect else None)
            prev_body = None
            if body:
                row = self._one("SELECT body_sha256 FROM captures WHERE url = ? AND body_sha256 "
                                "IS NOT NULL ORDER BY id DESC LIMIT 1", (url,))
                prev_body = row[0] if row else None
            digest = blobs.write(c, body, now, prev_body) if body else None
            capture_id = c.execute(
                "INSERT INTO captures (run_id, site_id, url, final_url, canonical_url, kind, "
                "parent_url, fetched_at, status, headers, request_headers_id, rendered, not_modified, "
                "body_sha256, body_size, error, outcome, document_id, redirects) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, site_id, url, final_url, canonical, kind, parent_url, now, status,
                 json.dumps(dict(page.headers or {}), ensure_ascii=False, separators=(",", ":")),
                 header_set_id(c, dict(page.request_headers or {})),
                 int(bool(page.rendered)), int(not_modified), digest,
                 len(body) if body else None, page.error, outcome,
                 found[0] if found else None,
                 json.dumps(page.redirect_urls, ensure_ascii=False) if page.redirect_urls else None)).lastrowid
            for img in page.images:
                c.execute("INSERT OR IGNORE INTO capture_images (capture_id, url, blob_sha256, content_type, "
                          "status) VALUES (?,?,?,?,?)",
                          (capture_id, img.url, blobs.write(c, img.body, now) if img.body else None,
                           img.content_type or None, img.status))
            for digest_, rec in (ocr_results or {}).items():
                c.execute("INSERT OR REPLACE INTO ocr_results (blob_sha256, engine, result, confidence, "
                          "seconds, created) VALUES (?,?,?,?,?,?)",
                          (digest_, rec.engine, rec.result, rec.confidence, rec.seconds, now))

            if not_modified and found:
                self.docs.seen_alive(found[0], capture_id, run_id, now)
                self.docs.sync_rows()
                return StoreResult(capture_id, found[0], False, False)
            if not usable:
                return StoreResult(capture_id, found[0] if found else None, False, False)

            # extracted data that cannot be stored must not cost the capture: keep it, say why
            c.execute("SAVEPOINT extracted")
            try:
                result = self.docs.store(page, document, found, capture_id, site_id, run_id,
                                              now, url, final_url, canonical, kind, parent_url)
            except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError,
                    TypeError, ValueError, AttributeError) as exc:
                c.execute("ROLLBACK TO extracted")
                c.execute("RELEASE extracted")
                self.docs.dirty = set()
                reason = f"archive could not store the extracted data: {exc!r}"[:500]
                logger.warning("%s: %s", url, reason)
                c.execute("UPDATE captures SET outcome = 'unparsed', error = coalesce(error, ?) "
                          "WHERE id = ?", (reason, capture_id))
                return StoreResult(capture_id, found[0] if found else None, False, False)
            c.execute("RELEASE extracted")
            return result

    def store_pages(self, run_id: int | None,
                    entries: Iterable[tuple[Capture, Document | None] | Listing]) -> list:
        """Store many fetches and listings in one transaction: each as `store_page` /
        `store_listing` would (results in order: a StoreResult or a listing id), all
        committed together or, when the process dies first, none. Cheaper per page than a
        transaction each (a distributed crawl's single writer stores what all workers fetch)."""
        with self._write():
            self._batch = True
            try:
                return [self.store_listing(run_id, e) if isinstance(e, Listing)
                        else self.store_page(run_id, *e) for e in entries]
            finally:
                self._batch = False

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """One page of a batch: undone alone when it fails, before the failure goes on."""
        self.conn.execute("SAVEPOINT page")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO page")
            self.conn.execute("RELEASE page")
            raise
        self.conn.execute("RELEASE page")

    # -- listings ---------------------------------------------------------------------

    def store_listing(self, run_id: int | None, listing: Listing) -> int:
        """Record which report links a list page showed in this run."""
        now = listing.fetched_at
        with self._write() as c:
            site_id = self._site_id(site_name(listing.site), now)
            return c.execute(
                "INSERT INTO listings (run_id, site_id, url, fetched_at, link_set_id) VALUES (?,?,?,?,?)",
                (run_id, site_id, listing.url, now, link_set_id(c, listing.links))).lastrowid

    def store_site_name(self, site: str, kind: str, url: str) -> None:
        """Another name of `site` ('learn': its home page redirected there) or the form its
        URLs take ('prefer'), kept for later crawls (archive.history.site_names)."""
        now = utc_now()
        with self._write() as c:
            c.execute("INSERT OR IGNORE INTO site_names (site_id, kind, url, first_seen) VALUES (?,?,?,?)",
                      (self._site_id(site_name(site), now), kind, url, now))

    # -- reading ------------------------------------------------------------------------

    def validators(self, url: str) -> dict | None:
        """ETag / Last-Modified of the last successful capture of `url`, for a conditional GET."""
        known = history.last_good(self.conn, url)
        return known.validators() if known else None

    def known_report_urls(self, sites: list[str] | None = None, include_removed: bool = True) -> list[str]:
        """Canonical URLs of report documents (so a crawl can revisit them for removals)."""
        return history.known_report_urls(self.conn, sites, include_removed)

    def blob(self, digest: str) -> bytes:
        return blobs.read(self.conn, digest)

    # -- OCR ----------------------------------------------------------------------------

    def ocr_result(self, digest: str, engine: str) -> str | None:
        """The cached OCR result (JSON) of a blob by an engine version, if any."""
        row = self._one("SELECT result FROM ocr_results WHERE blob_sha256 = ? AND engine = ?", (digest, engine))
        return row[0] if row else None

    def store_ocr_result(self, digest: str, rec: OcrRecord) -> None:
        """Cache one OCR result outside a page's transaction (re-extraction)."""
        with self._write() as c:
            c.execute("INSERT OR REPLACE INTO ocr_results (blob_sha256, engine, result, confidence, seconds, "
                      "created) VALUES (?,?,?,?,?,?)",
                      (digest, rec.engine, rec.result, rec.confidence, rec.seconds, utc_now()))

    def capture_images(self, capture_id: int) -> dict[str, bytes]:
        """The images stored with a capture, by URL."""
        rows = self.conn.execute("SELECT url, blob_sha256 FROM capture_images WHERE capture_id = ? "
                                 "AND blob_sha256 IS NOT NULL", (capture_id,)).fetchall()
        return {url: blobs.read(self.conn, d) for url, d in rows}


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """An SQLite file that holds other tables is someone else's data: never add ours."""
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and not {"captures", "documents", "runs"} <= tables:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise ArchiveError(f"{path} is an SQLite database but not a nianbao archive "
                           f"(tables: {shown}); refusing to add archive tables to it")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
