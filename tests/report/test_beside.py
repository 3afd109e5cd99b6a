"""The files beside the report are written by a forked copy only where that is safe, and a
failure there is raised here with its message; either way nothing is missing after `wait`."""
from __future__ import annotations

import os
import signal
import threading

import pytest

from audits.report import beside


@pytest.fixture
def two_cores_one_thread(monkeypatch):
    """As `govaudit audit` runs: two cores, one thread (other tests' servers may run in threads of
    this test process; the jobs forked here take no lock)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def _writes_pid(path):
    def job():
        path.write_text(str(os.getpid()))
    return job


def test_a_single_threaded_process_writes_the_files_in_a_copy_and_waits_for_them(tmp_path, two_cores_one_thread):
    out = tmp_path / "pid"
    pending = beside.start(_writes_pid(out))
    pending.wait()
    assert out.read_text() != str(os.getpid())


def test_a_failure_in_the_copy_is_raised_here_with_its_message(tmp_path, two_cores_one_thread):

    def job():
        raise PermissionError(13, "Permission denied", str(tmp_path / "findings.xlsx"))

    pending = beside.start(job)
    assert pending.pid != 0
    with pytest.raises(beside.BesideError, match=r"PermissionError: .*Permission denied.*findings\.xlsx"):
        pending.wait()


def test_a_copy_that_is_killed_is_a_failure_not_a_success(two_cores_one_thread):
    pending = beside.start(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(beside.BesideError, match="killed by signal 9"):
        pending.wait()


def test_with_another_thread_running_the_files_are_written_here(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        out = tmp_path / "pid"
        pending = beside.start(_writes_pid(out))
        assert not out.exists()  # written at wait, in this process
        pending.wait()
        assert out.read_text() == str(os.getpid())
    finally:
        stop.set()
        other.join()


def test_on_one_core_the_files_are_written_here(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    out = tmp_path / "pid"
    beside.start(_writes_pid(out)).wait()
    assert out.read_text() == str(os.getpid())


def test_a_failure_written_here_is_raised_as_it_is(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})

    def job():
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        beside.start(job).wait()
