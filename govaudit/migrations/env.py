"""Alembic environment: runs on the connection `govaudit.migrations.upgrade` passes in."""
from __future__ import annotations

from alembic import context

from govaudit.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the store's migrations run through govaudit.db.connect, which passes the connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
