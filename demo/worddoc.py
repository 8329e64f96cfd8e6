"""A generated report as a Word file: DOCX with python-docx (merged cells as Word merges
them), and the Word 97 `.doc` the image-report portal serves, converted from that DOCX
once by LibreOffice and kept in `demo/data/` (LibreOffice is not needed to run the demo).

    .venv/bin/python -m nianbao.demo.worddoc     # rewrite demo/data/*.doc (needs soffice)
"""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from nianbao.demo.content import Body, Para
from nianbao.demo.generated import generate_report


def report_docx(title: str, body: Body) -> bytes:
    """The report as DOCX: title, paragraphs, tables with their row and column merges."""
    import docx
    d = docx.Document()
    d.add_paragraph(title)
    for b in body.blocks:
        if isinstance(b, Para):
            d.add_paragraph(b.text)
            continue
        taken: set[tuple[int, int]] = set()
        placed = []
        ncols = 0
        for r, row in enumerate(b.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                placed.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
                ncols = max(ncols, c)
        t = d.add_table(rows=len(b.rows), cols=ncols)
        t.style = "Table Grid"
        for r, c, cell in placed:
            target = t.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = cell.text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# The .doc reports the demo serves: file name -> generate_report arguments.
DOC_REPORTS = {
    "xiling-minzheng-2020.doc": dict(agency="西岭县民政局", year=2020, fmt="2019", seed=34,
                                     published="2021-01-26", blanks=False),
}


def doc_report(name: str):
    """(GeneratedReport, .doc bytes) of one of `DOC_REPORTS`."""
    g = generate_report(**DOC_REPORTS[name])
    data = resources.files("nianbao.demo").joinpath("data", name).read_bytes()
    return g, data


def main() -> int:
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice (LibreOffice) is needed to write the .doc files", file=sys.stderr)
        return 2
    out_dir = Path(__file__).resolve().parent / "data"
    for name, kw in DOC_REPORTS.items():
        g = generate_report(**kw)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / (Path(name).stem + ".docx")
            src.write_bytes(report_docx(g.title, g.body))
            subprocess.run([soffice, "--headless", "--convert-to", "doc:MS Word 97", "--outdir", tmp, str(src)],
                           check=True, capture_output=True, timeout=300)
            (out_dir / name).write_bytes((Path(tmp) / name).read_bytes())
        print(out_dir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
