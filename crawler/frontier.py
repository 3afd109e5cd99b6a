"""The shared frontier of a crawl spread over workers: its Redis keys and the atomic steps on them.

scrapy-redis keeps a crawl's requests in one sorted set per spider and its duplicate filter in a
set, so any number of Scrapy processes can take requests from one queue. It pops a request for
good, though: a worker killed with requests in hand loses them. Here a pop moves the request
into a lease (a hash field named after the worker) in the same Lua script, the worker releases
the lease once the request's callback has run and its pages are stored, and a worker that
stops heartbeating has its leases put back in the queue by whoever notices first. With that,
"queue empty and no lease held" means the crawl is complete.

Per-host politeness lives here too: the next time a host may be asked, kept in Redis and taken
by one worker at a time, so a host gets its configured rate from all workers together. Clock
readings come from the Redis server (TIME), so machines with skewed clocks still agree.
"""
from __future__ import annotations

import json
import os
import socket
import uuid
from urllib.parse import urlsplit, urlunsplit
from typing import Any, Iterable

import redis

ROOT = "govaudit"
JOBS = f"{ROOT}:jobs"  # ids of the crawls workers may join

# KEYS: queue, leases, lease scores; ARGV: lease token. The request with the best score leaves
# the queue and becomes a lease under the token, or nothing when the queue is empty.
_LEASE_POP = """
local got = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #got == 0 then return false end
redis.call('ZREM', KEYS[1], got[1])
redis.call('HSET', KEYS[2], ARGV[1], got[1])
redis.call('HSET', KEYS[3], ARGV[1], got[2])
return got[1]
"""
# KEYS: queue, leases, lease scores; ARGV: heartbeat key prefix. Leases whose worker has no live
# heartbeat go back to the queue with their score; returns how many.
_REQUEUE_DEAD = """
local n = 0
for _, token in ipairs(redis.call('HKEYS', KEYS[2])) do
  local worker = string.match(token, '^(.*):[^:]*$') or token
  if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    local data = redis.call('HGET', KEYS[2], token)
    local score = redis.call('HGET', KEYS[3], token) or '0'
    redis.call('ZADD', KEYS[1], score, data)
    redis.call('HDEL', KEYS[2], token)
    redis.call('HDEL', KEYS[3], token)
    n = n + 1
  end
end
return n
"""
# KEYS: queue, listed set; ARGV: score, request, listing key. A listed document's request joins
# the queue only the first time any worker lists it; marking and queueing are one step, so a
# worker killed between them cannot leave a document marked but never requested.
_PUSH_ONCE = """
if redis.call('SADD', KEYS[2], ARGV[3]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
return 1
"""
# KEYS: the host's next-allowed key; ARGV: interval in seconds. 0 when this caller may send now
# (the next one may send `interval` later), else the seconds to wait.
_PACE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if t >= nxt then
  local interval = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], string.format('%.6f', t + interval), 'PX', math.ceil(interval * 1000) + 60000)
  return '0'
