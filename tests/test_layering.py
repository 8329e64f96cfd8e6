"""The layering rules of architecture.md, checked on the imports of every module:

- extract is pure: no Scrapy, no database, no network, no other nianbao package;
- archive never imports the crawler, the demo or the application layer;
- crawler never imports the demo or the application layer;
- the demo (the sample portals) imports no crawler, archive or application code;
- no import cycles between modules;
- nothing imports the repository folders by their bare names (`crawler`, `archive`, …):
  the installed package is `nianbao`.
"""
from __future__ import annotations

import pytest

from tests.support import ROOT
from tests.support.imports import PACKAGES, cycles, imports

GRAPH = imports(ROOT)
APP = {m for m in GRAPH if m == "nianbao" or (m.startswith("nianbao.")
                                               and m.split(".")[1] not in ("crawler", "extract", "archive", "demo"))}


def _imported(prefix: str) -> dict[str, set[str]]:
    return {m: targets for m, targets in GRAPH.items() if m == prefix or m.startswith(prefix + ".")}


def _violations(prefix: str, forbidden) -> list[str]:
    return sorted(f"{m} imports {t}" for m, targets in _imported(prefix).items()
                  for t in targets if forbidden(t))


def _under(t: str, *names: str) -> bool:
    return any(t == n or t.startswith(n + ".") for n in names)


def test_the_graph_covers_every_package():
    for name in PACKAGES:
        assert any(m == name or m.startswith(name + ".") for m in GRAPH), name
    assert len(GRAPH) > 60


def test_extract_is_pure():
    assert _violations("nianbao.extract", lambda t: _under(
        t, "scrapy", "twisted", "playwright", "scrapy_playwright", "sqlite3", "sqlite_utils",
        "datasette", "requests", "urllib.request", "http.client", "socket",
        "nianbao.crawler", "nianbao.archive", "nianbao.demo") or t in APP) == []


def test_archive_never_imports_the_crawler_the_demo_or_the_app():
    assert _violations("nianbao.archive", lambda t: _under(
        t, "nianbao.crawler", "nianbao.demo", "scrapy") or t in APP) == []


def test_crawler_never_imports_the_demo_or_the_app():
    assert _violations("nianbao.crawler", lambda t: _under(t, "nianbao.demo") or t in APP) == []


def test_the_sample_portals_stand_apart():
    assert _violations("nianbao.demo", lambda t: _under(
        t, "nianbao.crawler", "nianbao.archive", "scrapy") or t in APP) == []


def test_no_import_cycles():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize("bare", ["crawler", "extract", "archive", "demo"])
def test_nothing_imports_the_bare_folder_names(bare):
    from tests.support.imports import modules
    users = []
    for path in list(modules(ROOT).values()) + list((ROOT / "tests").rglob("*.py")) + \
            list((ROOT / "bench").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if f"\nfrom {bare} import" in text or f"\nimport {bare}\n" in text or f"\nfrom {bare}." in text:
            users.append(str(path.relative_to(ROOT)))
    assert users == []
