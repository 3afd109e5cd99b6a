"""`govaudit audit --watch`: the rule tuner's loop in one process.

A fresh `govaudit audit` pays for importing Great Expectations every time (seconds, before any
rule runs). Watching keeps one process: after the first audit it waits for a rule file to be
saved, then audits the same crawl again with the rule files as they now are. The frames and
derived columns stay in memory while nothing they depend on changes, and GX re-validates only
the groups of rules whose answer can differ (`audits.rules.result_cache`). Each run is a trial
run and writes the report as `govaudit audit` does; what it prints is what changed: which files,
and which rules now find more or fewer problems.

Files are compared by modification time and size, polled: no dependency, and editors that save
by renaming a new file over the old one are seen too.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd

Snapshot = dict[str, tuple[int, int]]
RULE_FILE_SUFFIXES = (".yml", ".yaml")


def snapshot(directory: Path) -> Snapshot:
    """Modification time and size of every rule file under `directory`."""
    found: Snapshot = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix in RULE_FILE_SUFFIXES:
            try:
                stat = path.stat()
            except OSError:  # removed while listing: the next poll sees it gone
                continue
            found[str(path.relative_to(directory))] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def finding_counts(findings: pd.DataFrame) -> Counter[tuple[str, str]]:
    """Findings per (rule, kind)."""
    if findings.empty:
        return Counter()
    return Counter({(str(rule), str(kind)): int(n)
                    for (rule, kind), n in findings.groupby(["rule_id", "kind"]).size().items()})


def count_changes(before: Counter[tuple[str, str]], after: Counter[tuple[str, str]]) -> list[str]:
    """One line per rule and kind whose number of findings changed, e.g. "FZ-DATE-1 failure: 6 → 9"."""
    kinds = {"failure": "failure", "could_not_check": "could not check"}
    return [f"{rule} {kinds.get(kind, kind)}: {before.get((rule, kind), 0)} → {after.get((rule, kind), 0)}"
            for rule, kind in sorted(set(before) | set(after)) if before.get((rule, kind)) != after.get((rule, kind))]


def watch(directory: Path, run: Callable[[list[str]], None], *, poll: float = 0.5,
          stop: Callable[[], bool] = lambda: False, sleep: Callable[[float], None] = time.sleep) -> None:
    """Call `run(changed file names)` each time the rule files under `directory` change and then
    hold still for one poll interval (an editor writing a file in several steps runs it once).
    Returns when `stop()` is true; a KeyboardInterrupt goes to the caller."""
    seen = snapshot(directory)
    while not stop():
        sleep(poll)
        now = snapshot(directory)
        if now == seen:
            continue
        while True:  # settle: the same listing twice in a row
            sleep(poll)
            settled = snapshot(directory)
            if settled == now:
                break
            now = settled
        names, seen = changed_files(seen, now), now
        run(names)
