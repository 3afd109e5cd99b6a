"""Report files written by a second process while this one renders the HTML.

The workbook needs nothing the HTML needs, and writing it takes about as long as rendering the
HTML and writing the CSV/JSON exports: on a machine with a second core, a forked copy of this
process writes it meanwhile (`audits.report.render`), and `govaudit audit` (the rule tuner's loop,
the weekly run) returns sooner. The fork shares the findings with the copy as they are, without
pickling them.

Only a process with one thread forks: a lock another thread held at the fork would stay locked in
the copy for ever (the scheduler's job threads, a test's servers). There, on a single core, and
where fork does not exist, the same files are written in this process when `wait` is called.
Either way `wait` returns only when every file is written, and a failure in the copy is raised
in this process with its message, as if it had happened here.
"""
from __future__ import annotations

import os
import threading
from typing import Callable


class BesideError(RuntimeError):
    """Writing the files beside the report failed (in the forked copy: its message is kept)."""


class Beside:
    """A job started by `start`: `wait()` gives its outcome."""

    def __init__(self, job: Callable[[], None]) -> None:
        self.job: Callable[[], None] | None = job
        self.pid = 0
        self.pipe = -1

    def wait(self) -> None:
        if self.pid == 0:
            job, self.job = self.job, None
            if job is not None:
                job()
            return
        chunks = []
        with os.fdopen(self.pipe, "rb") as said:
            while chunk := said.read(65536):
                chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        self.job = None
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            message = b"".join(chunks).decode("utf-8", "replace").strip()
            raise BesideError(message or (f"the process writing them was killed by signal {-code}" if code < 0
                                          else f"the process writing them exited with status {code}"))


def start(job: Callable[[], None]) -> Beside:
    """Run `job` in a forked copy of this process when that is safe and can help, else later in
    this process (at `wait`)."""
    pending = Beside(job)
    if not _can_fork():
        return pending
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: run the job, say why it failed, and never return into the caller
        os.close(read)
        code = 0
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            os.write(write, f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")[:8000])
            code = 1
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers a second time
    os.close(write)
    pending.pid, pending.pipe = pid, read
    return pending


def _can_fork() -> bool:
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1
