"""The archive's schema history: sqlite-utils migrations, frozen.

Each migration is literal SQL (and, where rows had to move, a private copy of the logic
it ran), never a call into live code: what a migration does is fixed when it is written,
so an archive of any age reaches the same tables. The current schema, written out, is
`archive/schema.sql` (generated from a fresh archive and compared with one by a test).

Tables and indexes only. The views (`reports`, `report_figures`, `report_documents`)
and the stored rows behind them are derived objects of the live code
(`archive/report_rows.py`), re-created whenever their definition changes
(`schema.ensure_derived`), so they never need a migration of their own.

Three migrations were renumbered after they had shipped (two were both numbered 4);
archives that recorded the old names are brought to the new ones before migrating
(`LEGACY_NAMES`).
"""
from __future__ import annotations

import hashlib
import json

import sqlite_utils
from sqlite_utils import Migrations

MIGRATION_SET = "nianbao-archive"
migrations = Migrations(MIGRATION_SET)

# name an archive may have recorded -> the migration's name now
LEGACY_NAMES = {
    "m004_recrawls_cost_only_capture_rows": "m005_recrawls_cost_only_capture_rows",
    "m005_stored_report_rows": "m006_stored_report_rows",
    "m006_report_rows_region": "m007_report_rows_region",
}

# The tables as migration 1 created them (later migrations changed some of them).
M001_TABLES = """
CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL UNIQUE,
    first_seen TEXT NOT NULL
);

-- One crawl: what it was asked to do, how it ended, its stats.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',      -- running | finished | failed | interrupted
    sites TEXT NOT NULL DEFAULT '[]',             -- JSON list of hosts
    options TEXT NOT NULL DEFAULT '{}',           -- JSON
    stats TEXT,                                   -- JSON, set by finish_run
    pid INTEGER,
    host TEXT
);

-- Raw bodies, content-addressed by the SHA-256 of the raw bytes; stored once.
-- codec 'zstd': data is the zstd frame of the body; 'zstd-delta': compressed with the
-- body of `base_sha256` as a raw-content dictionary (cheap recrawls of churning pages).
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    codec TEXT NOT NULL,
    base_sha256 TEXT REFERENCES blobs(sha256),
    data BLOB NOT NULL,
    stored_at TEXT NOT NULL
);

-- One document per canonical URL (moves keep the document; old URLs in document_urls).
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    kind TEXT NOT NULL DEFAULT 'page',            -- page | attachment
    parent_url TEXT,                              -- attachment: canonical URL of its page
    parent_id INTEGER REFERENCES documents(id),   -- attachment: the page that links it
    link_text TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    current_version_id INTEGER REFERENCES versions(id),
    removed INTEGER NOT NULL DEFAULT 0,
    removed_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,          -- consecutive runs whose fetch failed
    merged_into INTEGER REFERENCES documents(id)  -- a duplicate found to be a moved copy
);
CREATE INDEX documents_parent ON documents(parent_id);
CREATE INDEX documents_site ON documents(site_id);

-- Every URL a document has been known under (canonical, old URLs after a move).
CREATE TABLE document_urls (
    url TEXT PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    first_seen TEXT NOT NULL
);
CREATE INDEX document_urls_document ON document_urls(document_id);

-- One fetch, exactly as it happened.
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    site_id INTEGER REFERENCES sites(id),
    url TEXT NOT NULL,
    final_url TEXT,
    canonical_url TEXT,
    kind TEXT NOT NULL DEFAULT 'page',
    parent_url TEXT,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    headers TEXT NOT NULL DEFAULT '{}',           -- JSON, response headers
    request_headers TEXT NOT NULL DEFAULT '{}',   -- JSON
    rendered INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    body_sha256 TEXT REFERENCES blobs(sha256),
    body_size INTEGER,
    error TEXT,
    outcome TEXT,                                 -- ok | not_modified | gone | failed | unparsed | shell | redirect
    document_id INTEGER REFERENCES documents(id),
    version_id INTEGER REFERENCES versions(id)    -- the version this capture showed
);
CREATE INDEX captures_url ON captures(url);
CREATE INDEX captures_canonical ON captures(canonical_url);
CREATE INDEX captures_document ON captures(document_id);
CREATE INDEX captures_run ON captures(run_id);

-- A new row only when the normalized extracted text changes.
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    seq INTEGER NOT NULL,                         -- 1, 2, ... per document
    text_hash TEXT NOT NULL,                      -- SHA-256 of the normalized text
    first_capture_id INTEGER REFERENCES captures(id),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    title TEXT,
    title_original TEXT,
    agency TEXT,
    agency_original TEXT,
    year INTEGER,
    published TEXT,
    script TEXT,
    opencc_config TEXT,
    text TEXT,
    text_original TEXT,                           -- NULL when the page is already Simplified (= text)
    is_report INTEGER NOT NULL DEFAULT 0,
    content_type TEXT,
    encoding TEXT,
    no_text_layer INTEGER NOT NULL DEFAULT 0,
    is_shell INTEGER NOT NULL DEFAULT 0,
    is_not_found INTEGER NOT NULL DEFAULT 0,
    source TEXT,
    index_no TEXT,
    publisher TEXT,
    doc_no TEXT,
    figures_format TEXT,                          -- '2019' | '2021' | NULL
    image_tables INTEGER NOT NULL DEFAULT 0,
    identity_ok INTEGER,                          -- 1 | 0 | NULL
    warnings TEXT NOT NULL DEFAULT '[]',
    extractor_version TEXT,
    extracted_at TEXT,
    UNIQUE(document_id, seq)
);
CREATE INDEX versions_document ON versions(document_id);

-- One figure of a report's tables 2-4 (or a prose sentence) per version, as published.
CREATE TABLE figures (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    table_no INTEGER NOT NULL,                    -- 2, 3, 4; 0 for a prose figure
    row_key TEXT NOT NULL,
    col_key TEXT NOT NULL,
    value NUMERIC,                                -- NULL for a blank / — / / cell
    raw TEXT,
    row_label TEXT,
    col_label TEXT,
    unit TEXT,
    source TEXT,
    extractor_version TEXT
);
CREATE INDEX figures_version ON figures(version_id, table_no, row_key, col_key);

-- One arithmetic check of a version's tables.
CREATE TABLE checks (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    expected REAL,
    actual REAL,
    ok INTEGER,                                   -- 1 | 0 | NULL (a needed cell blank)
    extractor_version TEXT
);
CREATE INDEX checks_version ON checks(version_id);

-- What list pages showed in each run (removal detection: "gone from its list").
CREATE TABLE listings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    site_id INTEGER REFERENCES sites(id),
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE INDEX listings_run ON listings(run_id);
CREATE TABLE listing_links (
    listing_id INTEGER NOT NULL REFERENCES listings(id),
    url TEXT NOT NULL,
    PRIMARY KEY (listing_id, url)
);
CREATE INDEX listing_links_url ON listing_links(url);

-- History of a document's life: removed, restored, moved.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    run_id INTEGER REFERENCES runs(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                           -- removed | restored | moved
    detail TEXT NOT NULL DEFAULT '{}'             -- JSON: status, urls, reason
);
CREATE INDEX events_document ON events(document_id);
"""


