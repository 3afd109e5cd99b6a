"""The shipped crontab lines, run as cron runs them: by bash, from a fresh checkout.

A crontab that redirects into a directory govaudit never creates is refused by bash before
govaudit starts, and the weekly job silently never runs. So each line of cron/crontab.example is
run verbatim by /bin/bash with the crontab's own variables (GOVAUDIT_HOME pointing at a fresh
directory with no var/ yet), and its log must land where govaudit keeps its logs.
"""
from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from audits import defaults

CRONTAB = Path(__file__).resolve().parents[2] / "cron" / "crontab.example"
ASSIGNMENT = re.compile(r"^([A-Z_]+)=(.*)$")


def crontab() -> tuple[dict[str, str], list[str]]:
    """(variables, commands) of the crontab: a command is a line after its five time fields."""
    variables, commands = {}, []
    for line in CRONTAB.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if match := ASSIGNMENT.match(line):
            variables[match.group(1)] = match.group(2)
        else:
            commands.append(line.split(None, 5)[5])
    return variables, commands


def fake_install(home: Path) -> Path:
    """A checkout whose govaudit only reports what it was given (the real one crawls)."""
    program = home / ".venv" / "bin" / "govaudit"
    program.parent.mkdir(parents=True)
    program.write_text('#!/bin/bash\necho "govaudit $* smtp=$GOVAUDIT_SMTP_HOST cwd=$PWD"\n', encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    smtp_env = home / "smtp.env"
    smtp_env.write_text("GOVAUDIT_SMTP_HOST=mail.example.org\n", encoding="utf-8")
    return smtp_env


def test_every_crontab_line_runs_in_bash_from_a_fresh_checkout_and_logs_under_var_logs(tmp_path):
    variables, commands = crontab()
    assert variables["SHELL"] == "/bin/bash" and len(commands) == 2
    home = tmp_path / "srv govaudit"  # a space in the path must not break the line either
    smtp_env = fake_install(home)
    env = {"PATH": os.environ["PATH"], **variables, "GOVAUDIT_HOME": str(home), "GOVAUDIT_SMTP_ENV": str(smtp_env)}
    log_dir = home / "var" / defaults.LOG_DIR_NAME
    assert not log_dir.exists()
    for command in commands:
        done = subprocess.run([variables["SHELL"], "-c", command], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
        log = re.search(r">> (\S+) 2>&1$", command).group(1)
        assert Path(log).parent == Path("var") / defaults.LOG_DIR_NAME  # where govaudit keeps its own logs
        text = (home / log).read_text(encoding="utf-8")
        assert "smtp=mail.example.org" in text and f"cwd={home}" in text
    assert sorted(p.name for p in log_dir.iterdir()) == ["email-flush.log", "weekly-tongxiang.log"]
    assert "schedule once weekly-tongxiang" in (log_dir / "weekly-tongxiang.log").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_crawl_logs_of_govaudit_are_in_the_same_directory(demo_crawl):
    """A crawl writes its log to <store dir>/logs: var/logs for the default store var/govaudit.sqlite3."""
    store, summary = demo_crawl
    assert defaults.DEFAULT_STORE_PATH.parent == Path("var")
    assert summary.log_path.parent == store.parent / defaults.LOG_DIR_NAME and summary.log_path.is_file()
