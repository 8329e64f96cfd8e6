"""What reading an attachment gives, and how its title is found among its first lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..published import PublishedTable

WS = re.compile(r"[ \t\u3000\xa0]+")


@dataclass
class AttachmentText:
    lines: list[str] = field(default_factory=list)
    grids: list[list[list[str]]] = field(default_factory=list)
    tables: list[PublishedTable] = field(default_factory=list)    # the grids' tables as published
    title: str = ""
    no_text_layer: bool = False
    warnings: list[str] = field(default_factory=list)


def split_title(lines: list[str]) -> tuple[str, list[str]]:
    """The title (first lines up to one ending in 报告/年报) and the text after it."""
    parts: list[str] = []
    for i, l in enumerate(lines[:4]):
        if "\t" in l or len(l) > 60 or l.endswith(("。", "：", ":")):
            break
        parts.append(l)
        if re.search(r"(报告|報告|年报|年報)$", "".join(parts)):
            return "".join(parts), lines[i + 1:]
    return first_title(lines), lines


def first_title(lines: list[str]) -> str:
    """A document's title: its first non-trivial lines up to the first long paragraph."""
    parts: list[str] = []
    for l in lines[:6]:
        if len(l) > 60 or l.endswith(("。", "：", ":")):
            break
        parts.append(l)
        joined = "".join(parts)
        if re.search(r"(报告|報告|年报|年報)$", joined):
            return joined
    return parts[0] if parts else ""
