"""What one visitor may cost a public instance, and the answer to requests that ask too much.

An anonymous visitor can send any SQL and any parameter. Bounds, each for a reason:
- SQLite limits on every connection Datasette opens (`harden`): a value longer than
  `MAX_VALUE_BYTES` fails at once (zeroblob, randomblob and printf widths would otherwise
  build hundreds of megabytes inside one virtual-machine step, where the time limit's
  progress handler never runs), and SQL text, expression depth, compound selects, LIKE
  patterns, columns and variables are capped; `printf`/`format` refuse widths and
  precisions past `MAX_PRINTF_WIDTH` (`%.*c` with a huge precision loops for seconds even
  when its result is refused); one statement's rows may hold at most `MAX_RESULT_BYTES`
  of text and blobs (1,000 rows of a maximal value would otherwise be gigabytes);
- a search of more than `MAX_SEARCH_CHARS` characters or `MAX_SEARCH_TERMS` terms is
  answered 400 (each term is an FTS5 phrase; thousands of them held every SQL thread);
- parameters Datasette would turn into a 500 are answered 400/404 before they reach it
  (`bad_request`), and the remaining input errors are mapped by `client_error`;
- the instance is read-only: any method but GET/HEAD/OPTIONS is 405.
Heavy work of our own pages (diffs) runs off the event loop, bounded (archive/datasette/diff.py).
"""
from __future__ import annotations

import re
import sqlite3
import threading
import urllib.parse
from collections import OrderedDict

MAX_VALUE_BYTES = 16_000_000         # the longest report texts are a few MB
MAX_RESULT_BYTES = 64_000_000        # 1,000 report texts of 60 kB
MAX_PRINTF_WIDTH = 10_000
MAX_SEARCH_CHARS = 200
MAX_SEARCH_TERMS = 12
MAX_ID_DIGITS = 18                   # SQLite integers are 64-bit

LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 50_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 200,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 20,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 500,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 100,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 16,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 10,
}


def harden(conn: sqlite3.Connection) -> None:
    """Apply `LIMITS`, the guarded printf and the result budget to a connection."""
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    for name in ("printf", "format"):
        conn.create_function(name, -1, _guarded_printf, deterministic=True)
    conn.row_factory = _RowBudget(conn.row_factory)


_WIDTHS = re.compile(r"%[-+ 0#,!]*(\d*)(?:\.(\d*))?")
_aux = threading.local()


def _guarded_printf(fmt=None, *args):
    """SQLite's printf, refusing widths and precisions past MAX_PRINTF_WIDTH (in the
    format or given by `*`), computed on a private in-memory connection."""
    if fmt is None:
        return None
    text = str(fmt)
    for width, precision in _WIDTHS.findall(text):
        if (width and int(width) > MAX_PRINTF_WIDTH) or (precision and int(precision) > MAX_PRINTF_WIDTH):
            raise sqlite3.DataError(f"printf width or precision above {MAX_PRINTF_WIDTH}")
    if "*" in text and any(isinstance(a, (int, float)) and abs(a) > MAX_PRINTF_WIDTH for a in args):
        raise sqlite3.DataError(f"printf width or precision above {MAX_PRINTF_WIDTH}")
    conn = getattr(_aux, "conn", None)
    if conn is None:
        conn = _aux.conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    marks = ", ".join("?" * (len(args) + 1))
    return conn.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]


class _RowBudget:
    """A row factory that counts the text and blob bytes each cursor has fetched and
    stops a statement past MAX_RESULT_BYTES (DataError: answered 400)."""

    def __init__(self, inner):
        self.inner = inner
        self.spent: OrderedDict[int, int] = OrderedDict()

    def __call__(self, cursor, row):
        size = sum(len(v) for v in row if isinstance(v, (str, bytes)))
        if size:
            key = id(cursor)
            total = self.spent.pop(key, 0) + size
            self.spent[key] = total
            while len(self.spent) > 64:
                self.spent.popitem(last=False)
            if total > MAX_RESULT_BYTES:
                raise sqlite3.DataError(f"the result is larger than {MAX_RESULT_BYTES // 1_000_000} MB")
        return self.inner(cursor, row) if self.inner else row


class ClientError(Exception):
    """A request the visitor got wrong: answered with `status` and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def check_search(query: str) -> None:
    """400 for a search longer or with more terms than an index lookup should cost."""
    from nianbao.archive.search import parse_query

    if len(query) > MAX_SEARCH_CHARS:
        raise ClientError(400, f"search is {len(query)} characters long; at most {MAX_SEARCH_CHARS}")
    parsed = parse_query(query)
    terms = len(parsed.terms()) + len(parsed.excluded)
    if terms > MAX_SEARCH_TERMS:
        raise ClientError(400, f"search has {terms} terms; at most {MAX_SEARCH_TERMS}")


_DIGITS = re.compile(r"[0-9]+\Z")
_INT_PARAMS = ("_size", "_timelimit", "_facet_size", "_nocount", "_nofacet", "_trace")


def bad_request(method: str, path: str, query: str) -> ClientError | None:
    """Input Datasette would answer with a 500 (or work on at length), checked first."""
    if method not in ("GET", "HEAD", "OPTIONS"):
        return ClientError(405, "this instance is read-only: only GET requests")
    try:
        args = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=False,
                                      max_num_fields=200)
    except ValueError:
        return ClientError(400, "too many query parameters")
    for key, value in args:
        if key in _INT_PARAMS and value and not (value == "max" and key in ("_size", "_facet_size")) \
                and not _DIGITS.match(value):
            return ClientError(400, f"{key} must be a number")
        if key in _INT_PARAMS and value.isdigit() and len(value) > 9:
            return ClientError(400, f"{key} is too large")
        if key == "_search" or key.startswith("_search_") or (key == "q" and path.startswith("/-/nianbao/")):
            try:
                check_search(value)
            except ClientError as exc:
                return exc
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
    # /db/table/<pk>: a row page; a key past 64-bit integers cannot name a row
    if len(parts) == 3 and not parts[0].startswith("-"):
        for pk in parts[2].split(","):
            pk = pk.rsplit(".", 1)[0] if pk.endswith((".json", ".csv")) else pk
            if _DIGITS.match(pk) and len(pk) > MAX_ID_DIGITS:
                return ClientError(404, "no such row")
    return None


def client_error(exception: BaseException) -> ClientError | None:
    """Errors that mean the visitor's input was wrong, not that the server failed."""
    if isinstance(exception, ClientError):
        return exception
    if isinstance(exception, (sqlite3.DataError, OverflowError)):
        return ClientError(400, f"the query asks for too much: {exception}")
    if isinstance(exception, sqlite3.OperationalError):
        return ClientError(400, f"invalid SQL: {exception}")
    if isinstance(exception, ValueError) and str(exception).startswith("invalid literal for int()"):
        return ClientError(400, "a parameter that must be a number is not one")
    message = str(getattr(exception, "message", "") or exception)
    if type(exception).__name__ == "DatasetteError" and message.startswith(
            ("Cannot sort", "Cannot use _sort", "_sort", "Invalid")):
        return ClientError(400, message)
    return None
