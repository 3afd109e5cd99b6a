"""govaudit's auditing side: normalisation, rules, findings, history, report, email, schedule, CLI.

For analysts, `from audits import open_store` gives a stored crawl's frames and a run's findings
as DataFrames (see `audits.api`); it is imported on first use, so `govaudit --help` stays quick.
"""
from __future__ import annotations

import os
from typing import Any

# Great Expectations sends usage analytics unless told not to, and it may be imported by any
# module below (rules, pipeline, benches); nothing at run time may leave the machine.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def __getattr__(name: str) -> Any:
    if name in ("open_store", "AuditStore", "AuditFrames"):
        from audits import api

        return getattr(api, name)
    raise AttributeError(f"module 'audits' has no attribute {name!r}")
