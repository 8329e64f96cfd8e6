"""TRS static lists: the pager is written by `createPageHTML(total, current, "index", "html")`
in a script, so no link to the next page exists until a browser runs it."""
from __future__ import annotations

import re

_CREATE_PAGE = re.compile(r"(\bfunction\s+)?createPageHTML\s*\(([^)]*)\)", re.I)
_JS_VAR = re.compile(r"\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*['\"]?(\d+)['\"]?\s*[;,\n]")


def create_page_args(script: str) -> tuple[int, int, str, str] | None:
    """(total pages, current page, prefix, extension) from a createPageHTML(...) call.

    Both the classic `createPageHTML(10, 0, "index", "html")` and the newer
    `createPageHTML('page_div', 10, 0, 'index', 'html', 180)`; arguments given as
    variables are looked up in the same script (`var countPage = 10`). Every call in the
    script is considered, in order (a page may define the function before calling it).
    """
    vars_ = {k: int(v) for k, v in _JS_VAR.findall(script)}
    for m in _CREATE_PAGE.finditer(script):
        if m.group(1):
            continue                       # `function createPageHTML(...)`: a definition
        args = _call_args(m.group(2), vars_)
        if args is not None:
            return args
    return None


def _call_args(arglist: str, vars_: dict[str, int]) -> tuple[int, int, str, str] | None:
    args = [a.strip().strip("'\"") for a in arglist.split(",")]
    nums, strs = [], []
    for a in args:
        if a.isdigit():
            nums.append(int(a))
        elif a in vars_ and not strs:
            nums.append(vars_[a])
        elif re.fullmatch(r"[\w.\-]+", a) and len(nums) >= 2:
            strs.append(a)
    if len(nums) < 2:
        return None
    prefix = strs[0] if strs else "index"
    ext = strs[1] if len(strs) > 1 else "html"
    return nums[0], nums[1], prefix, ext


