"""Session-scoped pytest fixtures: one demo portal (seed 7, size 300) and one redis-server for the whole run."""
from __future__ import annotations

import pytest

from tests.corpus import absent
from tests.mockserver import start_demo_portal
from tests.mockserver.redis_server import RedisServer, RedisUnavailable


@pytest.fixture(scope="session")
def demo_portal():
    portal = start_demo_portal(seed=7, size=300)
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on a free loopback port (nothing saved); skipped when Debian's
    redis-server is missing, a failure under CI=true."""
    server = RedisServer()
    try:
        server.start()
    except RedisUnavailable as exc:
        absent("redis-server", str(exc))
    try:
        yield server
    finally:
        server.stop()
