"""Waiting on a crawl that runs in another process, for the tests that interrupt one half-way."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from govaudit.store import Store


def wait_for_pages(store: Path, at_least: int, proc: subprocess.Popen, timeout: float = 60) -> int:
    """The id of the newest crawl in `store` once it holds `at_least` pages; fails if the crawl
    process `proc` ends first (with its stderr, when piped) or the pages do not come in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"the crawl ended before it could be interrupted: {err}")
        if store.exists():
            with Store(store) as st:
                row = st.conn.execute("SELECT MAX(id) FROM crawls").fetchone()
                if row[0] and st.page_count(row[0]) >= at_least:
                    return int(row[0])
        time.sleep(0.1)
    raise AssertionError(f"fewer than {at_least} pages stored within {timeout}s")