def statements(script: str) -> list[str]:
    """Split a script of DDL into statements (our SQL has no ';' or '--' inside literals)."""
    lines = [ln.split("--", 1)[0].rstrip() for ln in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    for stmt in statements(M001_TABLES):
        db.execute(stmt)


@migrations()
def m002_lean_figures_index(db: sqlite_utils.Database) -> None:
    """The wide view looks figures up by version only (~200 rows each): a narrow index."""
    db.execute("DROP INDEX IF EXISTS figures_version")
    db.execute("CREATE INDEX figures_by_version ON figures(version_id)")


@migrations()
def m003_report_figures_checks_failed(db: sqlite_utils.Database) -> None:
    """report_figures gained `checks_failed`. Views are derived objects now
    (schema.ensure_derived): nothing is left for this migration to do."""


@migrations()
def m004_view_column_affinity(db: sqlite_utils.Database) -> None:
    """The views' integer columns gained INTEGER affinity. Views are derived objects now
    (schema.ensure_derived): nothing is left for this migration to do."""


def _m005_link_set_id(conn, links) -> int | None:
    urls = sorted(set(links or []))
    digest = hashlib.sha256("\n".join(urls).encode("utf-8")).hexdigest()
    row = conn.execute("SELECT id FROM link_sets WHERE sha256 = ?", (digest,)).fetchone()
    if row:
        return row[0]
    sid = conn.execute("INSERT INTO link_sets (sha256, size) VALUES (?, ?)", (digest, len(urls))).lastrowid
    conn.executemany("INSERT INTO link_set_urls (set_id, url) VALUES (?, ?)", [(sid, u) for u in urls])
    return sid


def _m005_header_set_id(conn, headers: dict | None) -> int | None:
    if not headers:
        return None
    text = json.dumps(dict(sorted(headers.items())), ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = conn.execute("SELECT id FROM header_sets WHERE sha256 = ?", (digest,)).fetchone()
    if row:
        return row[0]
    return conn.execute("INSERT INTO header_sets (sha256, json) VALUES (?, ?)", (digest, text)).lastrowid


@migrations()
def m005_recrawls_cost_only_capture_rows(db: sqlite_utils.Database) -> None:
    """Unchanged recrawls must add little more than capture rows: list links and request
    headers become content-addressed sets, and an unused index goes."""
    conn = db.conn
    for stmt in statements("""
        CREATE TABLE link_sets (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,          -- of the sorted URLs
            size INTEGER NOT NULL
        );
        CREATE TABLE link_set_urls (
            set_id INTEGER NOT NULL REFERENCES link_sets(id),
            url TEXT NOT NULL,
            PRIMARY KEY (set_id, url)
        ) WITHOUT ROWID;
        CREATE INDEX link_set_urls_url ON link_set_urls(url);
        ALTER TABLE listings ADD COLUMN link_set_id INTEGER REFERENCES link_sets(id);
        CREATE TABLE header_sets (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            json TEXT NOT NULL
        );
        ALTER TABLE captures ADD COLUMN request_headers_id INTEGER REFERENCES header_sets(id);
        DROP INDEX IF EXISTS captures_canonical
    """):
        conn.execute(stmt)
    for (lid,) in conn.execute("SELECT id FROM listings").fetchall():
        links = [r[0] for r in conn.execute("SELECT url FROM listing_links WHERE listing_id = ?", (lid,))]
        conn.execute("UPDATE listings SET link_set_id = ? WHERE id = ?", (_m005_link_set_id(conn, links), lid))
    for cid, text in conn.execute("SELECT id, request_headers FROM captures").fetchall():
        hid = _m005_header_set_id(conn, json.loads(text or "{}"))
        if hid:
            conn.execute("UPDATE captures SET request_headers_id = ? WHERE id = ?", (hid, cid))
    conn.execute("DROP TABLE listing_links")
    conn.execute("ALTER TABLE captures DROP COLUMN request_headers")
    # the links each list page showed, as before
    conn.execute("CREATE VIEW listing_links AS SELECT l.id AS listing_id, u.url FROM listings l "
                 "JOIN link_set_urls u ON u.set_id = l.link_set_id")


@migrations()
def m006_stored_report_rows(db: sqlite_utils.Database) -> None:
    """`reports` and `report_figures` read stored rows, kept current by every write
    (archive/report_rows.py), so Datasette's counts and facets over 100,000 reports read
    tables and small indexes instead of computing joins for every row. The rows are
    filled by schema.ensure_derived."""
    for stmt in statements("""
        DROP VIEW IF EXISTS report_figures;
        DROP VIEW IF EXISTS reports;
        DROP VIEW IF EXISTS report_documents;
        CREATE TABLE report_rows (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            url TEXT NOT NULL,
            site TEXT,
            title TEXT,
            agency TEXT,
            year INTEGER,
            published TEXT,
            script TEXT,
            joined_text TEXT,
            versions INTEGER,
            first_seen TEXT,
            last_seen TEXT,
            removed INTEGER NOT NULL DEFAULT 0,
            version_id INTEGER REFERENCES versions(id),
            attachment_document_id INTEGER,
            no_text_layer INTEGER,
            content_type TEXT
        );
        CREATE TABLE report_figure_rows (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            url TEXT NOT NULL,
            agency TEXT,
            year INTEGER,
            format TEXT,
            requests_new,
            requests_carried_over,
            granted,
            partially_granted,
            denied,
            unable_to_provide,
            not_processed,
            other_processed,
            handled_total,
            carried_forward,
            reconsideration_total,
            litigation_total,
            identity_ok INTEGER,
            checks_failed INTEGER,
            version_id INTEGER REFERENCES versions(id)
        );
        CREATE INDEX report_rows_agency ON report_rows(agency);
        CREATE INDEX report_rows_year ON report_rows(year);
        CREATE INDEX report_rows_site_agency ON report_rows(site, agency);
        CREATE INDEX report_rows_url ON report_rows(url);
        CREATE INDEX report_figure_rows_year ON report_figure_rows(year);
        CREATE INDEX report_figure_rows_format ON report_figure_rows(format);
        CREATE INDEX report_figure_rows_identity_ok ON report_figure_rows(identity_ok)
    """):
        db.execute(stmt)


@migrations()
def m007_report_rows_region(db: sqlite_utils.Database) -> None:
    """`reports` gains `region`, stored and indexed (a plain column facet). Archives made
    by an earlier release between migrations 6 and 7 may have the column already."""
    if "region" not in {r[1] for r in db.execute("PRAGMA table_info(report_rows)")}:
        db.execute("ALTER TABLE report_rows ADD COLUMN region TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS report_rows_region ON report_rows(region)")


@migrations()
def m008_archive_meta(db: sqlite_utils.Database) -> None:
    """Facts about the archive itself (the signature of the derived objects it holds)."""
    db.execute("CREATE TABLE archive_meta (key TEXT PRIMARY KEY, value TEXT)")


@migrations()
def m009_ocr_provenance(db: sqlite_utils.Database) -> None:
    """Reports read by OCR: where a version's text came from and how sure OCR was; each
    figure's kind (number, zero, blank, dash, text), whether OCR read it and its score;
    the images a report page was stored with; the OCR result cache (one reading per blob
    and engine version); `report_figures` says whether its figures came from OCR."""
    for stmt in (
        "ALTER TABLE versions ADD COLUMN text_source TEXT",
        "ALTER TABLE versions ADD COLUMN ocr_engine TEXT",
        "ALTER TABLE versions ADD COLUMN ocr_confidence REAL",
        "ALTER TABLE figures ADD COLUMN kind TEXT",
        "ALTER TABLE figures ADD COLUMN ocr INTEGER",
        "ALTER TABLE figures ADD COLUMN confidence REAL",
        "ALTER TABLE report_figure_rows ADD COLUMN figures_ocr INTEGER",
        """CREATE TABLE capture_images (
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            url TEXT NOT NULL,
            blob_sha256 TEXT REFERENCES blobs(sha256),
            content_type TEXT,
            status INTEGER,
            PRIMARY KEY (capture_id, url)
        )""",
        """CREATE TABLE ocr_results (
            blob_sha256 TEXT NOT NULL,
            engine TEXT NOT NULL,
            result TEXT NOT NULL,
            confidence REAL,
            seconds REAL,
            created TEXT NOT NULL,
            PRIMARY KEY (blob_sha256, engine)
        )""",
    ):
        db.execute(stmt)


@migrations()
def m011_report_divisions(db: sqlite_utils.Database) -> None:
    """`reports` gains `prefecture`, `county` and `adcode` (GB/T 2260) beside `region`,
    stored and indexed (column facets); an index by agency and year serves coverage by
    division (one scan of it, no sort); versions keep the page's 网站标识码, whose first
    six digits name the site sponsor's division."""
    for stmt in statements("""
        ALTER TABLE report_rows ADD COLUMN prefecture TEXT;
        ALTER TABLE report_rows ADD COLUMN county TEXT;
        ALTER TABLE report_rows ADD COLUMN adcode TEXT;
        CREATE INDEX report_rows_prefecture ON report_rows(prefecture);
        CREATE INDEX report_rows_county ON report_rows(county);
        CREATE INDEX report_rows_adcode ON report_rows(adcode);
        CREATE INDEX report_rows_agency_year ON report_rows(agency, year, published);
        ALTER TABLE versions ADD COLUMN site_code TEXT
    """):
        db.execute(stmt)


@migrations()
def m012_version_tables(db: sqlite_utils.Database) -> None:
    """Versions keep their tables as published (cells with rowspan/colspan, JSON), so a
    reading page shows real tables rather than tab-separated lines."""
    db.execute("ALTER TABLE versions ADD COLUMN tables TEXT")


@migrations()
def m013_redirects_and_site_names(db: sqlite_utils.Database) -> None:
    """A capture keeps where its URL sent the fetch (the redirect chain); a site keeps the
    other names it goes by (a host its home page redirected to) and its preferred form,
    so later crawls and every worker of a distributed one give a report one identity."""
    db.execute("ALTER TABLE captures ADD COLUMN redirects TEXT")   # JSON list of URLs; NULL: none
    db.execute("""CREATE TABLE site_names (
        site_id INTEGER NOT NULL REFERENCES sites(id),
        kind TEXT NOT NULL,               -- 'learn': another name | 'prefer': the form URLs take
        url TEXT NOT NULL,                -- a URL of that name / form
        first_seen TEXT NOT NULL,
        PRIMARY KEY (site_id, kind, url)
    )""")


@migrations()
def m014_run_sites(db: sqlite_utils.Database) -> None:
    """How each site answered each run: 'ok', 'blocked' (refusals only: a firewall, a
    captcha, 403s) or 'down' (no answer at all), with the evidence, so that a site that
    refused a crawl is never taken for a site whose reports were removed."""
    db.execute("""CREATE TABLE run_sites (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site_id INTEGER NOT NULL REFERENCES sites(id),
        state TEXT NOT NULL,              -- 'ok' | 'blocked' | 'down'
        captures INTEGER NOT NULL,        -- fetches of the site stored in the run
        answered INTEGER NOT NULL,        -- ... that got a real answer (content, 304, 404/410)
        refused INTEGER NOT NULL,         -- ... that got a refusal
        failed INTEGER NOT NULL,          -- ... that got no answer or a server error
        evidence TEXT NOT NULL DEFAULT '{}',   -- JSON: status mix, errors, a sample refusal
        PRIMARY KEY (run_id, site_id)
    )""")
    db.execute("CREATE INDEX run_sites_site ON run_sites(site_id, run_id)")
