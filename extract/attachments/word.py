"""Word files: DOCX through python-docx (paragraphs, and tables as row lines and grids),
Word 97/WPS through LibreOffice when the machine has it (converted to DOCX, so tables keep
their merged cells), else antiword or catdoc (which drop merged cells and, for some
tables, whole rows)."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile

from .. import rules
from ..published import PublishedTable, published_rows
from .text import WS, AttachmentText, first_title, split_title


def docx_text(body: bytes) -> AttachmentText:
    res = AttachmentText()
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
        d = docx.Document(io.BytesIO(body))
    except Exception as e:
        res.warnings.append(f"docx: cannot read ({type(e).__name__}: {e})")
        return res
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            t = WS.sub(" ", Paragraph(child, d).text).strip()
            if t:
                res.lines.append(t)
        elif tag == "tbl":
            grid, ids, texts, start = [], [], {}, len(res.lines)
            for row in Table(child, d).rows:
                cells = [WS.sub(" ", c.text.replace("\n", " ")).strip() for c in row.cells]
                if any(cells):
                    grid.append(cells)
                    ids.append([c._tc for c in row.cells])
                    texts.update(zip(ids[-1], cells))
                line = _row_line(row)
                if line is not None:
                    res.lines.append(line)
            if grid:
                res.grids.append(grid)
                res.tables.append(PublishedTable(rows=published_rows(ids, texts.__getitem__),
                                                 text_lines=res.lines[start:]))
    title, rest = split_title(res.lines)
    core = (d.core_properties.title or "").strip()
    if title:
        res.title, res.lines = title, rest        # the title line is metadata, not text
    else:
        res.title = core or first_title(res.lines)
    return res


def _row_line(row) -> str | None:
    """A Word table row as a text line in the `rules.TEXT_TABLE_CELLS` mode; None when the
    row has no text of its own."""
    mode = rules.TEXT_TABLE_CELLS
    own, line = [], []
    prev = None
    for tc in row._tr.tc_lst:
        continued = tc.vMerge == "continue"       # a cell under a vertical merge's start
        origin = _merge_origin(tc) if continued else tc
        text = _tc_text(origin) if origin is not None else ""
        if not continued:
            own.append(text)
        if mode == "published":
            if not continued:
                line.append(text)
        elif mode == "expanded":
            line += [text] * tc.grid_span
        elif origin is None or origin is not prev:
            line.append(text)
        prev = origin
    return "\t".join(line) if any(own) else None


def _merge_origin(tc):
    """The <w:tc> that starts the vertical merge a continuation cell belongs to."""
    try:
        while tc is not None and tc.vMerge == "continue":
            tc = tc._tc_above
        return tc
    except Exception:  # a continuation with nothing above it: a malformed table
        return None


def _tc_text(tc) -> str:
    from docx.oxml.ns import qn
    return WS.sub(" ", "".join(t.text or "" for t in tc.iter(qn("w:t")))).strip()


def _run(tool: str, body: bytes) -> tuple[str | None, str | None]:
    """(text, problem) of one Word 97 reader."""
    exe = shutil.which(tool)
    if not exe:
        return None, None
    try:
        if tool == "antiword":
            p = subprocess.run([exe, "-w", "0", "-m", "UTF-8.txt", "-"], input=body, capture_output=True, timeout=60)
        else:
            with tempfile.NamedTemporaryFile(suffix=".doc") as f:
                f.write(body)
                f.flush()
                p = subprocess.run([exe, "-d", "utf-8", "-w", f.name], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"doc: {tool} failed ({e})"
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode == 0 and out.strip():
        return out, None
    return None, f"doc: {tool} exit {p.returncode}"


def _cells(line: str) -> list[str] | None:
    """The cells of a table row as antiword (`|a |b |`) or catdoc (`a<TAB>b`) writes it."""
    s = line.rstrip()
    if s.startswith("|") and s.endswith("|") and len(s) > 1:
        return [WS.sub(" ", c).strip() for c in s[1:-1].split("|")]
    if "\t" in s:
        return [WS.sub(" ", c).strip() for c in s.split("\t")]
    return None


def _has_number(cells: list[str]) -> bool:
    return any(c and (c[0].isdigit() or c[0] in "-—") and any(ch.isdigit() for ch in c) for c in cells)


def _grid(rows: list[list[str]]) -> list[list[str]]:
    """Rows of one table as a grid. The readers drop merged cells, so rows come ragged:
    value rows are aligned on the right (the figure columns end every row), and header
    rows, whose columns cannot be placed, are left out (the figures are then read in the
    format's published order)."""
    width = max(len(r) for r in rows)
    if all(len(r) == width for r in rows):
        return rows
    return [[""] * (width - len(r)) + r for r in rows if _has_number(r)]


def _word97(text: str) -> AttachmentText:
    """Lines (a table row: its published cells, tab-joined) and grids of a reader's text."""
    res = AttachmentText()
    table: list[list[str]] = []

    def close():
        if table:
            res.grids.append(_grid(table))
            table.clear()

    for raw in text.splitlines():
        cells = _cells(raw)
        if cells is not None and any(cells):
            table.append(cells)
            res.lines.append("\t".join(c for c in cells if c))
            continue
        line = WS.sub(" ", raw).strip()
        if not line:
            continue
        close()
        res.lines.append(line)
    close()
    return res


def _libreoffice(body: bytes) -> tuple[AttachmentText | None, str | None]:
    """(reading, problem) of LibreOffice's headless conversion to DOCX, read as a DOCX;
    (None, None) when LibreOffice is not installed. Each conversion gets a profile of its
    own: two soffice processes sharing one refuse to start."""
    exe = shutil.which("soffice")
    if not exe:
        return None, None
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        src = f"{tmp}/in.doc"
        with open(src, "wb") as f:
            f.write(body)
        try:
            p = subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                                "--convert-to", "docx", "--outdir", tmp, src],
                               capture_output=True, timeout=WORD97_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as e:
            return None, f"doc: LibreOffice failed ({e})"
        try:
            with open(f"{tmp}/in.docx", "rb") as f:
                converted = f.read()
        except OSError:
            return None, f"doc: LibreOffice exit {p.returncode}, no DOCX written"
    res = docx_text(converted)
    return (res, None) if res.lines else (None, "doc: LibreOffice's DOCX has no text")


