"""A skipped test fails the run unless its reason is listed in tests/allowed_skips.txt.

A skip is how a suite hides: a test that skips when a file, a browser or a server is missing
turns a run green without testing anything. So every skip is printed at the end of the run
with its reason, the allowed reasons are printed with it, and one that is not listed turns the
exit status into a failure. The list holds only reasons outside the code's control (a platform
the suite cannot run on, a checkout without the shared corpus beside it).
"""
from __future__ import annotations

from pathlib import Path

import pytest

ALLOWED_FILE = Path(__file__).resolve().parent / "allowed_skips.txt"


def read_allowed(path: Path = ALLOWED_FILE) -> dict[str, str]:
    """Reason prefix → why a skip with that reason is accepted."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        prefix, tab, why = line.partition("\t")
        if not tab or not prefix.strip() or not why.strip():
            raise pytest.UsageError(f"{path}:{number}: expected 'reason prefix<TAB>why it may skip', got {line!r}")
        allowed[prefix.strip()] = why.strip()
    return allowed


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ").strip()


class SkipPolicy:
    """Registered by tests/conftest.py; keeps every skip of the session and judges it at the end."""

    def __init__(self, allowed: dict[str, str]):
        self.allowed = allowed
        self.seen: list[tuple[str, str]] = []  # (node id, reason)
        self.known_gaps: list[tuple[str, str]] = []  # strict xfails: (node id, reason), shown beside the skips

    def allowed_by(self, reason: str) -> str | None:
        return next((prefix for prefix in self.allowed if reason.startswith(prefix)), None)

    @property
    def unlisted(self) -> list[tuple[str, str]]:
        return [(node, reason) for node, reason in self.seen if self.allowed_by(reason) is None]

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and hasattr(report, "wasxfail"):
            self.known_gaps.append((report.nodeid, report.wasxfail))
        elif report.skipped:
            self.seen.append((report.nodeid, skip_reason(report)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.unlisted and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        tr = terminalreporter
        tr.section("skips")
        tr.write_line(f"allowed skip reasons (tests/{ALLOWED_FILE.name}):")
        for prefix, why in self.allowed.items():
            tr.write_line(f"  {prefix!r}: {why}")
        tr.write_line(f"skipped: {len(self.seen)}, not allowed: {len(self.unlisted)}")
        for node, reason in self.seen:
            allowed = self.allowed_by(reason) is not None
            tr.write_line(f"  {'allowed' if allowed else 'NOT ALLOWED'}: {node}: {reason}", red=not allowed)
        for node, reason in self.known_gaps:
            tr.write_line(f"  known gap (expected failure): {node}: {reason}", yellow=True)
        if self.unlisted:
            tr.write_line(f"a skip whose reason is not listed in tests/{ALLOWED_FILE.name} fails the run",
                          red=True, bold=True)
