"""Every request meta key the code uses is listed, with its owner, in crawler/meta.py."""
import re

from nianbao.crawler import meta
from tests.support import ROOT


def test_every_nianbao_meta_key_in_the_code_is_documented():
    used = set()
    for path in list((ROOT / "crawler").rglob("*.py")) + list((ROOT / "nianbao").rglob("*.py")):
        used |= set(re.findall(r"[\"'](nianbao_[a-z_]+)[\"']", path.read_text(encoding="utf-8")))
    assert used <= meta.ALL, sorted(used - meta.ALL)
    table = (ROOT / "crawler" / "meta.py").read_text(encoding="utf-8")
    assert all(f"| {key} |" in table for key in meta.ALL)