WORD97_TIMEOUT = 120     # seconds for one conversion (LibreOffice starts in ~3 s)


def doc_text(body: bytes) -> AttachmentText:
    """Word 97-2003 / WPS: LibreOffice's conversion when the machine has it (tables whole);
    else antiword and catdoc (whichever the system has), the reading whose tables hold more
    figures winning (antiword drops some merged tables, catdoc drops empty cells)."""
    converted, problem = _libreoffice(body)
    if converted is not None:
        return converted
    res = word97_readers(body)
    if problem:
        res.warnings.insert(0, problem)
    return res


def word97_readers(body: bytes) -> AttachmentText:
    """A Word 97 / WPS file through antiword and catdoc: the reading whose tables hold more
    figures."""
    warnings = []
    best: AttachmentText | None = None
    best_score = -1
    for tool in ("antiword", "catdoc"):
        out, problem = _run(tool, body)
        if problem:
            warnings.append(problem)
        if out is None:
            continue
        res = _word97(out)
        score = sum(1 for g in res.grids for r in g for c in r if c[:1].isdigit())
        if score > best_score:
            best, best_score = res, score
    if best is None:
        res = AttachmentText(warnings=warnings)
        res.warnings.append("doc: no reader for Word 97/WPS files (install LibreOffice, antiword or catdoc); "
                            "text not extracted")
        return res
    best.title, best.lines = split_title(best.lines)
    best.title = best.title or first_title(best.lines)
    best.warnings += warnings
    return best
