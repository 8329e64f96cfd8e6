"""Reading tables 2-4 from text where the table markup was lost.

Three shapes reach us: one cell a line with "|" after each cell and spanned cells as
bare "|" (seed 002), one row a line with "|" between cells (seed 003), and PDF text
with cells separated by spaces. The text becomes a stream of cells; a row label opens
a row whose values are the cells up to the next label. Values are taken by count when
the published number of cells is there, else by position (a blank cell is a cell too).
"""
from __future__ import annotations

from .. import report_schema as rs
from .collect import Collector
from .labels import (
    ALL_LABEL_CORES, T3_COL_CORES, T3_GROUP_CORES, T3_HEADER_CORES, T3_ROW_GROUP, T3_2019_ONLY,
    T3_2021_ONLY, T4_SPECIFIC, TOTAL_CORES, core, is_identity_note, parse_value, section_of, split_label,
    t2_block, t2_col, t2_columns, t2_row_key, t3_row_key,
)

_T4_COUNT = len(rs.T4_BLOCKS) * len(rs.T4_COLUMNS)

# token: (kind, text, line number); kind: "num" | "blank" (a dash cell) | "empty" | "text"
Token = tuple[str, str, int]


def _split_spaces(s: str) -> list[str]:
    """Cells of a line without separators: numbers apart, label fragments rejoined."""
    parts = s.split()
    if len(parts) < 2:
        return parts
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        """Label fragments split by spaces ("商业 企业") rejoined into the labels they spell."""
        if not run:
            return
        labels, buf = [], ""
        for part in run:
            if not buf and core(part) in ALL_LABEL_CORES:
                labels.append(part)
                continue
            buf += part
            if core(buf) in ALL_LABEL_CORES:
                labels.append(buf)
                buf = ""
        if not labels:
            out.append("".join(run))
        else:
            out.extend(labels + ([buf] if buf else []))
        run.clear()

    for n, p in enumerate(parts):
        if parse_value(p)[0] == "text":
            run.append(p)
        elif n == 0 and p.isdigit() and len(p) <= 2 and parse_value(parts[1])[0] == "text":
            run.append(p)   # "1 属于国家秘密": the item number of a label
        else:
            flush()
            out.append(p)
    flush()
    return out


def tokenize(text: str) -> list[Token]:
    toks: list[Token] = []
    for ln, line in enumerate(text.splitlines()):
        s = line.strip()
        if not s:
            continue
        if "|" in s:
            parts = s.split("|")
            if not parts[-1].strip():
                parts.pop()
            cells = [p.strip() for p in parts]
        elif "\t" in s:
            cells = [p.strip() for p in s.split("\t")]
        else:
            cells = _split_spaces(s)
        for c in cells:
            if not c:
                toks.append(("empty", "", ln))
            else:
                toks.append((parse_value(c)[0], c, ln))
    return toks


