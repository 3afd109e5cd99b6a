"""Session-scoped pytest fixture: one demo portal (seed 7, size 300) for the whole run."""
from __future__ import annotations

import pytest

from tests.mockserver import start_demo_portal


@pytest.fixture(scope="session")
def demo_portal():
    portal = start_demo_portal(seed=7, size=300)
    try:
        yield portal
    finally:
        portal.stop()
