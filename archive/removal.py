"""Removal detection that does not cry wolf.

A document is removed when its URL is gone (404/410, a redirect to the home or an error
page, a "page not found" served with 200) AND its list no longer shows it; a transient
failure (timeout, 5xx, a 404 while still listed) removes it only after `removal_after`
consecutive runs. Successful fetches reset the count and restore a removed document
(at store time, see `Archive._seen_alive`); every change is an `events` row.

A refusal (a firewall page, a captcha, 401/403/451, see `extract.refusal`) is no failure:
it says nothing about the document. Documents of a site that did not answer the run at
all (blocked or down, `archive/blocking.py`) are left as they were.
"""
from __future__ import annotations

import json
import sqlite3

from nianbao.extract.refusal import is_refusal_reason

HARD = "gone"
SOFT = "failed"
REFUSED = "refused"


def classify(status: int | None, error: str | None, *, not_modified: bool, usable: bool,
             has_document: bool, gone_redirect: bool, not_found_page: bool, shell: bool) -> str:
    """A capture's outcome, as far as the document's life is concerned."""
    if not_modified:
        return "not_modified"
    if is_refusal_reason(error):
        return REFUSED
    if status in (404, 410) or gone_redirect or (status and 200 <= status < 300 and not_found_page):
        return HARD
    if status is None or status >= 400 or (error and not usable):
        return SOFT
    if 300 <= status < 400:
        return "redirect"
    if usable:
        return "ok"
    if shell:
        return "shell"
    return "unparsed" if not has_document else "ok"


def _gone_from_list(conn: sqlite3.Connection, run_id: int, doc_id: int, site_id: int) -> bool:
    """The run looked at this document's lists and none of them shows it any more."""
    aliases = [r[0] for r in conn.execute(
        "SELECT url FROM document_urls WHERE document_id = ?", (doc_id,))]
    marks = ",".join("?" * len(aliases)) or "NULL"
    listed_now = conn.execute(
        f"SELECT 1 FROM listings l JOIN link_set_urls u ON u.set_id = l.link_set_id "
        f"WHERE l.run_id = ? AND u.url IN ({marks}) LIMIT 1", (run_id, *aliases)).fetchone()
    if listed_now:
        return False
    its_lists = {r[0] for r in conn.execute(
        f"SELECT DISTINCT l.url FROM listings l JOIN link_set_urls u ON u.set_id = l.link_set_id "
        f"WHERE l.run_id != ? AND u.url IN ({marks})", (run_id, *aliases))}
    lists_now = {r[0] for r in conn.execute(
        "SELECT url FROM listings WHERE run_id = ? AND site_id = ?", (run_id, site_id))}
    if not lists_now:
        return False            # this run saw no list of the site: we cannot tell
    if not its_lists:
        return True             # never listed anywhere we looked, and not listed now
    return bool(its_lists & lists_now)


def detect_removals(conn: sqlite3.Connection, run_id: int, removal_after: int, now: str,
                    changed: set[int] | None = None, silent_sites: set[int] = frozenset()) -> dict:
    """Update failure counts and removed flags from this run's last capture of each document;
    the ids of documents newly marked removed are added to `changed` (their report rows).
    Documents of `silent_sites` (blocked or down in this run) are not judged."""
    rows = conn.execute(
        "SELECT k.document_id, k.outcome, k.status, k.url, d.removed, d.failures, d.site_id "
        "FROM captures k JOIN documents d ON d.id = k.document_id "
        "WHERE k.id IN (SELECT max(id) FROM captures WHERE run_id = ? AND document_id IS NOT NULL "
        "GROUP BY document_id) AND d.merged_into IS NULL", (run_id,)).fetchall()
    removed = failing = unjudged = 0
    for doc_id, outcome, status, url, was_removed, failures, site_id in rows:
        if outcome not in (HARD, SOFT):
            continue
        if site_id in silent_sites:
            unjudged += 1
            continue
        failures += 1
        conn.execute("UPDATE documents SET failures = ? WHERE id = ?", (failures, doc_id))
        if was_removed:
            continue
        reason = None
        if outcome == HARD and _gone_from_list(conn, run_id, doc_id, site_id):
            reason = "gone and no longer listed"
        elif failures >= removal_after:
            reason = f"failed in {failures} consecutive runs"
        if reason is None:
            failing += 1
            continue
        conn.execute("UPDATE documents SET removed = 1, removed_at = ? WHERE id = ?", (now, doc_id))
        if changed is not None:
            changed.add(doc_id)
        conn.execute(
            "INSERT INTO events (document_id, run_id, at, kind, detail) VALUES (?,?,?,?,?)",
            (doc_id, run_id, now, "removed",
             json.dumps({"reason": reason, "status": status, "url": url, "outcome": outcome,
                         "consecutive_failures": failures}, ensure_ascii=False)))
        removed += 1
    restored = conn.execute("SELECT count(*) FROM events WHERE run_id = ? AND kind = 'restored'",
                            (run_id,)).fetchone()[0]
    return {"removed": removed, "restored": restored, "failing_not_yet_removed": failing,
            "not_judged_site_silent": unjudged}
