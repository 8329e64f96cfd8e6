"""A report's text as a reader sees it: paragraphs, and tables as published.

The stored text has one paragraph or table row a line (cells tab-separated). A version
that kept its tables as published (`versions.tables`: cells with rowspan/colspan and the
text lines each table took) gets those tables back in their place; older versions get
each run of tab-separated lines as a plain table. Pure data out; templates escape it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str                                  # 'p' | 'table'
    text: str = ""
    rows: list[list[dict]] = field(default_factory=list)   # cells: text, rowspan, colspan
    published: bool = False                    # spans as published (else rebuilt from lines)


def _published(tables_json: str | None, n_lines: int) -> dict[int, dict]:
    try:
        tables = json.loads(tables_json) if tables_json else []
    except ValueError:
        return {}
    out = {}
    for t in tables if isinstance(tables, list) else []:
        line, count = t.get("line"), t.get("lines") or 0
        if isinstance(line, int) and 0 <= line < n_lines and count > 0 and t.get("rows"):
            out[line] = t
    return out


def blocks(text: str | None, tables_json: str | None = None) -> list[Block]:
    """Paragraph and table blocks of a version's text, in order."""
    lines = (text or "").split("\n")
    placed = _published(tables_json, len(lines))
    out: list[Block] = []
    i = 0
    while i < len(lines):
        if i in placed:
            t = placed[i]
            rows = [[{"text": str(c[0]), "rowspan": max(1, int(c[1])), "colspan": max(1, int(c[2]))}
                     for c in row] for row in t["rows"]]
            out.append(Block("table", rows=rows, published=True))
            i += t["lines"]
            continue
        if "\t" in lines[i]:
            rows = []
            while i < len(lines) and "\t" in lines[i] and i not in placed:
                rows.append([{"text": c, "rowspan": 1, "colspan": 1} for c in lines[i].split("\t")])
                i += 1
            width = max(len(r) for r in rows)
            for r in rows:                     # a short row: its last cell spans the rest
                if len(r) < width:
                    r[-1]["colspan"] += width - len(r)
            out.append(Block("table", rows=rows))
            continue
        if lines[i].strip():
            out.append(Block("p", text=lines[i]))
        i += 1
    return out
