"""Helpers shared by the tests: paths, archive builders, crawl helpers, HTTP helpers.

Everything a test reads lives inside the repository: page fixtures in `tests/pages/`,
real pages and reports in `tests/data/real-pages/` (copied from public sources, see its
README), the seed texts in `demo/seeds/`.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "pages"
REAL_PAGES = ROOT / "tests" / "data" / "real-pages"
SEEDS = ROOT / "demo" / "seeds"
