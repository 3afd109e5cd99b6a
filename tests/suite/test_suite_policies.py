"""The suite's own guards: a skip that is not listed fails the run, a listed one does not, and a
process left running after the last test fails the run and is stopped.

Each case runs a small pytest session in a subprocess with the same two plugins tests/conftest.py
registers, so the exit status is the one `make test` would see.
"""
from __future__ import annotations

import os
import textwrap

import pytest

from tests.corpus import REPO
from tests.process_check import descendants

pytestmark = pytest.mark.slow  # each case starts a pytest process

CONFTEST = """
from tests.process_check import ProcessCheck
from tests.skip_policy import SkipPolicy, read_allowed

def pytest_configure(config):
    config.pluginmanager.register(SkipPolicy(read_allowed()), "skip-policy")
    config.pluginmanager.register(ProcessCheck(), "process-check")
"""


@pytest.fixture
def session(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    pytester.makeconftest(CONFTEST)

    def run(body: str, **env: str) -> pytest.RunResult:
        pytester.makepyfile(test_case=textwrap.dedent(body))
        for name, value in {"PYTHONPATH": str(REPO), "CI": "", **env}.items():
            monkeypatch.setenv(name, value)
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    return run


def test_an_unlisted_skip_fails_the_run_and_is_named(session):
    result = session("""
        import pytest
        def test_passes():
            assert 1 + 1 == 2
        def test_hides():
            pytest.skip("the server was not there")
    """)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*NOT ALLOWED: test_case.py::test_hides: the server was not there*",
                                 "*not listed in tests/allowed_skips.txt fails the run*"])


def test_a_listed_skip_is_printed_and_accepted(session):
    result = session("""
        from tests.corpus import absent
        def test_needs_corpus():
            absent("the shared corpus", "shared folder absent: not on this machine")
    """)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*allowed skip reasons*", "*'shared folder absent'*",
                                 "*allowed: test_case.py::test_needs_corpus: shared folder absent*"])


def test_the_listed_skip_fails_under_ci(session):
    result = session("""
        from tests.corpus import absent
        def test_needs_corpus():
            absent("the shared corpus", "shared folder absent: not on this machine")
    """, CI="true")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*the shared corpus is required under CI=true*"])


def test_a_process_left_running_fails_the_run_and_is_stopped(session):
    result = session("""
        import subprocess, sys
        def test_starts_and_forgets():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    """)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*1 process(es) the suite started were still running (now killed)*",
                                 "*time.sleep(300)*"])
    assert not [cmd for cmd in descendants(os.getpid()).values() if "time.sleep(300)" in cmd]


def test_an_orphaned_grandchild_is_found_too(session):
    result = session("""
        import subprocess, sys
        def test_parent_exits_child_lives():
            # the middle process exits at once; its child is re-parented to the pytest process
            subprocess.run([sys.executable, "-c",
                            "import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
                            "'import time; time.sleep(301)'])"], check=True)
    """)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*time.sleep(301)*"])


def test_a_clean_session_passes(session):
    result = session("""
        import subprocess, sys
        def test_waits_for_its_child():
            subprocess.run([sys.executable, "-c", "pass"], check=True)
    """)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*every process the suite started has exited*", "*skipped: 0, not allowed: 0*"])
