"""Where the store lives and how every module talks to it: one SQLAlchemy engine per store.

A store is named by `--store` / `GOVAUDIT_DB`: a bare path or `sqlite:///path` is the embedded
SQLite file (the default, one machine), `postgresql://user:password@host/db` a shared server that
several crawlers, audits, the scheduler and the mailer use at once. Modules write SQLAlchemy Core
statements against the tables of `govaudit.schema` through a `StoreConnection`; it keeps the
transaction habit of the code it replaced (`with conn:` commits or rolls back one unit of work)
and rows that read both by position and by column name.

`connect` brings the schema to the newest Alembic revision before handing out a connection, so a
store written by an older govaudit (a SQLite file made before the migrations existed included)
upgrades in place.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence, Union

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.pool import NullPool

from govaudit.storeerrors import StoreError, shown_store, storage_failure, store_problem

StoreRef = Union[str, Path]
STATE_DIR_ENV = "GOVAUDIT_STATE_DIR"  # logs and locks of a server store (a file store keeps them beside it)
DEFAULT_STATE_DIR = Path("var")
SQLITE_BUSY_SECONDS = 30  # a writer waits this long for another one before SQLite says "locked"
SERVER_SCHEMES = ("postgresql", "postgres")
URL_HINT = "write sqlite:///path/to/govaudit.sqlite3 or postgresql://user:password@host:5432/dbname"

__all__ = ["StoreError", "storage_failure", "store_problem", "StoreConnection", "connect", "store_location"]


def store_location(ref: StoreRef) -> Path | str:
    """The store `ref` names: a Path for a SQLite file (bare path or sqlite:/// URL), else the
    server URL as given. Unsupported or malformed URLs are a StoreError naming the fix."""
    text = str(ref)
    if isinstance(ref, Path) or "://" not in text:
        return Path(text)
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError:
        raise StoreError(f"cannot read the store URL {text!r}; {URL_HINT}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError(f"the store URL {text!r} names no file; {URL_HINT}")
        return Path(url.database)
    if backend in SERVER_SCHEMES:
        if not url.database:
            raise StoreError(f"the store URL {shown_store(text)} names no database; {URL_HINT}")
        return text
    raise StoreError(f"the store URL {shown_store(text)} names a {backend} database, which govaudit does not "
                     f"support; {URL_HINT}")


def is_server(ref: StoreRef) -> bool:
    return isinstance(store_location(ref), str)


def absolute(ref: StoreRef) -> str:
    """The store as a string that means the same from any working directory."""
    location = store_location(ref)
    return str(location.resolve()) if isinstance(location, Path) else location


def state_dir(ref: StoreRef) -> Path:
    """Where logs and lock files of this store go: beside a SQLite file; for a server store the
    directory of $GOVAUDIT_STATE_DIR (default var/), which each machine keeps for itself."""
    location = store_location(ref)
    if isinstance(location, Path):
        return location.absolute().parent
    return Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR).absolute()


def engine_url(location: Path | str) -> sa.URL:
    if isinstance(location, Path):
        return sa.URL.create("sqlite", database=str(location))
    url = sa.make_url(location)
    return url.set(drivername="postgresql+psycopg") if url.drivername in SERVER_SCHEMES else url


_engines: dict[tuple[int, str], sa.Engine] = {}
_at_head: set[tuple[int, str]] = set()
_engines_lock = threading.Lock()


def engine(ref: StoreRef) -> sa.Engine:
    """The engine of a store, one per process (a forked child builds its own)."""
    location = store_location(ref)
    url = engine_url(location)
    key = (os.getpid(), url.render_as_string(hide_password=False))
    with _engines_lock:
        if key not in _engines:
            _engines[key] = _create_engine(url)
        return _engines[key]


def _create_engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() == "sqlite":
        # No pool: a file replaced under the same name (tests, a restored backup) is opened afresh.
        created = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_SECONDS})

        @sa.event.listens_for(created, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets a report read while a crawl writes; SQLite leaves foreign keys off by default.
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
        return created
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def dispose_engines() -> None:
    """Close pooled server connections (before a fork, or at the end of a test session)."""
    with _engines_lock:
        for created in _engines.values():
            created.dispose()
        _engines.clear()
        _at_head.clear()


class Record:
    """One row, read like sqlite3.Row: by position, by column name, or as a dict."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple):
        self._index = index
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"Record({dict(zip(self._index, self._values))!r})"


class StoreResult:
    """The rows (or the count) of one statement."""

    def __init__(self, result: sa.CursorResult):
        self._result = result
        self._index = {name: i for i, name in enumerate(result.keys())} if result.returns_rows else {}

    def __iter__(self) -> Iterator[Record]:
        for row in self._result:
            yield Record(self._index, tuple(row))

    def fetchone(self) -> Record | None:
        row = self._result.fetchone()
        return None if row is None else Record(self._index, tuple(row))

    def fetchall(self) -> list[Record]:
        return list(self)

    def scalar(self) -> Any:
        return self._result.scalar()

    @property
    def rowcount(self) -> int:
        return int(self._result.rowcount)

    @property
    def inserted_id(self) -> int:
        """The generated id of the one row a Core INSERT just added."""
        key = self._result.inserted_primary_key
        assert key is not None  # a single-row INSERT of a table with a generated key
        return int(key[0])

    def close(self) -> None:
        self._result.close()


class StoreConnection:
    """A connection to the store. `with conn:` is one transaction (commit, or rollback on error);
    statements outside one are committed by the next `with conn:` or rolled back on close."""

    def __init__(self, conn: sa.Connection, location: Path | str):
        self.sa = conn
        self.location = location

    @property
    def dialect(self) -> str:
        return self.sa.dialect.name

    def execute(self, statement: Any, params: Any = None) -> StoreResult:
        """Run a Core statement (params: a dict, or a list of dicts for many rows). A plain
        string is driver SQL with the driver's placeholders: for one-off inspection only."""
        if isinstance(statement, str):
            return StoreResult(self.sa.exec_driver_sql(statement, tuple(params or ())))
        return StoreResult(self.sa.execute(statement, params))

    def executemany(self, statement: Any, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.sa.execute(statement, list(rows))

    def commit(self) -> None:
        self.sa.commit()

    def rollback(self) -> None:
        self.sa.rollback()

    def close(self) -> None:
        self.sa.close()

    def __enter__(self) -> "StoreConnection":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.sa.commit()
        else:
            self.sa.rollback()


def insert(conn: StoreConnection, table: sa.Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    return (pg_dialect if conn.dialect == "postgresql" else sqlite_dialect).insert(table)


def insert_ignoring_duplicates(conn: StoreConnection, table: sa.Table) -> Any:
    """INSERT that leaves a row whose key already exists alone (was INSERT OR IGNORE)."""
    return insert(conn, table).on_conflict_do_nothing()


def write_refused(exc: sa.exc.DBAPIError) -> bool:
    """Whether a failed write is the store refusing it (read-only, locked, full, or a PostgreSQL
    role without write rights) rather than a fault: caches then go on without being written."""
    return isinstance(exc, sa.exc.OperationalError) or "permission denied" in str(exc.orig).lower()


# Per-crawl caches (frames, GX answers) are kept for this many of the newest crawls, besides
# the crawl being audited: enough for a tuner comparing this week's crawl with the last ones,
# while a weekly schedule does not add a crawl's worth of cache to the store every week forever.
CACHED_CRAWLS = 3


def prune_crawl_cache(conn: StoreConnection, table: sa.Table, keep_crawl_id: int) -> None:
    """Delete the rows of per-crawl cache `table` (with a crawl_id column) except those of
    `keep_crawl_id` and of the CACHED_CRAWLS newest crawls. Runs inside the caller's transaction."""
    from govaudit import schema

    newest = sa.select(schema.crawls.c.id).order_by(schema.crawls.c.id.desc()).limit(CACHED_CRAWLS)
    kept = [row[0] for row in conn.execute(newest)] + [keep_crawl_id]
    conn.execute(sa.delete(table).where(table.c.crawl_id.not_in(kept)))


def insert_replacing(conn: StoreConnection, table: sa.Table, columns: Sequence[str]) -> Any:
    """INSERT that overwrites the row with the same key (was INSERT OR REPLACE)."""
    statement = insert(conn, table)
    keys = [c.name for c in table.primary_key]
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in columns if name not in keys})


def connect(ref: StoreRef) -> StoreConnection:
    """Open the store (creating a SQLite file if needed) at the newest schema revision."""
    location = store_location(ref)
    if isinstance(location, Path):
        if problem := store_problem(location, writing=False):
            raise StoreError(problem)
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise (storage_failure(exc, location) or exc) from None
    try:
        conn = engine(location).connect()
    except sa.exc.DBAPIError as exc:
        raise (storage_failure(exc, location) or exc) from None
    try:
        _ensure_schema(conn, location)
    except (sa.exc.DBAPIError, OSError) as exc:
        conn.close()
        raise (storage_failure(exc, location) or exc) from None
    return StoreConnection(conn, location)


def _ensure_schema(conn: sa.Connection, location: Path | str) -> None:
    from govaudit import migrations

    key = (os.getpid(), str(engine_url(location)))
    if isinstance(location, str) and key in _at_head:
        return  # a server database is not replaced under its URL: checked once per process
    # Checked without a lock first: a store already at the newest revision (the usual case) is
    # opened without waiting for a writer that holds SQLite's lock.
    if migrations.current_revision(conn) == migrations.head() and (key in _at_head
                                                                   or migrations.schema_complete(conn)):
        conn.rollback()
        _at_head.add(key)
        return
    migrations.upgrade(conn)
    _at_head.add(key)
