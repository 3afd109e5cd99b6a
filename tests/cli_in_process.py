"""Run a `govaudit` command in the test process, as the installed entry point would run it.

A fresh `python -m audits.cli` pays Great Expectations' import (seconds of CPU) on every call;
where a test is about a command's message, exit code and files rather than about the process,
it calls `audits.cli.main(args)` here instead, through the same exception mapping to exit codes.
What the process would show is kept: stdout and stderr are captured apart, an exception that
escapes is printed as the interpreter would print it ("Traceback ...", exit 1), and warnings are
shown on stderr under Python's default filters, not collected by pytest. Tests of the process
itself (entry point, signals, a read-only mount) still start one.
"""
from __future__ import annotations

import subprocess
import sys
import traceback
import warnings
from contextlib import chdir
from pathlib import Path

from typer.testing import CliRunner

from audits.cli import main

REPO = Path(__file__).resolve().parents[1]


def govaudit(*args: str, env: dict[str, str | None] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`govaudit ARGS` with COLUMNS=200 (one message per line), run from `cwd` (default: the checkout)."""
    runner = CliRunner()
    with runner.isolation(env={"COLUMNS": "200", **(env or {})}) as streams, chdir(cwd or REPO), \
            warnings.catch_warnings():
        warnings.resetwarnings()
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", category)  # the interpreter's default filters
        code: int = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = _exit_status(exc.code)
        except Exception:  # noqa: BLE001  (what the interpreter would print and exit 1 for)
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = (stream.getvalue().decode("utf-8", errors="replace") for stream in streams[:2])
    return subprocess.CompletedProcess(["govaudit", *args], code, stdout, stderr)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"), as the interpreter does
    return 1

