"""Alembic revisions of the store's schema, shipped with the package and run by `connect`.

No alembic.ini is needed: `upgrade` builds the configuration here and hands Alembic the open
connection. On PostgreSQL an advisory lock, on SQLite an immediate write transaction keeps two
processes that open a new store at once from both creating it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
_PG_LOCK_KEY = 0x60_7A_0D17  # any constant; the same in every govaudit process


def config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


# The newest revision in versions/. Every command that opens a store compares the store's
# revision with it; asking Alembic to read its script directory costs a quarter of a second
# per process, so it is written here and `tests/store/test_store_migrations.py` checks it
# against Alembic's own answer (a revision added without updating it fails there).
HEAD = "0002"


def head() -> str:
    return HEAD


@lru_cache(maxsize=1)
def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(config()).get_current_head())


def current_revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(conn: sa.Connection) -> None:
    """Bring the store to the newest revision in one transaction, then add contract columns
    introduced since (see `add_missing_columns`); commits."""
    from alembic import command

    conn.rollback()  # start clean: the lock below must be the transaction's first statement
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        if not sa.inspect(conn).get_table_names():
            create_at_head(conn)
        else:
            if current_revision(conn) != head():
                command.upgrade(config(conn), "head")
            add_missing_columns(conn)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def create_at_head(conn: sa.Connection) -> None:
    """A new, empty store: every table as the metadata declares it, stamped at the newest revision.

    What running every revision from the baseline gives (tests/store/test_store_backends.py
    compares the two), without Alembic reading its environment and revision scripts: that took
    ~30 ms for each store opened for the first time. Alembic's cookbook builds a database from
    scratch the same way ("create_all, then stamp head")."""
    from alembic.runtime.migration import MigrationContext

    from govaudit.schema import metadata

    metadata.create_all(conn)
    version = MigrationContext.configure(conn).impl.version_table_impl(
        version_table=VERSION_TABLE, version_table_schema=None, version_table_pk=True)  # Alembic's own table
    version.create(conn)
    conn.execute(version.insert().values(version_num=head()))


def schema_complete(conn: sa.Connection) -> bool:
    """Whether every table and column of the metadata is in the store (read only, no lock)."""
    from govaudit.schema import metadata

    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    return all(table.name in present
               and {c.name for c in table.columns} <= {c["name"] for c in inspector.get_columns(table.name)}
               for table in metadata.sorted_tables)


def add_missing_columns(conn: sa.Connection) -> None:
    """Add the columns the metadata declares but the store lacks: frame-contract columns that a
    newer govaudit introduced (and, for a store older than the baseline, every later column).
    Only nullable or defaulted columns are ever added this way."""
    from govaudit.schema import metadata

    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            table.create(conn)
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                declaration = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
                conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {declaration}"))
