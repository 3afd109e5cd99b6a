"""The report's compiled templates are kept between processes, and a cache that cannot be had
costs a compilation, never a report."""
from __future__ import annotations

import errno
import os
import tempfile

import jinja2
import pytest

from audits.report import render
from tests.report_runs import realistic_run, rendered_html


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """A temporary directory of the test's own, and a fresh environment (as in a new process)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    render.environment.cache_clear()
    yield tmp
    render.environment.cache_clear()


def _cache_files(tmp):
    folder = tmp / f"_jinja2-cache-{os.getuid()}"
    return sorted(p.name for p in folder.glob("__govaudit_report_*.cache")) if folder.is_dir() else []


@pytest.mark.slow  # a child process importing the report modules afresh
def test_a_second_process_renders_from_the_compiled_templates_alike(tmp_path, private_tmp, monkeypatch):
    store = tmp_path / "s.sqlite3"
    run_id, _ = realistic_run(store)
    first = rendered_html(store, run_id)
    kept = _cache_files(private_tmp)
    assert kept, "the report template and its includes were compiled and kept"

    render.environment.cache_clear()  # the next `govaudit audit` process

    def no_compiling(*args, **kwargs):
        raise AssertionError("a template was compiled although its compiled form was kept")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    second = rendered_html(store, run_id)
    assert second == first
    assert _cache_files(private_tmp) == kept


def test_an_unusable_cache_directory_still_gives_the_template(private_tmp):
    (private_tmp / f"_jinja2-cache-{os.getuid()}").write_text("not a directory")  # not a private folder
    assert render._compiled_templates() is None
    assert render.environment().get_template("report.html.j2").name == "report.html.j2"


def test_a_full_disk_while_keeping_the_compiled_templates_still_gives_the_template(private_tmp, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", disk_full)
    assert render.environment().get_template("report.html.j2").name == "report.html.j2"
    assert _cache_files(private_tmp) == []
