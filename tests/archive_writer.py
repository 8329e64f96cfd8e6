"""A writer process for the crash test: fetch pages of the sample portals and store them.

    python tests/archive_writer.py DB URLS.json PASSES

URLS.json: [[kind, url, parent_url|null], ...]. Each pass is one crawl run storing every
URL through `Archive`; the test SIGKILLs this process at random moments.
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.store import Archive  # noqa: E402
from crawler.items import PageItem  # noqa: E402
from extract import extract_document  # noqa: E402


def fetch(url: str) -> tuple[int | None, dict, bytes, str, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read(), resp.url, None
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read(), url, None
    except OSError as exc:
        return None, {}, b"", url, repr(exc)


def main(db: str, urls_file: str, passes: int) -> None:
    urls = json.loads(Path(urls_file).read_text())
    with Archive(db) as ar:
        sites = sorted({u.split("/")[2] for _, u, _ in urls})
        for _ in range(passes):
            run = ar.start_run(sites, {"writer": "crash-test"})
            for kind, url, parent in urls:
                status, headers, body, final, error = fetch(url)
                doc = extract_document(body, final, headers) if body and status == 200 else None
                item = PageItem(url=url, final_url=final, canonical_url=final, site=url.split("/")[2],
                                status=status, headers=headers, body=body, kind=kind, parent_url=parent,
                                fetched_at=datetime.now(timezone.utc).isoformat(), error=error)
                ar.store_page(run, item, doc)
            ar.finish_run(run, {"pages": len(urls)})
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
