"""Exit codes of `nianbao crawl`, for cron, systemd and shell scripts.

| code | meaning |
|---|---|
| 0 | the crawl finished and its sites answered (some may be blocked or down: the summary names them) |
| 1 | the crawl finished, but no site gave a real answer: all blocked or failing (5xx) |
| 2 | bad input: an option, the registry, `--db` (not an archive, its directory missing), or start URLs that cannot be reached at all (no such host, connection refused) |
| 74 | stopped because the archive could not grow: its disk is full or its size cap was reached (EX_IOERR) |
| 75 | stopped because another process holds the archive's write lock or the crawl journal, or (`--redis`) every crawler process ended with requests left (EX_TEMPFAIL: run it again later, or `--resume`) |
| 130, 143 | interrupted by SIGINT / SIGTERM, after saving what it had (128 + the signal) |

`crawl_outcome(result)` gives the code and, when it is not 0, the one line that says why.
"""
from __future__ import annotations

import signal

OK, NOTHING_ANSWERED, BAD_INPUT, IO_ERROR, TEMP_FAIL = 0, 1, 2, 74, 75

_STOPPED = {
    "archive_full": (IO_ERROR, "stopped: the archive could not grow (disk full or size cap); "
                               "what was stored is kept"),
    "archive_busy": (TEMP_FAIL, "stopped: another process holds the archive's write lock; "
                                "what was stored is kept, run again later"),
    "archive_error": (BAD_INPUT, "the archive cannot be written"),
    "incomplete": (TEMP_FAIL, "stopped: every crawler process ended with requests left in Redis; "
                              "what was stored is kept, `--resume` continues the crawl"),
}


def interrupted(signum: int) -> int:
    return 128 + int(signum)


def _unreachable(reason: str) -> bool:
    """A failure no server caused: the name does not resolve, nothing listens, TLS fails."""
    return any(k in reason for k in ("DNSLookupError", "CannotResolveHost", "DNS lookup failed",
                                     "ConnectionRefused", "ConnectError", "SSL", "TLS",
                                     "NoRouteError"))


def crawl_outcome(result: dict, resume_hint: str | None = None) -> tuple[int, str | None]:
    """The exit code of a crawl whose pipeline gave `result`, and its one-line reason."""
    signum = result.get("signal")
    if signum:
        name = signal.Signals(signum).name
        hint = f"; continue it with: {resume_hint}" if resume_hint else \
            "; run it again (with --resume to continue where it stopped)"
        return interrupted(signum), f"interrupted by {name}, what was fetched is stored{hint}"
    stopped = _STOPPED.get(str(result.get("reason")))
    if stopped:
        return stopped
    sites = result.get("sites") or {}
    if not sites or any(r.get("answered") for r in sites.values()):
        return OK, None
    reasons = result.get("site_reasons") or {}
    why = "; ".join(f"{s}: {reasons.get(s) or 'no answer'}" for s in sorted(sites))
    if any(r.get("refused") for r in sites.values()):
        return NOTHING_ANSWERED, f"no site answered (blocked): {why}"
    if all(_unreachable(reasons.get(s) or "") for s in sites):
        return BAD_INPUT, f"cannot reach the start URL(s): {why}"
    return NOTHING_ANSWERED, f"no site answered: {why}"
