"""One run of a job at a time, across processes.

The same weekly job can be started by the long-running scheduler, by a systemd timer and by
hand (`govaudit schedule once`). Two overlapping runs would crawl the portal twice and mail
twice, so each run holds an exclusive `flock` on `<lock dir>/<job id>.lock`. The kernel drops
the lock when the holder dies, so a crashed run never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType


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
    """Locks live beside the store, so every process using one store shares them."""
    return Path(store_path).resolve().parent / "locks"
