"""Findings, document snapshots and rule statistics keep their frame's row order in `position`.

SQLite returned them in insertion order (rowid); PostgreSQL has no rowid and no order without
ORDER BY. Rows stored before this revision take their SQLite rowid as position.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("findings", "doc_snapshots", "rule_stats")


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in TABLES:
        if "position" not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column("position", sa.Integer))
        if bind.dialect.name == "sqlite":
            op.execute(f"UPDATE {table} SET position = rowid WHERE position IS NULL")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("position")
