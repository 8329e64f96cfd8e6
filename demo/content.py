"""Report bodies as data: paragraphs and tables that render to HTML and to gold text.

One source of truth per report: the same blocks produce the page a portal serves and the
clean text the extractor is judged against, so the two cannot drift apart.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Para:
    text: str
    heading: bool = False


@dataclass
class Table:
    rows: list[list[Cell]]
    caption: str = ""


Block = Para | Table


@dataclass
class Body:
    """A report body: blocks in published order. `original` blocks may be Traditional."""

    blocks: list[Block] = field(default_factory=list)

    def gold_text(self) -> str:
        return blocks_text(self.blocks)


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def _gold_cell(c: Cell) -> str:
    return " ".join(c.text.split())


def table_lines(t: Table) -> list[str]:
    """Gold text of a table as published, each cell once: one line a row, holding the
    cells that start in it (a cell spanning rows on its first row only), tab-joined; a
    row whose own cells are all empty is left out."""
    lines = []
    for row in t.rows:
        cells = [_gold_cell(c) for c in row]
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def blocks_text(blocks: list[Block]) -> str:
    """Gold text: paragraphs one a line, table rows one a line (see `table_lines`)."""
    lines: list[str] = []
    for b in blocks:
        if isinstance(b, Para):
            t = b.text.strip()
            if t:
                lines.append(t)
        else:
            lines += table_lines(b)
    return "\n".join(lines)


def render_table(t: Table, conv=lambda s: s) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" '
           'style="border-collapse:collapse;">', "<tbody>"]
    for row in t.rows:
        out.append("<tr>")
        for c in row:
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            out.append(f'<td{attrs} valign="middle"><p style="text-align:center;">'
                       f'<span style="font-size:14px;">{esc(conv(c.text))}</span></p></td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_blocks(blocks: list[Block], conv=lambda s: s, indent: str = "\u3000\u3000") -> str:
    """HTML of a body the way CMS editors publish it: <p> with full-width indents, tables."""
    out = []
    for b in blocks:
        if isinstance(b, Para):
            if b.heading:
                out.append(f'<p style="text-indent:2em;"><strong>{esc(conv(b.text))}</strong></p>')
            else:
                out.append(f'<p style="text-indent:2em;">{indent}{esc(conv(b.text))}</p>')
        else:
            out.append(render_table(b, conv))
    return "\n".join(out)


def edit_body(body: Body, old: str, new: str) -> Body:
    """A copy of `body` with one sentence replaced (the second state's edited report)."""
    blocks, hits = [], 0
    for b in body.blocks:
        if isinstance(b, Para) and old in b.text:
            b = Para(b.text.replace(old, new), b.heading)
            hits += 1
        blocks.append(b)
    if hits != 1:
        raise ValueError(f"edit must hit exactly one paragraph, hit {hits}: {old!r}")
    return Body(blocks)
