"""Hostile or mistaken files and stores: clear file:line errors, exit 2 or 3, never a traceback.

YAML bombs and tags in every file a person edits (site config, rule file, section kinds,
schedule), invalid regexes and broken section kinds caught by `rules check`, unsafe site
names, CR/LF in mail fields, job locks and rows on every failure path, a store that is a
directory, read-only or on a full disk (real ones: a tmpfs in a user namespace where the
machine allows it), and read-side commands on a mistyped store path.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from audits.normalize.section_kinds import SectionKindsError, load_section_kinds
from audits.rules.loader import load_rules
from audits.rules.model import RuleFileError
from audits.schedule.schedule_file import ScheduleError, load_schedule
from govaudit.yamlsource import MAX_DEPTH
from crawler.sites import SITES_DIR, SiteConfigError, load_site
from tests.cli_in_process import govaudit

REPO = Path(__file__).resolve().parents[2]
EXPECTATIONS = REPO / "expectations"

BOMBS = {
    "billion laughs": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    "python tag": "name: !!python/name:os.system\n",
    "custom tag": "name: !include /etc/passwd\n",
    "deep nesting": "name: " + "[" * 20_000 + "]" * 20_000 + "\n",
}
EXPECTED = {"billion laughs": r":1: anchor &a is not allowed", "python tag": r":1: tag !!python/name:os.system is not allowed",
            "custom tag": r":1: tag !include is not allowed", "deep nesting": rf":1: nested more than {MAX_DEPTH} levels deep"}


def cli(*args: str) -> subprocess.CompletedProcess:
    """The command run in-process through `audits.cli.main` (tests/cli_in_process.py); the
    read-only and full-disk tests below start real processes."""
    return govaudit(*args)


def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(EXPECTATIONS, target)
    return target


# 5 ----------------------------------------------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.parametrize("bomb", [pytest.param(b, marks=pytest.mark.slow) if b == "deep nesting" else b
                                  for b in BOMBS])  # 20,000 brackets through four readers: a stress input
def test_yaml_bombs_are_refused_by_every_reader(bomb, tmp_path):
    import re

    rules = rules_copy(tmp_path)
    (rules / "section_kinds.yml").write_text(BOMBS[bomb], encoding="utf-8")
    load_section_kinds.cache_clear()
    paths = {name: tmp_path / f"{name}.yml" for name in ("site", "schedule")}
    for path in paths.values():
        path.write_text(BOMBS[bomb], encoding="utf-8")
    (rules / "extra.yml").write_text(BOMBS[bomb], encoding="utf-8")
    with pytest.raises(SiteConfigError) as site:
        load_site(paths["site"])
    with pytest.raises(ScheduleError) as schedule:
        load_schedule(paths["schedule"])
    with pytest.raises(SectionKindsError) as kinds:
        load_section_kinds(rules / "section_kinds.yml")
    with pytest.raises(RuleFileError) as rule_file:
        load_rules(rules)
    for error in (site.value, schedule.value, kinds.value):
        assert re.search(EXPECTED[bomb], str(error)), str(error)
    assert any(re.search(EXPECTED[bomb], p) and "extra.yml" in p for p in rule_file.value.problems), rule_file.value.problems


def test_yaml_bombs_exit_2_from_the_commands(tmp_path):
    bomb = BOMBS["billion laughs"]
    site, schedule = tmp_path / "site.yml", tmp_path / "schedule.yml"
    site.write_text(bomb, encoding="utf-8")
    schedule.write_text(bomb, encoding="utf-8")
    rules = rules_copy(tmp_path)
    (rules / "extra.yml").write_text(bomb, encoding="utf-8")
    for args in (["crawl", str(site), "--store", str(tmp_path / "s.sqlite3")], ["schedule", "check", "--schedule", str(schedule)],
                 ["rules", "check", "--rules", str(rules)]):
        done = cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "anchor &a is not allowed" in done.stderr and "Traceback" not in done.stderr, done.stderr


# 6 ----------------------------------------------------------------------------------------
def test_rules_check_catches_an_invalid_regex(tmp_path):
    rules = rules_copy(tmp_path)
    text = (rules / "metadata.yml").read_text(encoding="utf-8")
    (rules / "metadata.yml").write_text(text.replace("regex: '^[\\u4e00-\\u9fa5]{1,12}〔", "regex: '^[\\u4e00-\\u9fa5]{1,12}(〔", 1),
                                        encoding="utf-8")
    done = cli("rules", "check", "--rules", str(rules))
    assert done.returncode == 2
    assert "metadata.yml:" in done.stderr and "is not a valid regular expression" in done.stderr, done.stderr


@pytest.mark.parametrize("encoding", [None, "gbk"], ids=["empty", "gbk"])
def test_rules_check_catches_a_broken_section_kinds_file(tmp_path, encoding):
    rules = rules_copy(tmp_path)
    text = (EXPECTATIONS / "section_kinds.yml").read_text(encoding="utf-8")
    content = text.encode(encoding) if encoding else b""
    (rules / "section_kinds.yml").write_bytes(content)
    done = cli("rules", "check", "--rules", str(rules))
    assert done.returncode == 2, done.stdout
    assert "section_kinds.yml" in done.stderr and "Traceback" not in done.stderr
    assert ("not UTF-8" if content else "must be a mapping") in done.stderr, done.stderr


# 7 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../x", "/tmp/x", "a/b", "..", "x\r\ny"])
def test_site_name_must_be_a_slug(tmp_path, name):
    text = (SITES_DIR / "demo.yml").read_text(encoding="utf-8").replace("name: tongxiang-demo", f"name: {name!r}", 1)
    path = tmp_path / "site.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"site\.yml:\d+: field 'name'"):
        load_site(path)


def test_cache_directory_stays_under_the_data_directory(tmp_path):
    from dataclasses import replace

    from crawler.crawl_subprocess import cache_dir

    site = load_site("demo")
    assert cache_dir(site, tmp_path / "s.sqlite3") == (tmp_path / "httpcache" / "tongxiang-demo").resolve()
    with pytest.raises(SiteConfigError, match="outside"):
        cache_dir(replace(site, name="../../x"), tmp_path / "s.sqlite3")


# 8 ----------------------------------------------------------------------------------------
SCHEDULE = """\
jobs:
  - id: weekly
    site: demo
    cron: "0 8 * * MON"
    recipients:
      - {{email: a@example.org, name: {name}}}
    subject: {subject}
