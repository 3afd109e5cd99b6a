"""The shipped crontab and systemd files do what cron/README.md says, installed as it says.

The units are installed into a temporary /srv/govaudit stand-in whose .venv/bin/govaudit is this
checkout's, then checked by `systemd-analyze verify` where systemd is present (every key, every
path, the ExecStart binary). Everywhere, ExecStart must be a govaudit command line the CLI
accepts, the timers must fire when schedule.yml says, and the crontab lines run in a real shell
with a real SMTP settings file.
"""
from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govaudit.store import Store

pytestmark = pytest.mark.slow  # starts several govaudit processes
REPO = Path(__file__).resolve().parents[2]
CRON = REPO / "cron"
INSTALL = "/srv/govaudit"  # where the files expect the checkout
GOVAUDIT = Path(sys.executable).parent / "govaudit"
JOB = "weekly-tongxiang"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def schedule_cron(job_id: str = JOB) -> str:
    schedule = yaml.safe_load((CRON / "schedule.yml").read_text(encoding="utf-8"))
    return next(j["cron"] for j in schedule["jobs"] if j["id"] == job_id)


@pytest.fixture
def home(tmp_path) -> Path:
    """A stand-in for /srv/govaudit: the checkout's cron/ and a .venv/bin/govaudit that runs this code."""
    root = tmp_path / "srv-govaudit"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "govaudit").symlink_to(GOVAUDIT)
    shutil.copytree(CRON, root / "cron")
    (root / "var").mkdir()
    with Store(root / "var" / "govaudit.sqlite3"):  # an installation that has run before has its store
        pass
    return root


def exec_start(path: Path, instance: str = JOB) -> list[str]:
    command = unit(path)["Service"]["ExecStart"].replace("%i", instance)
    return shlex.split(command)


@pytest.mark.parametrize("name", ["govaudit-scheduler.service", "govaudit-job@.service", "govaudit-email-flush.service"])
def test_exec_start_is_a_govaudit_command_the_cli_accepts(name, home):
    argv = exec_start(CRON / name)
    assert argv[0] == f"{INSTALL}/.venv/bin/govaudit"
    service = unit(CRON / name)["Service"]
    assert service["WorkingDirectory"] == INSTALL and service["EnvironmentFile"] == "/etc/govaudit/smtp.env"
    # Every subcommand and option parses (an unknown option or command exits 2 before --help is read).
    parsed = subprocess.run([str(home / ".venv/bin/govaudit"), *argv[1:], "--help"], cwd=home, capture_output=True,
                            text=True, timeout=120)
    assert parsed.returncode == 0, parsed.stderr
    if "once" in argv:
        listed = subprocess.run([str(home / ".venv/bin/govaudit"), "schedule", "list", "--schedule",
                                 "cron/schedule.yml"], cwd=home, capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0 and JOB in listed.stdout, listed.stderr


def test_the_job_timer_fires_when_the_schedule_says():
    on_calendar = unit(CRON / "govaudit-job@.timer")["Timer"]["OnCalendar"]
    minute, hour, day, month, weekday = schedule_cron().split()
    assert (day, month) == ("*", "*")
    match = re.fullmatch(r"(\w{3}) \*-\*-\* (\d\d):(\d\d):00 Asia/Shanghai", on_calendar)
    assert match, on_calendar
    assert (match[1].upper(), int(match[2]), int(match[3])) == (weekday, int(hour), int(minute))
    assert unit(CRON / "govaudit-job@.timer")["Timer"]["Persistent"] == "true"
    assert unit(CRON / "govaudit-job@.service")["Service"]["SuccessExitStatus"] == "1"  # critical findings: a success


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd absent: systemd-analyze not on PATH")
def test_systemd_analyze_verifies_the_installed_units(tmp_path, home):
    units = tmp_path / "units"
    units.mkdir()
    for path in list(CRON.glob("*.service")) + list(CRON.glob("*.timer")):
        (units / path.name).write_text(path.read_text(encoding="utf-8").replace(INSTALL, str(home)), encoding="utf-8")
    shutil.copy(units / "govaudit-job@.service", units / f"govaudit-job@{JOB}.service")
    names = ["govaudit-scheduler.service", "govaudit-email-flush.service", "govaudit-email-flush.timer",
             f"govaudit-job@{JOB}.service", "govaudit-job@.timer"]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(units / n) for n in names)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "not executable" not in result.stderr, result.stderr
    on_calendar = unit(CRON / "govaudit-job@.timer")["Timer"]["OnCalendar"]
    calendar = subprocess.run(["systemd-analyze", "calendar", on_calendar], capture_output=True, text=True, timeout=60)
    assert calendar.returncode == 0 and "Next elapse" in calendar.stdout, calendar.stderr


def crontab_entries() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(variables, [(five time fields, command)]) of cron/crontab.example."""
    variables, entries = {}, []
    for line in (CRON / "crontab.example").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, _, value = line.partition("=")
            variables[name] = value
            continue
        fields = line.split(None, 5)
        entries.append((" ".join(fields[:5]), fields[5]))
    return variables, entries


def test_crontab_lines_match_the_schedule_and_run_in_a_shell(tmp_path, home):
    variables, entries = crontab_entries()
    assert variables["CRON_TZ"] == "Asia/Shanghai" and variables["GOVAUDIT_HOME"] == INSTALL
    times = {command.split("govaudit ", 2)[-1].split(" >>")[0]: when for when, command in entries}
    assert times[f"schedule once {JOB}"] == schedule_cron()
    smtp_env = tmp_path / "smtp.env"
    shutil.copy(CRON / "smtp.env.example", smtp_env)
    assert variables["GOVAUDIT_SMTP_ENV"] == "/etc/govaudit/smtp.env"
    for when, command in entries:
        assert len(when.split()) == 5
        assert '. "$GOVAUDIT_SMTP_ENV"' in command
        line = command
        if "schedule once" in line:  # a real run would crawl the site: list the job through the same plumbing
            line = line.replace(f"schedule once {JOB}", "schedule list --schedule cron/schedule.yml")
        # cron passes the crontab's variables to the shell; the SMTP file is the example's copy
        env = {"PATH": os.environ["PATH"], "GOVAUDIT_HOME": str(home), "GOVAUDIT_SMTP_ENV": str(smtp_env),
               "GX_ANALYTICS_ENABLED": "False"}
        result = subprocess.run([variables["SHELL"], "-c", line], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, (line, result.stderr)
        log = home / command.split(">> ", 1)[1].split()[0]
        text = log.read_text(encoding="utf-8")
        assert (JOB in text) if "schedule" in line else ("sent 0, failed 0, waiting 0" in text), text


def test_the_smtp_settings_file_reads_the_same_in_a_shell_as_the_example_says(tmp_path):
    from audits.mail.smtp_env import SmtpSettings

    shown = subprocess.run(["/bin/bash", "-c", f"set -a && . {CRON / 'smtp.env.example'} && set +a && env"],
                           env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    env = dict(line.split("=", 1) for line in shown.stdout.splitlines() if line.startswith("GOVAUDIT_"))
    settings = SmtpSettings.from_env(env)
    assert str(settings.mail_from) == "政务公开检查 <audit@example.org>"
    assert (settings.host, settings.port, settings.security) == ("smtp.example.org", 587, "starttls")
