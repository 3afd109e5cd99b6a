"""Runs of record and trial runs: which audit runs make up the weekly history.

A supervisor's history (what is new this week, what was resolved, how long a finding has been
open, the trend of a unit's score) must be made of the weekly runs that were sent, not of the
experiments a rule tuner runs between them. So every stored run is one of two kinds:

- a **run of record**: a scheduled job (`govaudit schedule run|once`), `govaudit demo`, or an
  explicit `govaudit audit --record`;
- a **trial**: `govaudit audit` by default (`--trial` says so explicitly). A trial is stored and
  can be rendered and re-rendered, and it is compared against the last run of record, but no
  later run ever compares against it, counts it in open-for-N or draws it in a trend.

The flag is a column of `runs` (0 = record, the value every run stored before trials existed
keeps), added here to stores made by older versions.
"""
from __future__ import annotations

import sqlite3

RECORD_RUNS = "trial = 0"  # SQL condition selecting runs of record


def ensure_trial_column(conn: sqlite3.Connection) -> None:
    present = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    if "trial" not in present:
        conn.execute("ALTER TABLE runs ADD COLUMN trial INTEGER NOT NULL DEFAULT 0")


def is_trial(run: dict) -> bool:
    return bool(run.get("trial"))
