"""The wheel installs one top-level package, `nianbao`, with the repository's folders
mapped under it (pyproject.toml), and the data files the code reads at run time."""
from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile

import pytest

from tests.support import ROOT
from tests.support.imports import PACKAGES


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_of_the_tree_is_listed_and_mapped():
    setup = _pyproject()["tool"]["setuptools"]
    assert setup["package-dir"] == PACKAGES
    found = []
    for name, folder in PACKAGES.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.append(".".join([name, *rel]))
    assert sorted(setup["packages"]) == sorted(found)


def test_every_folder_of_modules_is_a_package():
    """A folder of modules without __init__.py imports in a checkout (a namespace package)
    but is left out of the wheel."""
    for folder in PACKAGES.values():
        for module in (ROOT / folder).rglob("*.py"):
            assert (module.parent / "__init__.py").exists(), f"{module.parent} has no __init__.py"


@pytest.mark.slow
def test_the_wheel_has_one_top_level_package_and_its_data(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation",
                           "--no-deps", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel,) = tmp_path.glob("nianbao-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"nianbao", wheel.name.split("-py3")[0] + ".dist-info"}
    for data in ("nianbao/archive/datasette/metadata.yaml", "nianbao/archive/datasette/datasette.yaml",
                 "nianbao/archive/datasette/static/nianbao.css", "nianbao/demo/portals/spa.js",
                 "nianbao/crawler/portals.example.yaml", "nianbao/demo/seeds/SHA256SUMS"):
        assert data in names, data
    assert sum(n.startswith("nianbao/demo/seeds/") and n.endswith(".txt") for n in names) == 5
    assert any(n.startswith("nianbao/archive/datasette/templates/") for n in names)
