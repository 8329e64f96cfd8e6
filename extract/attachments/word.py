"""Word files: DOCX through python-docx (paragraphs, and tables as row lines and grids),
Word 97/WPS through antiword or catdoc."""
from __future__ import annotations

import io
import shutil
import subprocess

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


def doc_text(body: bytes) -> AttachmentText:
    """Word 97-2003 / WPS: read with antiword or catdoc when the system has them."""
    res = AttachmentText()
    for tool, args in (("antiword", ["-w", "0", "-m", "UTF-8.txt", "-"]), ("catdoc", ["-d", "utf-8", "-w"])):
        exe = shutil.which(tool)
        if not exe:
            continue
        try:
            if tool == "antiword":
                p = subprocess.run([exe, *args], input=body, capture_output=True, timeout=60)
            else:
                import tempfile
                with tempfile.NamedTemporaryFile(suffix=".doc") as f:
                    f.write(body)
                    f.flush()
                    p = subprocess.run([exe, *args, f.name], capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            res.warnings.append(f"doc: {tool} failed ({e})")
            continue
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode == 0 and out.strip():
            res.lines = [l for l in (WS.sub(" ", x).strip() for x in out.splitlines()) if l]
            res.title = first_title(res.lines)
            return res
        res.warnings.append(f"doc: {tool} exit {p.returncode}")
    res.warnings.append("doc: no reader for Word 97/WPS files (install antiword or catdoc); text not extracted")
    return res
