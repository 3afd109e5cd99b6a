"""What the demo portal was asked, by whom and when: the evidence for a crawler's politeness.

Each request outside the control paths is kept with its method, path, User-Agent, client
address and the times its handling began and ended, so a test can read from the server side
which agent a crawler announced, how many of its requests were in flight at once and how far
apart it started them. `/_demo/requests` returns the log as JSON.
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass


@dataclass
class LoggedRequest:
    method: str
    path: str
    user_agent: str
    client: str  # "host:port" of the connection
    started: float  # time.time() when handling began
    ended: float | None = None
    status: int | None = None


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def begin(self, method: str, path: str, user_agent: str, client: str) -> LoggedRequest:
        entry = LoggedRequest(method, path, user_agent, client, time.time())
        with self._lock:
            self._entries.append(entry)
        return entry

    @staticmethod
    def end(entry: LoggedRequest, status: int | None) -> None:
        entry.ended, entry.status = time.time(), status

    def as_json(self) -> list[dict]:
        with self._lock:
            return [asdict(e) for e in self._entries]


def max_in_flight(entries: list[dict]) -> int:
    """The largest number of requests whose handling overlapped in time."""
    events = sorted([(e["started"], 1) for e in entries] + [(e["ended"] or e["started"], -1) for e in entries],
                    key=lambda ev: (ev[0], ev[1]))  # an end at the same instant as a start comes first
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most
