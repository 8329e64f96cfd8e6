"""The project's import graph, read from the source (no module is imported): every
`import` and `from … import` anywhere in a module, function bodies included (an import
moved into a function to dodge a cycle still makes the cycle)."""
from __future__ import annotations

import ast
from pathlib import Path

# installed name -> folder of the repository (pyproject.toml's package-dir)
PACKAGES = {"nianbao": "nianbao", "nianbao.crawler": "crawler", "nianbao.extract": "extract",
            "nianbao.archive": "archive", "nianbao.demo": "demo"}


def modules(root: Path, packages: dict[str, str] = PACKAGES) -> dict[str, Path]:
    """Installed module name -> its file."""
    out = {}
    for name, folder in packages.items():
        base = root / folder
        for path in base.rglob("*.py"):
            rel = path.relative_to(base).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if name == "nianbao" and parts and parts[0] in {v for v in packages.values() if v != "nianbao"}:
                continue
            out[".".join([name, *parts])] = path
    return out


def imports(root: Path, packages: dict[str, str] = PACKAGES) -> dict[str, set[str]]:
    """Module -> every absolute module name it imports (project or not)."""
    mods = modules(root, packages)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[:len(here) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                for a in node.names:
                    sub = f"{mod}.{a.name}"
                    targets.add(sub if sub in mods else mod)
        graph[name] = {t for t in targets if t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of project modules that import each other (Tarjan)."""
    nodes = set(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v] & nodes):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out)