"""


@pytest.mark.parametrize("field,name,subject", [
    ("name", '"张三\\r\\nBcc: evil@example.org"', "周报"),
    ("subject", "张三", '"周报\\nBcc: evil@example.org"'),
])
def test_line_breaks_in_mail_fields_are_refused_at_load(tmp_path, field, name, subject):
    path = tmp_path / "schedule.yml"
    path.write_text(SCHEDULE.format(name=name, subject=subject), encoding="utf-8")
    done = cli("schedule", "check", "--schedule", str(path))
    assert done.returncode == 2
    assert f"field '{field}'" in done.stderr and "line break or control character" in done.stderr, done.stderr


@pytest.fixture
def schedule_file(tmp_path):
    path = tmp_path / "schedule.yml"
    path.write_text(SCHEDULE.format(name="张三", subject="周报"), encoding="utf-8")
    return path


def _job_state(store: Path) -> tuple[str, bool]:
    from govaudit.locks import JobLock, JobLocked, lock_dir_for

    with sqlite3.connect(store) as conn:
        status = conn.execute("SELECT status FROM job_runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    try:
        with JobLock(lock_dir_for(store), "job-weekly"):
            free = True
    except JobLocked:
        free = False
    return status, free


class _Outcome:
    run_id, site, report_path = "r1", "demo", Path("/nonexistent/report.html")
    findings = pd.DataFrame({"finding_key": ["k"]})  # no unit, kind or severity columns: composing fails
    documents = pd.DataFrame()


@pytest.mark.parametrize("runner,status", [
    (lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crawl broke")), "failed"),
    (lambda *a, **k: _Outcome(), "failed"),
])
def test_job_lock_and_row_are_released_on_failure(tmp_path, schedule_file, runner, status):
    from audits.schedule.jobs import run_job

    store = tmp_path / "govaudit.sqlite3"
    result = run_job("weekly", str(schedule_file), str(store), site_runner=runner)
    assert result.status == "failed"
    assert _job_state(store) == (status, True)


def test_job_lock_and_row_are_released_on_interrupt(tmp_path, schedule_file):
    from audits.schedule.jobs import run_job

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    store = tmp_path / "govaudit.sqlite3"
    with pytest.raises(KeyboardInterrupt):
        run_job("weekly", str(schedule_file), str(store), site_runner=interrupted)
    assert _job_state(store) == ("interrupted", True)


# 9, 10 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["crawl", "demo"], ["audit"], ["frames"], ["crawls"], ["email", "flush"],
                                  ["email", "outbox"], ["report"]])
def test_store_that_is_a_directory_is_one_line_and_exit_3(tmp_path, args):
    done = cli(*args, "--store", str(tmp_path))
    assert done.returncode == 3, done.stderr
    assert "is a directory" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.slow  # a child process
def test_the_installed_command_says_the_same_in_its_own_process(tmp_path):
    """The tests above run commands in-process; the installed `govaudit` entry point, a process of
    its own reading its arguments from argv, prints the same one line and exits 3."""
    program = Path(sys.executable).parent / "govaudit"
    done = subprocess.run([str(program), "crawls", "--store", str(tmp_path)], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "COLUMNS": "200"}, timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (3, "", cli("crawls", "--store", str(tmp_path)).stderr)
    assert "is a directory" in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize("command", ["flush", "outbox"])
def test_read_side_email_commands_refuse_a_missing_store(tmp_path, command):
    store = tmp_path / "typo" / "x.sqlite3"
    done = cli("email", command, "--store", str(store))
    assert done.returncode == 2 and "no store at" in done.stderr, done.stderr
    assert not store.exists() and not store.parent.exists()


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


needs_unshare = pytest.mark.skipif(not _unshare_works(), reason="needs `unshare -rm` to mount a real tmpfs")


def in_namespace(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run a shell script in a private mount namespace (tmpfs mounts vanish with it)."""
    env = {**os.environ, "PY": sys.executable, "T": str(tmp_path), "COLUMNS": "200"}
    return subprocess.run(["unshare", "-rm", "sh", "-ec", textwrap.dedent(script)], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=900)


