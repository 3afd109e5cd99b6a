"""Baseline: the schema as the store had it before migrations (crawls, pages, attachment files,
catalog changes, runs and their findings, job runs, the outbox, probes).

A store written before this revision existed has no version table: its tables are kept and any
column it predates (pages' column_name, column_kind and listing; runs' trial; frame-contract
columns) is added, exactly as opening it used to. A new store gets every table.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

from alembic import op

from govaudit.migrations import add_missing_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_missing_columns(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone; restore a backup of the store instead")