end
return string.format('%.6f', nxt - t)
"""


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Frontier:
    """One crawl's keys in Redis (`govaudit:crawl:<job>:…`), and the operations on them."""

    def __init__(self, server: redis.Redis, job: str):
        self.server, self.job = server, job
        self.prefix = f"{ROOT}:crawl:{job}"
        self._lease_pop = server.register_script(_LEASE_POP)
        self._requeue_dead = server.register_script(_REQUEUE_DEAD)
        self._push_once = server.register_script(_PUSH_ONCE)

    @classmethod
    def connect(cls, url: str, job: str) -> "Frontier":
        return cls(redis.Redis.from_url(url), job)

    # key names (the queue and duplicate filter ones are scrapy-redis templates) -------------
    def queue_key(self, spider: str = "%(spider)s") -> str:
        return f"{self.prefix}:{spider}:requests"

    def dupefilter_key(self, spider: str = "%(spider)s") -> str:
        return f"{self.prefix}:{spider}:dupefilter"

    def _leases(self, spider: str) -> tuple[str, str]:
        return f"{self.prefix}:{spider}:leases", f"{self.prefix}:{spider}:lease-scores"

    @property
    def listed_key(self) -> str:
        return f"{self.prefix}:listed"

    @staticmethod
    def heartbeat_key(worker: str) -> str:
        return f"{ROOT}:worker:{worker}"

    # requests --------------------------------------------------------------------------
    def push_once(self, spider: str, score: float, data: bytes, listing: str) -> bool:
        return bool(self._push_once(keys=[self.queue_key(spider), self.listed_key], args=[score, data, listing]))

    def lease_pop(self, spider: str, token: str) -> bytes | None:
        return self._lease_pop(keys=[self.queue_key(spider), *self._leases(spider)], args=[token])

    def release(self, spider: str, token: str) -> None:
        leases, scores = self._leases(spider)
        with self.server.pipeline() as pipe:
            pipe.hdel(leases, token)
            pipe.hdel(scores, token)
            pipe.execute()

    def requeue_dead(self, spiders: Iterable[str]) -> int:
        """Put back the leases of workers without a live heartbeat; how many went back."""
        n = sum(int(self._requeue_dead(keys=[self.queue_key(s), *self._leases(s)],
                                       args=[self.heartbeat_key("")])) for s in spiders)
        if n:
            self.server.incrby(f"{self.prefix}:requeued", n)
        return n

    def requeued(self) -> int:
        return int(self.server.get(f"{self.prefix}:requeued") or 0)

    def pending(self, spiders: Iterable[str]) -> tuple[int, int]:
        """(queued, leased) requests of these spiders, read in one transaction."""
        spiders = list(spiders)
        with self.server.pipeline(transaction=True) as pipe:
            for s in spiders:
                pipe.zcard(self.queue_key(s))
                pipe.hlen(self._leases(s)[0])
            counts = pipe.execute()
        return sum(counts[0::2]), sum(counts[1::2])

    def drained(self, spiders: Iterable[str]) -> bool:
        return self.pending(spiders) == (0, 0)

    # workers ---------------------------------------------------------------------------
    def heartbeat(self, worker: str, ttl: float) -> None:
        self.server.set(self.heartbeat_key(worker), self.job, px=int(ttl * 1000))
        self.server.sadd(f"{self.prefix}:workers", worker)

    def workers(self) -> set[str]:
        return {_text(w) for w in self.server.smembers(f"{self.prefix}:workers")}

    def alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.heartbeat_key(worker)))

    def stop_beating(self, worker: str) -> None:
        self.server.delete(self.heartbeat_key(worker))

    # the job: what workers need to run it, its state, and the events they send back ---------
    def publish(self, spec: dict[str, Any]) -> None:
        self.server.set(f"{self.prefix}:spec", json.dumps(spec, ensure_ascii=False))
        self.server.set(f"{self.prefix}:state", "running")
        self.server.sadd(JOBS, self.job)

    def spec(self) -> dict[str, Any] | None:
        raw = self.server.get(f"{self.prefix}:spec")
        return json.loads(raw) if raw else None

    def state(self) -> str:
        raw = self.server.get(f"{self.prefix}:state")
        return _text(raw) if raw else "gone"

    def finish(self, state: str) -> None:
        self.server.set(f"{self.prefix}:state", state)
        self.server.srem(JOBS, self.job)

    def send_event(self, line: str) -> None:
        self.server.rpush(f"{self.prefix}:events", line)

    def take_events(self) -> list[str]:
        key = f"{self.prefix}:events"
        with self.server.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            lines, _ = pipe.execute()
        return [_text(line) for line in lines]

    def clear(self, spiders: Iterable[str], keep_seconds: int = 3600) -> None:
        """Drop the queue, leases, duplicate filter and listed set; the spec and state stay a while
        so a late worker sees the crawl is over instead of an unknown job."""
        keys = [self.listed_key, f"{self.prefix}:workers", f"{self.prefix}:requeued"]
        for s in spiders:
            keys += [self.queue_key(s), self.dupefilter_key(s), *self._leases(s)]
        self.server.delete(*keys)
        for key in (f"{self.prefix}:spec", f"{self.prefix}:state", f"{self.prefix}:events"):
            self.server.expire(key, keep_seconds)


WAITING = f"{ROOT}:waiting:"  # + worker id: a worker ready to join the next crawl (expires unless renewed)


def waiting_workers(server: redis.Redis) -> int:
    return sum(1 for _ in server.scan_iter(match=f"{WAITING}*"))


def jobs(server: redis.Redis) -> list[str]:
    return sorted(_text(j) for j in server.smembers(JOBS))


def redact(url: str) -> str:
    """The Redis URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Pace:
    """Per-host spacing shared by every worker: `wait(host, interval)` is 0 when a request to the
    host may leave now (and books the next one `interval` later), else the seconds to wait."""

    def __init__(self, server: redis.Redis):
        self.server = server
        self._pace = server.register_script(_PACE)

    def wait(self, host: str, interval: float) -> float:
        return float(self._pace(keys=[f"{ROOT}:pace:{host}"], args=[interval]))
