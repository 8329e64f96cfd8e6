"""Fixtures shared by test modules; a module's own fixture of the same name wins."""
from __future__ import annotations

import pytest

from nianbao.demo.server import SamplePortals


@pytest.fixture(scope="module")
def portals():
    """The sample portals in their first state, on free ports of 127.0.0.1."""
    with SamplePortals(port=0) as p:
        yield p


def pytest_collection_modifyitems(config, items):
    """End-to-end tests and browser tests are slow: the fast loop (-m "not slow") leaves
    them to the full suite."""
    for item in items:
        if "tests/e2e/" in item.nodeid or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
