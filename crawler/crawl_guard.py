"""Who owns a crawl row, and what is left when its owner dies.

On a PostgreSQL store (crawls started on several machines) the owner holds a session advisory
lock of the server instead of the flock (`held`): the server drops it when the owner dies.

The parent process (`crawler.crawl`) holds an flock on `locks/crawl-<id>.lock` beside the
store for as long as it runs a crawl; the kernel drops the lock when the process dies, even by
kill -9. So at the next start a 'running' row whose lock is free belongs to a dead crawl and is
closed (partial when it stored pages, else failed) instead of staying 'running' forever. A
little disk is also set aside per crawl, freed before the row is closed, so that a crawl that
filled the disk can still be marked failed.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from govaudit.db import state_dir, store_location
from govaudit.locks import ServerLock
from govaudit.store import Store


RESERVE_BYTES = 1024 * 1024


def reserve_space(path: Path) -> Path | None:
    """Set aside a little disk beside the store, freed before the crawl row is closed: a crawl
    that fills the disk can still be marked failed instead of staying 'running'."""
    try:
        with open(path, "wb") as handle:
            handle.write(b"\0" * RESERVE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
        return path
    except OSError:
        path.unlink(missing_ok=True)
        return None


def lock_path(store_path: Path | str, name: str) -> Path:
    location = store_location(store_path)
    directory = location.resolve().parent if isinstance(location, Path) else state_dir(location)
    return directory / "locks" / f"{name}.lock"


@contextmanager
def held(store_path: Path | str, name: str, wait: bool = True) -> Iterator[bool]:
    """The store-wide lock `name` for the block (False when `wait` is off and it is held)."""
    location = store_location(store_path)
    if isinstance(location, Path):
        with flock(lock_path(location, name), wait) as got:
            yield got
        return
    lock = ServerLock(location, name)
    got = lock.try_acquire(wait)
    try:
        yield got
    finally:
        if got:
            lock.release()


@contextmanager
def flock(path: Path, wait: bool = True) -> Iterator[bool]:
    """An exclusive flock on `path` for the block; yields False when `wait` is off and it is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def close_stale_crawls(store: Store, store_path: Path | str) -> list[int]:
    """Mark failed (or partial, when it stored pages) every 'running' crawl whose owner died:
    a crawl killed with its `govaudit crawl` process must not stay 'running' forever."""
    closed = []
    for crawl in store.crawls():
        if crawl["status"] != "running":
            continue
        with held(store_path, f"crawl-{crawl['id']}", wait=False) as free:
            if not free:
                continue  # its process is alive
            pages = store.page_count(crawl["id"])
            store.finish_crawl(crawl["id"], "partial" if pages else "failed",
                               {**crawl["stats"], "pages": pages,
                                "closed": {"reason": "the crawl process died; closed at the next start"}})
            closed.append(crawl["id"])
    return closed
