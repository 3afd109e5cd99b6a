"""Why a store cannot be used, in one line that names the store, the cause and the fix.

Commands print a StoreError and exit 3, no traceback. A SQLite file fails by its path (a
directory, read-only, a full disk); a PostgreSQL server by its URL (unreachable, login refused,
no such database). Passwords never appear in a message.
"""
from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

MIN_FREE_BYTES = 16 * 1024 * 1024  # below this a crawl or audit would stop half-way: refused up front


def shown_store(ref: str | Path) -> str:
    """The store as messages name it: the file, or the URL without its password."""
    text = str(ref)
    if "://" not in text:
        return text
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import make_url

    try:
        return make_url(text).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return text.split("@")[-1]


class StoreError(RuntimeError):
    """The store cannot be used (a directory, read-only, disk full, server unreachable): one line
    naming the store, the cause and the fix. Commands print it and exit 3, no traceback."""


def store_problem(path: str | Path, writing: bool = True) -> str | None:
    """Why the SQLite store at `path` cannot be used, found before any work starts; None if it can.
    A server store has no such checks here: `govaudit.db.connect` reports its problems."""
    if "://" in str(path) and not isinstance(path, Path):
        return None
    path = Path(path)
    if path.is_dir():
        return f"the store {path} is a directory; pass the path of a SQLite file, e.g. {path / 'govaudit.sqlite3'}"
    if not writing:
        return None
    existing = next((p for p in [path, *path.absolute().parents] if p.exists()), None)
    if existing is not None and not existing.is_dir() and existing != path:
        return f"cannot create the store {path}: {existing} is a file, not a directory"
    target = path if path.exists() else existing
    if target is not None and not os.access(target, os.W_OK):
        what = "is read-only" if target == path else f"cannot be created: {target} is not writable"
        return f"the store {path} {what}; pass a writable --store or fix the permissions"
    if target is not None:
        try:
            free = shutil.disk_usage(target if target.is_dir() else target.parent).free
        except OSError:
            free = None
        if free is not None and free < MIN_FREE_BYTES:
            return (f"the disk holding the store {path} is full ({free // 1024} KiB free, at least "
                    f"{MIN_FREE_BYTES // (1024 * 1024)} MiB needed); free some space or pass another --store")
    return None


def _server_failure(text: str, store: str) -> StoreError:
    first = text.strip().splitlines()[0] if text.strip() else "no answer"
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low or (
            "role" in low and "does not exist" in low):
        return StoreError(f"the PostgreSQL server refused the login for the store {store} ({first}); "
                          f"check the user and password in the URL")
    if "database" in low and "does not exist" in low:
        return StoreError(f"the database named in the store {store} does not exist ({first}); "
                          f"create it (createdb) or fix the URL")
    if any(s in low for s in ("connection refused", "could not connect", "connection failed", "timeout expired",
                              "could not translate host name", "no route to host", "name or service not known")):
        return StoreError(f"cannot reach the PostgreSQL server of the store {store} ({first}); "
                          f"start the server or fix host and port in the URL")
    return StoreError(f"the PostgreSQL store {store} failed ({first}); check the server and the URL")


def storage_failure(exc: BaseException, path: str | Path) -> StoreError | None:
    """A StoreError for an error that means the store refuses work: a disk or file that refuses
    writes, or a database server that cannot be reached or refuses the login."""
    from sqlalchemy import exc as sa_exc

    store = shown_store(path)
    cause: BaseException = exc.orig if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None else exc
    text = str(cause).lower()
    if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(f"the disk is full writing near {store} ({cause.strerror}); free some space and run again")
    if isinstance(cause, OSError) and cause.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR):
        return StoreError(f"cannot write near {store}: {cause.strerror}; pass a writable --store")
    if isinstance(cause, sqlite3.Error):
        if "disk is full" in text or "disk i/o" in text:
            return StoreError(f"the disk holding the store {store} is full ({cause}); free some space and run again")
        if "readonly" in text or "read-only" in text:
            return StoreError(f"the store {store} is read-only ({cause}); pass a writable --store")
        if "unable to open" in text or "not a database" in text:
            return StoreError(f"cannot open the store {store} ({cause}); check the --store path")
        return None
    psycopg = type(cause).__module__.startswith("psycopg")
    if psycopg and isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return _server_failure(str(cause), store)
    if psycopg and ("disk full" in text or "no space left" in text):
        return StoreError(f"the PostgreSQL server of the store {store} has no disk space left ({cause}); "
                          f"free some space on the server and run again")
    return None
