"""Availability probes against the demo portal: a unit whose catalog times out on a share of
requests gets the availability veto, a healthy one does not; a probe never crawls; the
schedule runs probes as their own job kind."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from audits.rules.loader import load_rules
from audits.rules.validate import run_rules
from crawler.probe import HOME_UNIT, run_probe
from demoportal.server import DemoPortal
from demoportal.site_columns import AVAILABILITY_FAULT, AVAILABILITY_UNIT
from govaudit.store import Store
from rules_frames import frames

pytestmark = pytest.mark.slow  # serves the demo portal

# The demo's fault with a short delay; the probe's timeout below it (the real ones: 20 s / 15 s).
FAULT = {key: "slow-every:10/1.5" for key in AVAILABILITY_FAULT}


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    store = tmp_path_factory.mktemp("probe") / "govaudit.sqlite3"
    with DemoPortal(faults=FAULT) as portal:
        for _ in range(20):
            run_probe("demo", store, base_url=portal.url, timeout=0.5, units=[AVAILABILITY_UNIT, "濮院镇"])
        hits = portal.fault_hits()
    with Store(store) as st:
        rows = pd.DataFrame(st.probes("tongxiang-demo"))
    return rows, hits, store


def test_probe_asks_the_home_page_and_each_catalog_once_per_run(probed):
    rows, hits, _ = probed
    assert rows.groupby("unit").size().to_dict() == {HOME_UNIT: 20, AVAILABILITY_UNIT: 20, "濮院镇": 20}
    assert set(rows["target"]) == {"home", "catalog"}
    # the slow catalog was asked 20 times and nothing else of that unit: no crawling
    assert sum(len(v) for v in hits.values()) == 20


def test_timeouts_on_a_share_of_requests_are_recorded_as_failures(probed):
    rows, _, _ = probed
    failed = rows[rows["ok"] == 0]
    assert set(failed["unit"]) == {AVAILABILITY_UNIT} and len(failed) == 2
    assert failed["error"].str.startswith("timed out").all()


def test_the_audit_gives_the_availability_veto_to_the_slow_unit_only(probed):
    rows, _, _ = probed
    data = frames()
    data["probes"] = rows
    found = run_rules(data, pack=load_rules("expectations"), now=datetime.now(timezone.utc)).findings
    veto = found[found["rule_id"] == "VETO-AVAIL"]
    assert list(veto["unit"]) == [AVAILABILITY_UNIT] and list(veto["severity"]) == ["critical"]
    assert "共探测 20 次，失败 2 次" in veto["message"].iloc[0]


def test_probe_job_kind_in_the_schedule(tmp_path, probed):
    from audits.schedule.jobs import run_job
    from audits.schedule.schedule_file import ScheduleError, load_schedule

    schedule = tmp_path / "schedule.yml"
    schedule.write_text("jobs:\n  - id: probe-demo\n    kind: probe\n    site: tongxiang-demo\n"
                        "    units: [濮院镇]\n    cron: '0 */4 * * *'\n", encoding="utf-8")
    job = load_schedule(schedule).job("probe-demo")
    assert (job.kind, job.recipients) == ("probe", ())
    bad = tmp_path / "bad.yml"
    bad.write_text(schedule.read_text(encoding="utf-8") + "    recipients: [{email: a@example.org}]\n",
                   encoding="utf-8")
    with pytest.raises(ScheduleError) as exc:
        load_schedule(bad)
    assert f"{bad}:7: job probe-demo: field 'recipients': a probe job sends no email" in str(exc.value)
    store = tmp_path / "s.sqlite3"
    # The demo site's base URL is not served here: every attempt fails, and is recorded as such.
    result = run_job("probe-demo", str(schedule), str(store))
    assert result.status == "done" and "2 pages probed, 2 failed" in result.message
    with Store(store) as st:
        assert len(st.probes("tongxiang-demo")) == 2


def test_probe_command_prints_each_page_and_stores_the_attempts(tmp_path):
    import subprocess
    import sys

    store = tmp_path / "s.sqlite3"
    with DemoPortal() as portal:
        result = subprocess.run([sys.executable, "-m", "audits.cli", "probe", "demo", "--base-url", portal.url,
                                 "--unit", "濮院镇", "--timeout", "5", "--store", str(store)],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "2 pages probed, 0 failed" in result.stdout and "濮院镇" in result.stdout
    with Store(store) as st:
        assert [r["target"] for r in st.probes("tongxiang-demo")] == ["home", "catalog"]
