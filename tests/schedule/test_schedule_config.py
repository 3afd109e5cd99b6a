"""The schedule file is checked strictly; each mistake names file, line, job and field."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_USAGE, app
from audits.schedule.schedule_file import DEFAULT_MISFIRE_GRACE, ScheduleError, load_schedule
from audits.schedule.scheduler import next_fire_times
from crawler.sites import SITES_DIR
from tests.mail_fixtures import write_site

GOOD = """\
misfire_grace_time: 12h
jobs:
  - id: weekly-test
    site: {site}
    units: [濮院镇, 崇福镇]
    cron: "0 8 * * MON"
    recipients:
      - email: Office@Example.org
        name: 桐乡市人民政府办公室
      - email: puyuan@example.org
        name: 濮院镇 党政办
        units: [濮院镇]
    subject: "{{site}} 周报 {{date}}：严重问题 {{critical}} 项"
"""

# Each case replaces one line of GOOD (or adds one); the line marked `#<` is where the error must point.
CASES = {
    "six cron fields": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON-FRI extra"  #<', "cron",
                        "'0 8 * * MON-FRI extra' is not a 5-field cron expression"),
    "cron out of range": ('    cron: "0 8 * * MON"', '    cron: "61 8 * * MON"  #<', "cron", "is not a valid cron expression"),
    "numeric weekday": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * 1"  #<', "cron", "must use day names"),
    "bad time zone": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON"\n    timezone: Asia/Shangai  #<', "timezone",
                      "'Asia/Shangai' is not a known time zone"),
    "bad email": ("      - email: puyuan@example.org", "      - email: puyuan@  #<", "email", "is not an email address"),
    "unknown key": ("        name: 濮院镇 党政办", "        nmae: 濮院镇 党政办  #<", "nmae", "unknown key in a recipient"),
    "unknown job key": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON"\n    recipient: x@example.org  #<', "recipient",
                        "unknown key in a job"),
    "unknown site": ("    site: {site}", "    site: no-such-site  #<", "site", "unknown site"),
    "unknown unit": ("    units: [濮院镇, 崇福镇]", "    units: [濮院镇, 乌镇]  #<", "units", "unit '乌镇' is not in the site"),
    "recipient unit outside job": ("        units: [濮院镇]", "        units: [桐乡市司法局]  #<", "units",
                                   "unit '桐乡市司法局' is not in the site (units: 濮院镇, 崇福镇)"),
    "unknown placeholder": ('    subject: "{{site}} 周报 {{date}}：严重问题 {{critical}} 项"', '    subject: "{{count}} 项"  #<',
                            "subject", "unknown placeholder {count}"),
    "bad job id": ("  - id: weekly-test", "  - id: weekly test  #<", "id", "'weekly test' is not a job id"),
    "duplicate key": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON"\n    cron: "0 9 * * MON"  #<', None,
                      "duplicate key 'cron'"),
    "bad grace": ("misfire_grace_time: 12h", "misfire_grace_time: soon  #<", "misfire_grace_time",
                  "'soon' is not a positive duration"),
    "bad job function": ("misfire_grace_time: 12h", "misfire_grace_time: 12h\njob_function: audits.nowhere.run  #<",
                         "job_function", "does not name a function"),
    "no recipients": (GOOD[GOOD.index("    recipients:"):GOOD.index("    subject:")], "    recipients: []  #<\n",
                      "recipients", "must be a non-empty list"),
    "workers not a redis url": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON"\n    workers: http://hub:6379  #<', "workers",
                                "'http://hub:6379' is not a Redis URL"),
    "bad yaml": ('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON"\n\tlang: zh  #<', None, "YAML syntax error"),
}


def write(tmp_path: Path, text: str) -> Path:
    site = write_site(tmp_path)
    path = tmp_path / "cron" / "schedule.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.format(site=site), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_broken_schedule_names_file_line_and_field(tmp_path, case):
    old, new, field, message = CASES[case]
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = write(tmp_path, text)
    line = next(i for i, content in enumerate(text.splitlines(), start=1) if "#<" in content)
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    error = str(caught.value)
    assert error.startswith(f"{path}:{line}: "), error
    if field:
        assert f"field {field!r}: " in error
    assert message in error
    if field not in (None, "misfire_grace_time", "job_function") and case != "bad job id":
        assert ": job weekly-test: " in error


def test_the_example_error_of_the_documentation(tmp_path):
    path = write(tmp_path, GOOD.replace('"0 8 * * MON"', '"0 8 * * MON-FRI extra"'))
    with pytest.raises(ScheduleError, match=r"schedule.yml:6: job weekly-test: field 'cron': "
                                            r"'0 8 \* \* MON-FRI extra' is not a 5-field cron expression"):
        load_schedule(path)


def test_every_mistake_is_reported_at_once(tmp_path):
    text = GOOD.replace("Asia", "x").replace('"0 8 * * MON"', '"0 8 * *"').replace("puyuan@example.org", "puyuan")
    with pytest.raises(ScheduleError) as caught:
        load_schedule(write(tmp_path, text))
    assert [(p.line, p.field) for p in caught.value.problems] == [(6, "cron"), (10, "email")]


def test_a_good_schedule_loads_with_defaults(tmp_path):
    schedule = load_schedule(write(tmp_path, GOOD))
    job = schedule.job("weekly-test")
    assert schedule.misfire_grace_time == 12 * 3600
    assert schedule.job_function == "audits.schedule.jobs:run_job"
    assert job.timezone == "Asia/Shanghai" and job.lang == "zh" and job.units == ("濮院镇", "崇福镇")
    assert [(r.email, r.name, r.units) for r in job.recipients] == [
        ("office@example.org", "桐乡市人民政府办公室", None), ("puyuan@example.org", "濮院镇 党政办", ("濮院镇",))]
    assert Path(job.site).is_absolute()
    assert load_schedule(write(tmp_path, GOOD.replace("misfire_grace_time: 12h\n", ""))).misfire_grace_time == DEFAULT_MISFIRE_GRACE


def test_next_runs_follow_the_cron_expression_in_beijing_time(tmp_path):
    job = load_schedule(write(tmp_path, GOOD)).job("weekly-test")
    now = datetime(2024, 3, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday, after 08:00
    runs = next_fire_times(job, 3, now)
    assert [r.isoformat() for r in runs] == ["2024-03-11T08:00:00+08:00", "2024-03-18T08:00:00+08:00",
                                             "2024-03-25T08:00:00+08:00"]


def test_schedule_check_and_list_commands(tmp_path):
    runner = CliRunner()
    good = write(tmp_path, GOOD)
    listed = runner.invoke(app, ["schedule", "list", "--schedule", str(good)])
    assert listed.exit_code == 0, listed.output
    assert "weekly-test" in listed.output and " Mon" in listed.output
    bad = tmp_path / "bad.yml"
    bad.write_text(GOOD.format(site=write_site(tmp_path)).replace("MON", "MONDAY"), encoding="utf-8")
    checked = runner.invoke(app, ["schedule", "check", "--schedule", str(bad)])
    assert checked.exit_code == EXIT_USAGE
    assert f"{bad}:6: job weekly-test: field 'cron'" in " ".join(checked.output.split())


@pytest.mark.skipif(not (SITES_DIR / "demo.yml").is_file(), reason="the demo site config is not in this checkout")
def test_the_shipped_schedule_is_valid():
    schedule = load_schedule(Path(__file__).resolve().parents[2] / "cron" / "schedule.yml")
    assert [job.id for job in schedule.jobs] == ["weekly-tongxiang"]


def test_a_job_may_crawl_on_workers(tmp_path):
    text = GOOD.replace('    cron: "0 8 * * MON"', '    cron: "0 8 * * MON"\n    workers: redis://crawl-hub:6379/0', 1)
    job = load_schedule(write(tmp_path, text)).jobs[0]
    assert job.workers == "redis://crawl-hub:6379/0"
    assert load_schedule(write(tmp_path, GOOD)).jobs[0].workers is None  # by default the crawl runs here
