"""A crash-safe crawl frontier: the request queue and duplicate filter journaled in SQLite
inside the crawl's JOBDIR, so a crawl killed at any moment (SIGINT, SIGTERM, even SIGKILL
or a power cut) resumes where it stopped without fetching again what it stored.

Scrapy's own JOBDIR support writes the queue's index (`active.json`) and flushes the
duplicate filter only on a clean shutdown; after SIGKILL the queue cannot be reopened.
Here every change is one small SQLite transaction (WAL), and each request is tracked
until the archive holds everything it produced:

    queued --next_request--> in flight --callback/errback output consumed and every item
                                          it yielded through the pipelines--> done

On resume, in-flight requests go back to the queue (they are fetched again: their results
never reached the archive), queued ones wait where they were, and done/filtered ones are
never fetched again. Retries, renders and redirects of a request carry its journal id
(`meta["nianbao_frontier_id"]`) and are kept in memory: if the crawl dies, the original
request is simply fetched again.

Requests are handed out like Scrapy's DownloaderAwarePriorityQueue: from the site (download
slot) with the fewest requests in the downloader, highest priority first within a site.

    SCHEDULER = "nianbao.crawler.frontier.JournalScheduler"
    JOBDIR = "data/archive.db.job"
"""
from __future__ import annotations

import heapq
import itertools
import logging
import pickle
import sqlite3
from collections import defaultdict
from pathlib import Path

from scrapy.exceptions import NotConfigured
from scrapy.utils.request import request_from_dict

from nianbao.archive.urls import site_of
from nianbao.crawler import meta
from nianbao.crawler.tracking import OutputTracker

logger = logging.getLogger(__name__)

