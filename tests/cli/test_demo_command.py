"""`govaudit demo` itself, as `make demo` runs it: the portal is served, crawled, audited and
stopped, the report is written, and the exit code follows the README's table (1: critical findings)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govaudit.store import Store
from tests.process_check import descendants

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _servers() -> set[int]:
    return {pid for pid, cmd in descendants(os.getpid()).items() if "demoportal.server" in cmd}


def test_demo_serves_crawls_audits_reports_and_exits_1_on_its_critical_findings(tmp_path):
    before = _servers()  # the session's own portal may be running
    store, reports = tmp_path / "var" / "govaudit.sqlite3", tmp_path / "reports"
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    env.pop("GOVAUDIT_STORE", None)
    env.pop("GOVAUDIT_DB", None)
    result = subprocess.run([sys.executable, "-m", "audits.cli", "demo", "--size", "210", "--store", str(store),
                             "--reports", str(reports)], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 1, result.stderr[-3000:]
    served = re.search(r"demo portal \(桐乡市, (\d+) documents[^)]*\) serving at http://127\.0\.0\.1:\d+/", result.stderr)
    assert served, result.stderr[-2000:]
    summary = re.search(r"(\d+) documents listed, (\d+) read; (\d+) critical, (\d+) warning", result.stderr)
    assert summary and summary[1] == served[1] and int(summary[3]) > 0, result.stderr[-2000:]
    report = Path(re.search(r"^report: (.+)$", result.stdout, re.M)[1])
    assert report.is_file() and report.is_relative_to(reports)
    assert "FZ-DATE-1" in report.read_text(encoding="utf-8")
    with Store(store) as st:
        assert [c["status"] for c in st.crawls()] == ["complete"]
    assert _servers() <= before, "govaudit demo left its portal running"
