"""Blocked is not removed: how each site answered a run, from the run's captures.

A site is
* `ok` when some fetch got a real answer (content, 304, 404/410: the site speaks) — a
  stored capture, a list read in the run, or an answer the crawl counted without storing
  it (a home or list page: `SiteStats` "answered", passed in by the crawl);
* `blocked` when it answered only refusals (a firewall page, a captcha, a challenge the
  browser could not pass, 401/403/451/412/521 — the crawler marks them, see
  `extract.refusal`);
* `down` when nothing answered (connection refused, TLS or DNS failure, timeouts, 5xx).

A run's verdict per site goes into `run_sites` with its evidence (the status mix, the
errors, one refused capture's URL and body hash, so the refusal page can be read). Removal
detection skips every document of a site that was not `ok` in the run: a removal needs a
positive signal from a site that otherwise answers.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter

OK, BLOCKED, DOWN = "ok", "blocked", "down"
REFUSED_OUTCOME = "refused"
# outcomes of captures (archive.removal.classify) that are a real answer of the site
_ANSWERS = {"ok", "not_modified", "redirect", "shell", "unparsed", "gone"}


def assess_sites(conn: sqlite3.Connection, run_id: int,
                 crawl_answers: dict[str, int] | None = None) -> dict[int, dict]:
    """Each site's verdict for the run (site id -> row of `run_sites`), stored.
    `crawl_answers`: real answers the crawl counted per site (by host), stored or not."""
    rows = conn.execute(
        "SELECT site_id, outcome, status, error, url, body_sha256 FROM captures "
        "WHERE run_id = ? AND site_id IS NOT NULL ORDER BY id", (run_id,)).fetchall()
    per_site: dict[int, list] = {}
    for r in rows:
        per_site.setdefault(r[0], []).append(r)
    elsewhere = Counter(dict(conn.execute(
        "SELECT site_id, count(*) FROM listings WHERE run_id = ? GROUP BY site_id", (run_id,)).fetchall()))
    ids = dict(conn.execute("SELECT host, id FROM sites").fetchall())
    for host, n in (crawl_answers or {}).items():
        if host in ids and n:
            elsewhere[ids[host]] += int(n)
    verdicts = {}
    for site_id, caps in per_site.items():
        answered = sum(1 for c in caps if c[1] in _ANSWERS) + elsewhere.get(site_id, 0)
        refused = [c for c in caps if c[1] == REFUSED_OUTCOME]
        failed = sum(1 for c in caps if c[1] not in _ANSWERS and c[1] != REFUSED_OUTCOME)
        state = OK if answered else (BLOCKED if refused else DOWN)
        statuses = Counter(str(c[2]) if c[2] is not None else "none" for c in caps)
        errors = Counter((c[3] or "").split(":", 1)[0] for c in caps if c[3] and c[1] != "ok")
        evidence: dict = {"statuses": dict(statuses)}
        if errors:
            evidence["errors"] = dict(errors)
        if refused:
            sample = refused[0]
            evidence["refusal"] = {"url": sample[4], "status": sample[2], "reason": sample[3],
                                   "body_sha256": sample[5]}
        verdict = {"state": state, "captures": len(caps), "answered": answered,
                   "refused": len(refused), "failed": failed, "evidence": evidence}
        conn.execute(
            "INSERT OR REPLACE INTO run_sites (run_id, site_id, state, captures, answered, refused, "
            "failed, evidence) VALUES (?,?,?,?,?,?,?,?)",
            (run_id, site_id, state, len(caps), answered, len(refused), failed,
             json.dumps(evidence, ensure_ascii=False, sort_keys=True)))
        verdicts[site_id] = verdict
    return verdicts


def not_answering(verdicts: dict[int, dict]) -> set[int]:
    """Sites whose documents cannot be judged in this run."""
    return {site_id for site_id, v in verdicts.items() if v["state"] != OK}


def summary(conn: sqlite3.Connection, verdicts: dict[int, dict]) -> dict[str, dict]:
    """The sites not `ok`, by host, for the run's log and the crawl's summary."""
    hosts = dict(conn.execute("SELECT id, host FROM sites").fetchall())
    return {hosts.get(site_id, str(site_id)): {k: v[k] for k in ("state", "captures", "refused", "failed", "evidence")}
            for site_id, v in sorted(verdicts.items()) if v["state"] != OK}
