"""Every default of govaudit in one place, overridable by environment variables.

Paths are resolved against the working directory so that `make demo` and the tests keep
their state beside the checkout (`var/`, `reports_out/`), never in the user's home.
"""
from __future__ import annotations

import os
from pathlib import Path

# Telemetry must never leave the machine; set before Great Expectations is imported anywhere.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

PACKAGE_ROOT = Path(__file__).resolve().parent.parent

STORE_PATH_ENV = "GOVAUDIT_DB"  # a path, sqlite:///path or postgresql://user:password@host/db
STORE_PATH_ENV_OLD = "GOVAUDIT_STORE"  # the earlier name, still read
RULES_DIR_ENV = "GOVAUDIT_RULES"
REPORTS_DIR_ENV = "GOVAUDIT_REPORTS"

DEFAULT_STORE_PATH = Path("var/govaudit.sqlite3")
STORE_HELP = ("store: a SQLite file (path or sqlite:///path) or postgresql://user:password@host/db "
              f"(default ${STORE_PATH_ENV}, else {DEFAULT_STORE_PATH})")
DEFAULT_REPORTS_DIR = Path("reports_out")
DEFAULT_RULES_DIR = PACKAGE_ROOT / "expectations"
SITES_DIR = PACKAGE_ROOT / "crawler" / "sites"
DEFAULT_TIMEZONE = "Asia/Shanghai"
# Longest text a rule reads from a cell (longer page text is cut, marked with …): bounds the
# time any rule regex can take on one hostile value.
RULE_TEXT_CAP = 2000

# From this many days before the working-day calendar ends, warn that it needs an update.
CALENDAR_WARN_DAYS_ENV = "GOVAUDIT_CALENDAR_WARN_DAYS"
DEFAULT_CALENDAR_WARN_DAYS = 60
# Logs of scheduled runs and crawls (the crontab appends here too).
LOG_DIR_NAME = "logs"


def store_path(explicit: str | Path | None = None) -> Path | str:
    """The store: a Path for a SQLite file (bare path or sqlite:/// URL), the URL string of a
    PostgreSQL store (a malformed or unsupported URL raises govaudit.store.StoreError)."""
    from govaudit.db import store_location

    return store_location(explicit or os.environ.get(STORE_PATH_ENV) or os.environ.get(STORE_PATH_ENV_OLD)
                          or DEFAULT_STORE_PATH)


def rules_dir(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get(RULES_DIR_ENV) or DEFAULT_RULES_DIR)


def reports_dir(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get(REPORTS_DIR_ENV) or DEFAULT_REPORTS_DIR)


def calendar_warn_days() -> int:
    value = os.environ.get(CALENDAR_WARN_DAYS_ENV, "")
    return int(value) if value.strip().isdigit() else DEFAULT_CALENDAR_WARN_DAYS