class _Reader:
    def __init__(self, toks: list[Token], col: Collector, want: set[int]):
        self.toks, self.col, self.want = toks, col, want
        self.ctx: int | None = None
        self.t2_block: str | None = None
        self.t2_cols: list[tuple[str, str]] = []
        self.t3_group: str | None = None
        self.t3_headers: set[str] = set()      # column headers seen since table 3 began
        self.pending: tuple | None = None      # (table, row key, label, token index)
        self.t4_after: int | None = None        # index after the last table 4 header cell

    # -- classification of one text cell -------------------------------------------
    def _classify(self, raw: str) -> tuple[str, object]:
        sec = section_of(raw)
        if sec is not None:
            return "section", sec
        if is_identity_note(raw):
            return "t3_note", None
        b = t2_block(raw)
        if b:
            return "t2_block", b
        num, c = split_label(raw)
        if c == "信息内容":
            return "t2_header", None
        hit = t2_col(raw)
        if hit:
            return "t2_col", hit
        rk = t2_row_key(raw)
        if rk:
            return "t2_row", rk
        if c == "其他":
            if num and self.t3_group == "other":
                return "t3_row", "other_other"
            return "t3_header", c
        if c in TOTAL_CORES:
            if "七" in num or (num and self.ctx == 3):
                return "t3_row", "handled_total"
            return ("t4_header", None) if self.ctx == 4 else ("t3_header", c)
        if c == "其他处理":
            return "t3_row", "other_processed"
        g = T3_GROUP_CORES.get(c)
        if g:
            return "t3_group", g
        if c in T3_HEADER_CORES or c in T3_COL_CORES:
            return "t3_header", c
        if c in T4_SPECIFIC:
            return "t4_header", None
        k = t3_row_key(raw)
        if k:
            return "t3_row", k
        if len(c) <= 12:
            return "junk", None
        return "stop", None

    # -- the stream ------------------------------------------------------------------
    def run(self) -> None:
        for i, (kind, raw, _ln) in enumerate(self.toks):
            if kind != "text":
                continue
            what, arg = self._classify(raw)
            if what == "junk":
                continue
            self._finish_row(i)
            if what != "t4_header":
                self._finish_t4(i)
            if what == "section":
                self.ctx = arg or None
                self.t2_block, self.t2_cols, self.t3_group = None, [], None
                self.t3_headers = set()
            elif what == "t3_note":
                self.ctx = 3
                self.t3_headers = set()
            elif what == "t2_block":
                self.ctx, self.t2_block, self.t2_cols = 2, arg, []
            elif what == "t2_header":
                self.ctx, self.t2_cols = 2, []
            elif what == "t2_col":
                self.ctx = 2
                self.t2_cols.append((arg[0], raw))
                if arg[1]:
                    self.col.evidence[2].add(arg[1])
            elif what == "t2_row":
                self.ctx = 2
                self.pending = (2, arg, raw, i)
            elif what == "t3_header":
                if self.ctx != 4:
                    self.ctx = 3
                    self.t3_headers.add(arg)
            elif what == "t3_group":
                self.ctx, self.t3_group = 3, arg
            elif what == "t3_row":
                self.ctx = 3
                self.t3_group = T3_ROW_GROUP.get(arg) or self.t3_group
                if arg == "other_processed":
                    self.t3_group = "other"
                self.pending = (3, arg, raw, i)
            elif what == "t4_header":
                self.ctx = 4
                self.t4_after = i + 1
        self._finish_row(len(self.toks))
        self._finish_t4(len(self.toks))

    def _cells(self, start: int, end: int) -> list[Token]:
        return [t for t in self.toks[start:end] if t[0] != "text"]

    def _pick(self, label_at: int, end: int, n: int) -> list[str] | None:
        """n cell texts for the row whose label is at `label_at` ("" for a blank cell)."""
        seq = self._cells(label_at + 1, end)
        line = self.toks[label_at][2]
        same_line = [t for t in seq if t[2] == line]
        if len(same_line) >= n:
            return [t[1] for t in same_line[:n]]
        explicit = [t for t in seq if t[0] in ("num", "blank")]
        if len(explicit) == n:
            return [t[1] for t in explicit]
        if not explicit:
            return [""] * n
        cells = [t[1] for t in seq[:n]]
        return cells + [""] * (n - len(cells))

    def _finish_row(self, end: int) -> None:
        if self.pending is None:
            return
        table, key, label, at = self.pending
        self.pending = None
        if table not in self.want:
            return
        if table == 3:
            cols = self._t3_columns()
            cells = self._pick(at, end, len(cols))
            for (ck, clabel), raw in zip(cols, cells):
                if ck:
                    self.col.add(3, key, ck, raw, label, clabel)
            if key in T3_2021_ONLY:
                self.col.evidence[3].add("2021")
            elif key in T3_2019_ONLY:
                self.col.evidence[3].add("2019")
            self.col.tables.add(3)
        elif table == 2:
            cols = self.t2_cols
            if not cols:
                fmts = self.col.evidence[2]
                if len(fmts) != 1 or not self.t2_block:
                    return
                cols = [(k, lab) for k, lab in t2_columns(next(iter(fmts)), self.t2_block)]
            cells = self._pick(at, end, len(cols))
            for (ck, clabel), raw in zip(cols, cells):
                self.col.add(2, key, ck, raw, label, clabel)
            self.col.tables.add(2)

    def _t3_columns(self) -> list[tuple[str | None, str]]:
        """The seven columns, or 自然人 · 法人或其他组织 (not a schema column) · 总计 when a
        table publishes the organisations as one column."""
        orgs = {core(lab) for _k, lab in rs.T3_COLUMNS[1:6]}
        if "法人或其他组织" in self.t3_headers and not (orgs & self.t3_headers):
            return [rs.T3_COLUMNS[0], (None, "法人或其他组织"), rs.T3_COLUMNS[-1]]
        return list(rs.T3_COLUMNS)

    def _finish_t4(self, end: int) -> None:
        if self.t4_after is None:
            return
        start, self.t4_after = self.t4_after, None
        if 4 not in self.want:
            return
        seq = self._cells(start, end)
        explicit = [t for t in seq if t[0] in ("num", "blank")]
        if not any(t[0] == "num" for t in explicit):
            return
        if len(explicit) == _T4_COUNT:
            cells = [t[1] for t in explicit]
        else:
            while len(seq) > _T4_COUNT and seq[0][0] == "empty":
                seq = seq[1:]
            cells = [t[1] for t in seq[:_T4_COUNT]]
            cells += [""] * (_T4_COUNT - len(cells))
        n = 0
        for bkey, blabel in rs.T4_BLOCKS:
            for ckey, clabel in rs.T4_COLUMNS:
                self.col.add(4, bkey, ckey, cells[n], blabel, clabel)
                n += 1
        self.col.tables.add(4)


def read_text(text: str, col: Collector, want: set[int] | None = None) -> None:
    """Read the tables in `want` (default 2, 3, 4) from flattened or PDF text."""
    if not text:
        return
    _Reader(tokenize(text), col, want or {2, 3, 4}).run()
