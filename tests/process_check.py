"""At the end of the session, every process the suite started must have exited.

Demo portals, crawls, the scheduler service and the browser run as child processes; one left
behind keeps a port and memory after the run, and repeated runs pile them up. The pytest
process makes itself a child subreaper (Linux prctl), so even a grandchild whose parent died is
re-parented to it and seen here. A survivor is listed, stopped, and fails the run.
"""
from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path

import pytest

PR_SET_CHILD_SUBREAPER = 36
PROC = Path("/proc")
EXIT_WAIT = 10.0  # seconds a child gets to finish exiting after the last teardown


def become_subreaper() -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a process, or None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def descendants(root: int) -> dict[int, str]:
    """Living (non-zombie) descendants of `root`: pid → command line."""
    children: dict[int, list[int]] = {}
    states: dict[int, str] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
            states[int(entry.name)] = stat[1]
    found: dict[int, str] = {}
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        if states.get(pid) == "Z":
            _reap(pid)
            continue
        try:
            cmd = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        found[pid] = cmd
    return found


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


class ProcessCheck:
    """Registered by tests/conftest.py on Linux."""

    def __init__(self) -> None:
        self.subreaper = become_subreaper()
        self.left: dict[int, str] = {}

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        deadline = time.monotonic() + EXIT_WAIT
        while (left := descendants(os.getpid())) and time.monotonic() < deadline:
            time.sleep(0.1)  # a child stopped by the last teardown may still be exiting
        self.left = left
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if left and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        tr = terminalreporter
        tr.section("child processes")
        if not self.subreaper:
            tr.write_line("(not a child subreaper: processes re-parented to init are not seen)")
        if not self.left:
            tr.write_line("every process the suite started has exited")
            return
        tr.write_line(f"{len(self.left)} process(es) the suite started were still running (now killed):",
                      red=True, bold=True)
        for pid, cmd in self.left.items():
            tr.write_line(f"  {pid}: {cmd[:200]}", red=True)
