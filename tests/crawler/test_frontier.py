"""The frontier's atomic steps on a real redis-server: a pop becomes a lease, a lease of a worker
without heartbeat goes back with its priority, a listed document joins the queue once, and a
host's turn is given to one caller per interval."""
from __future__ import annotations

import uuid

import pytest
import redis

from crawler.frontier import Frontier, Pace, redact

SPIDER = "hanweb"


@pytest.fixture
def frontier(redis_server):
    return Frontier(redis.Redis.from_url(redis_server.url), f"test-{uuid.uuid4().hex[:8]}")


def _push(frontier: Frontier, data: bytes, score: float = 0) -> None:
    frontier.server.zadd(frontier.queue_key(SPIDER), {data: score})


def test_a_popped_request_is_leased_until_released(frontier):
    _push(frontier, b"low", score=0)
    _push(frontier, b"high", score=-5)  # scrapy-redis scores are -priority: the lowest leaves first
    assert frontier.lease_pop(SPIDER, "w1:1") == b"high"
    assert frontier.pending([SPIDER]) == (1, 1)
    assert not frontier.drained([SPIDER])
    assert frontier.lease_pop(SPIDER, "w1:2") == b"low"
    assert frontier.lease_pop(SPIDER, "w1:3") is None
    frontier.release(SPIDER, "w1:1")
    frontier.release(SPIDER, "w1:2")
    assert frontier.drained([SPIDER])


def test_leases_of_a_worker_without_heartbeat_go_back_with_their_priority(frontier):
    frontier.heartbeat("alive", ttl=30)
    _push(frontier, b"kept", score=-1)
    _push(frontier, b"lost", score=-3)
    assert frontier.lease_pop(SPIDER, "dead-worker:1") == b"lost"
    assert frontier.lease_pop(SPIDER, "alive:1") == b"kept"
    assert frontier.requeue_dead([SPIDER]) == 1  # only the dead worker's lease
    assert frontier.pending([SPIDER]) == (1, 1)
    assert frontier.server.zscore(frontier.queue_key(SPIDER), b"lost") == -3
    assert frontier.requeued() == 1
    frontier.stop_beating("alive")
    assert frontier.requeue_dead([SPIDER]) == 1
    assert frontier.pending([SPIDER]) == (2, 0)


def test_a_listed_document_joins_the_queue_once(frontier):
    assert frontier.push_once(SPIDER, 0, b"request-a", "濮院镇\nhttp://x/1.html")
    assert not frontier.push_once(SPIDER, 0, b"request-a-again", "濮院镇\nhttp://x/1.html")
    assert frontier.push_once(SPIDER, 0, b"request-b", "崇福镇\nhttp://x/1.html")  # per unit, as in one process
    assert frontier.pending([SPIDER]) == (2, 0)


def test_a_host_turn_goes_to_one_caller_per_interval(redis_server):
    pace = Pace(redis.Redis.from_url(redis_server.url))
    host = f"county-{uuid.uuid4().hex[:6]}.example"
    assert pace.wait(host, 30.0) == 0  # the first caller goes
    waits = [pace.wait(host, 30.0) for _ in range(5)]  # every other caller is told to wait
    assert all(0 < w <= 30.0 for w in waits), waits
    assert pace.wait(f"other-{host}", 30.0) == 0  # another host has its own turn


def test_redis_urls_are_shown_without_password():
    assert redact("redis://:pw@hub:6379/0") == "redis://:***@hub:6379/0"
    assert redact("rediss://user:pw@hub/1") == "rediss://user:***@hub/1"
    assert redact("redis://hub:6379/0") == "redis://hub:6379/0"
