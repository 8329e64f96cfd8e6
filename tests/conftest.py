"""Fixtures shared by test modules; a module's own fixture of the same name wins."""
from __future__ import annotations

import pytest

from nianbao.demo.server import SamplePortals


@pytest.fixture(scope="module")
def portals():
    """The sample portals in their first state, on free ports of 127.0.0.1."""
    with SamplePortals(port=0) as p:
        yield p
