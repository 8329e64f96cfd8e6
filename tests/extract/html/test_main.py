"""Page fixtures per family: tests/pages/<family>/<case>.html with a sidecar <case>.yaml.

The yaml names the URL (and HTTP headers) the page was served with, snippets the text must
contain (`with`) and must not contain (`without`), exact metadata (`meta`), and optionally
`shell` (what `looks_like_shell` must say) and `tables` (how many tables were read).
Every fixture is also checked for the chrome strings the bench counts.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nianbao.extract import extract_document, looks_like_shell
from nianbao.extract.rules import CHROME_STRINGS

from tests.support import PAGES
CASES = sorted(p for p in PAGES.glob("*/*.yaml"))


def _load(path: Path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    body = path.with_suffix(".html").read_bytes()
    return spec, body


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.stem}"


def test_every_family_has_fixtures():
    families = {p.parent.name for p in CASES}
    for fam in ("trs", "hanweb", "stray-html", "table-layout", "fragments", "shell", "script",
                "traps", "charset", "broken"):
        assert fam in families, f"no fixtures for family {fam}"


@pytest.mark.parametrize("path", CASES, ids=_id)
def test_page_fixture(path):
    spec, body = _load(path)
    doc = extract_document(body, spec["url"], spec.get("headers"))
    for s in spec.get("with", []):
        assert s in doc.text, f"missing {s!r}"
    for s in spec.get("without", []):
        assert s not in doc.text, f"left in text: {s!r}"
    if not spec.get("chrome_ok"):
        for s in CHROME_STRINGS:
            assert s not in doc.text, f"chrome left: {s!r}"
    for key, want in (spec.get("meta") or {}).items():
        assert getattr(doc, key) == want, f"{key}: {getattr(doc, key)!r} != {want!r}"
    if "tables" in spec:
        assert len(doc.tables) == spec["tables"]
    if "shell" in spec:
        assert looks_like_shell(body, spec.get("headers")) is spec["shell"]
    if "warning" in spec:
        assert any(spec["warning"] in w for w in doc.warnings), doc.warnings
    # No paragraph twice (table rows may legitimately repeat).
    paras = [l for l in doc.text.splitlines() if "\t" not in l and len(l) >= 10]
    assert len(paras) == len(set(paras)), "duplicated paragraph"
