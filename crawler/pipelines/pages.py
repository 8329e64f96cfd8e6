"""What every archive path does with a fetched page: the local pipeline, the Redis
worker pipeline and the Redis archive writer share these, so they count alike."""
from __future__ import annotations

import asyncio
import logging

from nianbao import extract
from nianbao.archive.capture import Capture

logger = logging.getLogger(__name__)


async def extract_page(item: Capture) -> extract.Document | None:
    """The page's Document, or None (failed fetch, non-2xx); a crash in extraction is
    recorded on the item as its error, so the capture is still stored."""
    if item.error is not None or not item.body or not item.status or not 200 <= item.status < 300:
        return None
    try:
        return await asyncio.to_thread(extract.extract_document, item.body,
                                       item.final_url or item.url, item.headers)
    except Exception as exc:  # bad input must not lose the capture
        logger.warning("extraction failed for %s: %r", item.url, exc)
        item.error = f"extraction failed: {exc!r}"[:500]
        return None


def count_report(row: dict, seen: set[str], known_reports: set[str], item: Capture,
                 document, result) -> None:
    """Add a stored page to its site's row: reports found, new, changed (once a report)."""
    row["stored"] += 1
    is_report = document is not None and document.is_report and not document.is_not_found
    if item.not_modified and item.canonical_url in known_reports:
        is_report = True              # unchanged since the last run: still a report
    if not is_report or item.kind != "page" or item.canonical_url in seen:
        return
    seen.add(item.canonical_url)
    row["reports"] += 1
    if result.new_document:
        row["new"] += 1
    elif result.new_version:
        row["changed"] += 1
