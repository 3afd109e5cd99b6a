"""One run of a job at a time, across processes.

The same weekly job can be started by the long-running scheduler, by a systemd timer and by
hand (`govaudit schedule once`). Two overlapping runs would crawl the portal twice and mail
twice, so each run holds an exclusive `flock` on `<lock dir>/<job id>.lock`. The kernel drops
the lock when the holder dies, so a crashed run never leaves a stale lock behind.

A PostgreSQL store is shared by processes on several machines, where a file lock holds on one
only: there the lock is a session advisory lock of the server (`ServerLock`), which the server
drops when the holder's connection dies. `store_lock` picks the one that fits the store.
"""
from __future__ import annotations

import fcntl
import os
import zlib
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Union

import sqlalchemy as sa


class JobLocked(RuntimeError):
    """Another process (or another run in this one) holds the job's lock."""


class JobLock:
    def __init__(self, lock_dir: str | Path, name: str):
        self.path = Path(lock_dir) / f"{name}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown holder"
            os.close(fd)
            raise JobLocked(f"{self.path} is held ({holder})") from None
        # Who holds it, for the message the second run prints.
        os.ftruncate(fd, 0)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()} since {started}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "JobLock":
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def lock_dir_for(store_path: str | Path) -> Path:
    """Locks live beside a SQLite store, so every process using one store shares them (for a
    server store, in the machine's state directory: see `store_lock`)."""
    from govaudit.db import state_dir, store_location

    location = store_location(store_path)
    return (location.resolve().parent if isinstance(location, Path) else state_dir(location)) / "locks"


_ADVISORY_NAMESPACE = 0x67A0D17  # first key of every govaudit advisory lock


class ServerLock:
    """JobLock's promise on a PostgreSQL store: one holder across all machines using it."""

    def __init__(self, store: str, name: str):
        self.store = store
        self.name = name
        self.key = zlib.crc32(name.encode()) - 2**31  # the server's second key is a signed int4
        self._conn: Any = None

    def try_acquire(self, wait: bool = False) -> bool:
        from govaudit.db import engine

        conn = engine(self.store).connect()
        function = sa.func.pg_advisory_lock if wait else sa.func.pg_try_advisory_lock
        got = conn.execute(sa.select(function(_ADVISORY_NAMESPACE, self.key))).scalar()
        conn.commit()
        if got is False:
            conn.close()
            return False
        self._conn = conn
        return True

    def acquire(self) -> None:
        from govaudit.db import shown_store

        if not self.try_acquire():
            raise JobLocked(f"{self.name} is held by another process using {shown_store(self.store)}")

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(sa.select(sa.func.pg_advisory_unlock(_ADVISORY_NAMESPACE, self.key)))
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "ServerLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def store_lock(store_path: str | Path, name: str) -> Union[JobLock, ServerLock]:
    """The lock named `name` for every process that uses this store."""
    from govaudit.db import store_location

    location = store_location(store_path)
    return ServerLock(location, name) if isinstance(location, str) else JobLock(lock_dir_for(location), name)