@pytest.mark.slow
@needs_unshare
def test_read_only_store_is_one_line_and_exit_3(demo_crawl, tmp_path):
    store, _ = demo_crawl
    shutil.copy(store, tmp_path / "govaudit.sqlite3")
    (tmp_path / "mnt").mkdir()
    done = in_namespace("""
        mount --bind "$T" "$T/mnt" && mount -o remount,bind,ro "$T/mnt"
        for args in "audit" "crawl demo" "email flush"; do
            set +e; $PY -m audits.cli $args --store "$T/mnt/govaudit.sqlite3" 2>"$T/err"; rc=$?; set -e
            echo "$args -> $rc: $(cat "$T/err" | tr '\\n' '|')"
        done
    """, tmp_path)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3, done.stderr
    for line in lines:
        assert " -> 3: " in line and "read-only" in line and "Traceback" not in line, line
        assert line.count("|") == 1, line  # one line on stderr


@pytest.mark.slow
@needs_unshare
def test_full_disk_is_refused_before_the_crawl(tmp_path):
    (tmp_path / "mnt").mkdir()
    done = in_namespace("""
        mount -t tmpfs -o size=4m tmpfs "$T/mnt"
        set +e; $PY -m audits.cli crawl demo --store "$T/mnt/govaudit.sqlite3"; echo "rc=$?"
    """, tmp_path)
    assert "rc=3" in done.stdout, done.stderr
    assert "is full" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.slow
@needs_unshare
def test_crawl_cut_off_by_a_full_disk_is_marked_failed(tmp_path):
    from tests.mockserver.hostile import FAT_UNIT, HostileSite

    site = HostileSite().start()
    try:
        config = site.site_config(tmp_path, "{concurrency_per_host: 4, delay: 0}", units=[FAT_UNIT], name="fat")
        (tmp_path / "mnt").mkdir()
        done = in_namespace(f"""
            mount -t tmpfs -o size=22m tmpfs "$T/mnt"
            set +e; $PY -m audits.cli crawl {config} --store "$T/mnt/govaudit.sqlite3" --quiet; echo "rc=$?"
            $PY -c "from govaudit.store import Store; s = Store('$T/mnt/govaudit.sqlite3'); \\
print('status=' + s.crawls()[-1]['status'])"
        """, tmp_path)
    finally:
        site.stop()
    assert "rc=3" in done.stdout, (done.stdout, done.stderr)
    assert "status=failed" in done.stdout, (done.stdout, done.stderr)
    assert "full" in done.stderr and "Traceback" not in done.stderr, done.stderr
