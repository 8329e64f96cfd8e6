"""The CLI contract: every command has --help, and the README documents every option."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.cli import COMMANDS, build_parser

from tests.support import ROOT

pytestmark = pytest.mark.slow      # subprocesses: crawls, servers, the CLI



def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_command_module_is_registered():
    names = set(_subparsers())
    assert len(names) == len(COMMANDS)
    for required in ("crawl", "serve", "demo", "portals", "extract", "reextract", "export-warc", "check"):
        assert required in names


def test_nianbao_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "nianbao", "--help"], capture_output=True,
                         text=True, cwd=ROOT, check=True).stdout
    for name in _subparsers():
        assert name in out


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_command_help_and_readme_document_every_option(name):
    sub = _subparsers()[name]
    out = subprocess.run([sys.executable, "-m", "nianbao", name, "--help"], capture_output=True,
                         text=True, cwd=ROOT, check=True).stdout
    assert out.startswith("usage: nianbao " + name)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"nianbao {re.escape(name)}\b", readme), f"README lacks `nianbao {name}`"
    for action in sub._actions:
        for opt in action.option_strings:
            if opt in ("-h", "--help") or not opt.startswith("--"):
                continue
            assert action.help, f"{name} {opt} has no help text"
            assert opt in readme, f"README does not document `nianbao {name} {opt}`"


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:8]
    assert any("make demo" in line for line in head)
    assert any("make test" in line for line in head)