QUEUED, IN_FLIGHT, DONE = 0, 1, 2
FID = meta.FRONTIER_ID
JOURNAL_NAME = "frontier.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    priority INTEGER NOT NULL,
    slot TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,      -- 0 queued, 1 in flight, 2 done
    data BLOB                              -- pickled request dict; NULL once done
);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE TABLE IF NOT EXISTS seen (
    fp BLOB PRIMARY KEY,
    request INTEGER,                       -- the journaled request whose redirect this is
    session INTEGER                        -- which start of the crawl saw it (0, then 1 per resume)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def journal_path(jobdir: str | Path) -> Path:
    return Path(jobdir) / JOURNAL_NAME


def journal_state(jobdir: str | Path) -> dict | None:
    """What an existing journal holds (None when there is none): queued, in flight, done."""
    path = journal_path(jobdir)
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = dict(conn.execute("SELECT state, count(*) FROM requests GROUP BY state").fetchall())
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return {"queued": counts.get(QUEUED, 0), "in_flight": counts.get(IN_FLIGHT, 0),
            "done": counts.get(DONE, 0), **meta}


class JournalScheduler:
    """Scrapy scheduler (BaseScheduler interface) backed by the SQLite journal."""

    def __init__(self, crawler, jobdir: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.jobdir = Path(jobdir)
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(journal_path(self.jobdir)), isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.executescript(_SCHEMA)
        self.fingerprinter = crawler.request_fingerprinter
        self.spider = None
        self._seq = itertools.count()
        self._memory: list = []                          # (-priority, seq, request): re-issues
        self._slots: dict[str, list] = defaultdict(list)  # slot -> heap of (-priority, seq, id)
        self._queued = 0
        self.tracker = OutputTracker(crawler, self._done)
        self._logged_unserializable = False
        self._session = 0

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured("JournalScheduler needs JOBDIR")
        return cls(crawler, jobdir)

    # -- lifecycle -----------------------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        c = self.conn
        requeued = c.execute("UPDATE requests SET state = ? WHERE state = ?", (QUEUED, IN_FLIGHT)).rowcount
        rows = c.execute("SELECT id, priority, slot FROM requests WHERE state = ?", (QUEUED,)).fetchall()
        for rid, priority, slot in rows:
            heapq.heappush(self._slots[slot], (-priority, rid, rid))
        self._queued = len(rows)
        self._seq = itertools.count((max((r[0] for r in rows), default=0)) + 1)
        done = c.execute("SELECT count(*) FROM requests WHERE state = ?", (DONE,)).fetchone()[0]
        previous = c.execute("SELECT value FROM meta WHERE key = 'session'").fetchone()
        self._session = int(previous[0]) + 1 if previous else 0
        c.execute("INSERT OR REPLACE INTO meta VALUES ('session', ?)", (str(self._session),))
        c.execute("INSERT OR REPLACE INTO meta VALUES ('status', 'running')")
        if rows or done:
            logger.info("resuming the crawl journaled in %s: %d requests queued (%d of them were in "
                        "flight when it stopped), %d done", self.jobdir, len(rows), requeued, done)
            self.stats.set_value("nianbao/frontier/resumed_queued", len(rows))
            self.stats.set_value("nianbao/frontier/resumed_done", done)
        return None

    def close(self, reason):
        finished = reason == "finished" and not self.has_pending_requests()
        try:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('status', ?)",
                              ("finished" if finished else f"stopped: {reason}",))
        finally:
            self.conn.close()
        return None

    # -- the queue -------------------------------------------------------------------------------
    def has_pending_requests(self) -> bool:
        return bool(self._memory) or self._queued > 0

    def __len__(self) -> int:
        return len(self._memory) + self._queued

    def enqueue_request(self, request) -> bool:
        fid = request.meta.get(FID)
        if not request.dont_filter and self._seen_before(request, fid):
            self.stats.inc_value("dupefilter/filtered")
            if fid is not None:               # a redirect to somewhere already crawled: nothing left
                self._done(fid)
            return False
        self.stats.inc_value("scheduler/enqueued")
        if fid is not None:                   # a retry, render or redirect of a journaled request
            heapq.heappush(self._memory, (-request.priority, next(self._seq), request))
            self.stats.inc_value("scheduler/enqueued/memory")
            return True
        try:
            data = pickle.dumps(request.to_dict(spider=self.spider), protocol=4)
        except Exception as exc:  # unpicklable meta or a callback that is not a spider method
            if not self._logged_unserializable:
                logger.warning("request kept in memory only (not resumable): %s (%s)", request, exc)
                self._logged_unserializable = True
            self.stats.inc_value("scheduler/unserializable")
            heapq.heappush(self._memory, (-request.priority, next(self._seq), request))
            return True
        slot = site_of(request.url)
        rid = self.conn.execute("INSERT INTO requests (priority, slot, state, data) VALUES (?,?,?,?)",
                                (request.priority, slot, QUEUED, data)).lastrowid
        heapq.heappush(self._slots[slot], (-request.priority, next(self._seq), rid))
        self._queued += 1
        self.stats.inc_value("scheduler/enqueued/disk")
        return True

    def _seen_before(self, request, fid: int | None) -> bool:
        """The duplicate filter. A redirect of journaled request N is remembered as N's, so when N
        was in flight at a kill and is fetched again, its redirect is not taken for a duplicate."""
        fp = self.fingerprinter.fingerprint(request)
        c = self.conn
        if c.execute("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", (fp, fid, self._session)).rowcount:
            return False
        if fid is None:
            return True
        owner, session = c.execute("SELECT request, session FROM seen WHERE fp = ?", (fp,)).fetchone()
        if owner != fid or session == self._session:   # in this session: a loop, or a true duplicate
            return True
        c.execute("UPDATE seen SET session = ? WHERE fp = ?", (self._session, fp))
        return False

    def next_request(self):
        if self._memory:
            _, _, request = heapq.heappop(self._memory)
            self.stats.inc_value("scheduler/dequeued/memory")
            self.stats.inc_value("scheduler/dequeued")
            return request
        slot = self._pick_slot()
        if slot is None:
            return None
        _, _, rid = heapq.heappop(self._slots[slot])
        if not self._slots[slot]:
            del self._slots[slot]
        self._queued -= 1
        (data,) = self.conn.execute("SELECT data FROM requests WHERE id = ?", (rid,)).fetchone()
        self.conn.execute("UPDATE requests SET state = ? WHERE id = ?", (IN_FLIGHT, rid))
        request = request_from_dict(pickle.loads(data), spider=self.spider)
        request.meta[FID] = rid
        self.tracker.track(request, rid)
        self.stats.inc_value("scheduler/dequeued/disk")
        self.stats.inc_value("scheduler/dequeued")
        return request

    def _pick_slot(self) -> str | None:
        """The site with the fewest requests in the downloader; highest priority breaks ties."""
        if not self._slots:
            return None
        dslots = downloader_slots(self.crawler)

        def load(slot: str):
            ds = dslots.get(slot)
            busy = (len(ds.active) + len(ds.queue)) if ds is not None else 0
            return (busy, self._slots[slot][0][0], self._slots[slot][0][1])
        return min(self._slots, key=load)

    # -- done tracking (crawler.tracking) -----------------------------------------------------
    def _done(self, rid: int) -> None:
        try:
            self.conn.execute("UPDATE requests SET state = ?, data = NULL WHERE id = ?", (DONE, rid))
        except sqlite3.ProgrammingError:      # journal closed: the crawl is shutting down
            return
        self.stats.inc_value("nianbao/frontier/done")


def downloader_slots(crawler) -> dict:
    """The downloader's slots (site -> slot), empty before the crawl has an engine."""
    try:
        return crawler.engine.downloader.slots
    except (AttributeError, RuntimeError):
        return {}

