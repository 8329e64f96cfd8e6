"""Tests mirror the packages: every module has `tests/<its package path>/test_<module>.py`,
or is covered by its package's test (`tests/<parent>/test_<package>.py`), or is listed
below with the test that covers it and why it has none of its own. A new module without
any of these fails here."""
from __future__ import annotations

from tests.support import ROOT
from tests.support.imports import PACKAGES, modules

# module -> the test that covers it (a module too small or too glued to stand alone)
COVERED_BY = {
    "nianbao.__main__": "tests/nianbao/test_cli.py",                      # python -m nianbao
    "nianbao.plans": "tests/crawler/test_frontier.py",                    # --resume; --redis in distributed/
    "nianbao.due": "tests/crawler/middlewares/test_conditional.py",       # --due on a real archive
    "nianbao.commands.check": "tests/archive/test_check.py",
    "nianbao.commands.export_warc": "tests/archive/test_warc.py",
    "nianbao.commands.export_wacz": "tests/nianbao/commands/test_snapshot.py",
    "nianbao.commands.reextract": "tests/archive/test_reextract.py",
    "nianbao.commands.serve": "tests/archive/datasette/test_plugin.py",
    "nianbao.archive.blobs": "tests/archive/test_store.py",
    "nianbao.archive.documents": "tests/archive/test_store.py",
    "nianbao.archive.normalize": "tests/archive/test_store.py",
    "nianbao.archive.sets": "tests/archive/test_store.py",
    "nianbao.archive.migrations": "tests/archive/test_schema.py",
    "nianbao.archive.schema_sql": "tests/archive/test_schema.py",
    "nianbao.archive.datasette.charts": "tests/archive/datasette/test_plugin.py",
    "nianbao.archive.datasette.databases": "tests/archive/datasette/test_plugin.py",
    "nianbao.archive.datasette.pages": "tests/archive/datasette/test_plugin.py",
    "nianbao.archive.datasette.serve": "tests/archive/datasette/test_plugin.py",
    "nianbao.archive.datasette.common": "tests/archive/datasette/test_reading.py",
    "nianbao.archive.datasette.cite": "tests/archive/datasette/test_pieces.py",
    "nianbao.archive.datasette.names": "tests/archive/datasette/test_pieces.py",
    "nianbao.archive.datasette.labels": "tests/archive/datasette/test_pieces.py",
    "nianbao.archive.datasette.textview": "tests/archive/datasette/test_pieces.py",
    "nianbao.archive.datasette.coverage_page": "tests/archive/datasette/test_overview.py",
    "nianbao.archive.datasette.agency": "tests/archive/datasette/test_overview.py",
    "nianbao.archive.coverage": "tests/archive/datasette/test_overview.py",
    "nianbao.crawler.browser": "tests/crawler/middlewares/test_render.py",
    "nianbao.crawler.download_handler": "tests/crawler/middlewares/test_faults.py",
    "nianbao.crawler.settings": "tests/crawler/middlewares/test_render.py",
    "nianbao.crawler.extensions.history": "tests/crawler/middlewares/test_conditional.py",
    "nianbao.crawler.pipelines.pages": "tests/crawler/pipelines/test_archive.py",
    "nianbao.crawler.discovery.html": "tests/crawler/discovery/test_links.py",
    "nianbao.crawler.distributed.history": "tests/crawler/distributed/test_writer.py",
    "nianbao.crawler.distributed.client": "tests/crawler/distributed/test_frontier.py",
    "nianbao.crawler.distributed.keys": "tests/crawler/distributed/test_writer.py",   # the namespace cleared
    "nianbao.crawler.distributed.pipeline": "tests/crawler/distributed/test_writer.py",
    "nianbao.crawler.spiders.reports": "tests/e2e/test_crawl.py",
    "nianbao.crawler.spiders.captures": "tests/e2e/test_crawl.py",
    "nianbao.crawler.spiders.state": "tests/e2e/test_paging.py",
    "nianbao.crawler.resolver": "tests/e2e/test_real_web.py",
    "nianbao.crawler.middlewares.depth": "tests/e2e/test_paging.py",
    "nianbao.extract.pipeline": "tests/extract/test_sample_portals.py",
    "nianbao.extract.document": "tests/extract/test_sample_portals.py",
    "nianbao.extract.rules": "tests/extract/html/test_main.py",
    "nianbao.extract.report_schema": "tests/extract/test_tables.py",
    "nianbao.extract.html.chrome": "tests/extract/html/test_main.py",
    "nianbao.extract.html.dom": "tests/extract/html/test_main.py",
    "nianbao.extract.html.render": "tests/extract/html/test_grid.py",
    "nianbao.demo.chrome": "tests/demo/test_portals.py",
    "nianbao.demo.content": "tests/demo/test_portals.py",
    "nianbao.demo.generated": "tests/demo/test_portals.py",
    "nianbao.demo.gold": "tests/demo/test_portals.py",
    "nianbao.demo.messages": "tests/demo/test_portals.py",
    "nianbao.demo.model": "tests/demo/test_portals.py",
    "nianbao.demo.pdfs": "tests/demo/test_portals.py",
    "nianbao.demo.seeds": "tests/demo/test_portals.py",
    "nianbao.demo.server": "tests/demo/test_portals.py",
    "nianbao.demo.site": "tests/demo/test_portals.py",
    "nianbao.demo.snippets": "tests/demo/test_portals.py",
    "nianbao.demo.validators": "tests/demo/test_faults.py",
    "nianbao.demo.scans": "tests/extract/test_ocr.py",                    # the pictures OCR reads
    "nianbao.demo.worddoc": "tests/extract/test_attachments.py",          # the .doc the readers read
}


def _test_path(module: str) -> str:
    parts = module.split(".")[1:]
    if parts and parts[0] in {p.split(".")[1] for p in PACKAGES if "." in p}:
        return "/".join(["tests", *parts[:-1], f"test_{parts[-1]}.py"])
    return "/".join(["tests", "nianbao", *parts[:-1], f"test_{parts[-1]}.py"])


def _covered(module: str) -> bool:
    if (ROOT / _test_path(module)).exists():
        return True
    package = module.rsplit(".", 1)[0]            # its package's own test
    return "." in package.split("nianbao.", 1)[-1] and (ROOT / _test_path(package)).exists()


def test_every_module_has_a_test_named_after_it_or_says_which_covers_it():
    mods = {m for m, p in modules(ROOT).items() if p.name != "__init__.py"}
    uncovered = sorted(m for m in mods if not _covered(m) and m not in COVERED_BY)
    assert uncovered == []
    for module, test in COVERED_BY.items():
        assert module in mods, f"{module} is gone: drop it from COVERED_BY"
        assert not _covered(module), f"{module} has its own test now: drop it from COVERED_BY"
        assert (ROOT / test).exists(), test
