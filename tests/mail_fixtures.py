"""Real pieces for the schedule and mail tests: an SMTP server on loopback, site and schedule
files on disk, and site-run outcomes built from findings frames (the shape `run_site` returns).
"""
from __future__ import annotations

import socket
import textwrap
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pandas as pd
from aiosmtpd.controller import Controller

from govaudit.columns import DOCUMENT_COLUMNS, FINDING_COLUMNS

SITE_UNITS = (("桐乡市司法局", "department"), ("濮院镇", "township"), ("崇福镇", "township"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)


class Collector:
    """aiosmtpd handler that keeps every accepted message."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK queued"


class SmtpSink:
    """A real SMTP server on 127.0.0.1:`port`; `start()` may be called after the port was chosen."""

    def __init__(self, port: int | None = None, **smtp_kwargs: Any):
        self.port = port or free_port()
        self.collector = Collector()
        self.smtp_kwargs = smtp_kwargs
        self.controller: Controller | None = None

    def start(self) -> "SmtpSink":
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port, **self.smtp_kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Received]:
        return self.collector.messages

    def env(self, security: str = "none", **extra: str) -> dict[str, str]:
        values = {"GOVAUDIT_SMTP_HOST": "127.0.0.1", "GOVAUDIT_SMTP_PORT": str(self.port),
                  "GOVAUDIT_SMTP_SECURITY": security, "GOVAUDIT_MAIL_FROM": "政务公开检查 <audit@example.org>"}
        values.update(extra)
        return values


def set_env(monkeypatch: Any, values: dict[str, str]) -> None:
    for name in ("GOVAUDIT_SMTP_HOST", "GOVAUDIT_SMTP_PORT", "GOVAUDIT_SMTP_SECURITY", "GOVAUDIT_SMTP_USER",
                 "GOVAUDIT_SMTP_PASSWORD", "GOVAUDIT_MAIL_FROM", "GOVAUDIT_SMTP_TIMEOUT", "GOVAUDIT_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def write_site(directory: Path, name: str = "test-site") -> Path:
    units = "\n".join(f"  - name: {unit}\n    level: {level}\n    catalog: /col/col{i}/index.html"
                      for i, (unit, level) in enumerate(SITE_UNITS, start=1))
    path = directory / f"{name}.yml"
    path.write_text(f"name: {name}\ncms: hanweb\nbase_url: http://127.0.0.1:9/\nunits:\n{units}\n", encoding="utf-8")
    return path


# A weekly job whose run only records that it ran (record_run below): for scheduler mechanics.
RECORDING_SCHEDULE = """\
misfire_grace_time: 1d
job_function: tests.mail_fixtures:record_run
jobs:
  - id: weekly-test
    site: {site}
    cron: "0 8 * * MON"
    recipients:
      - email: office@example.org
"""

SCHEDULE = """\
misfire_grace_time: 1d
jobs:
  - id: weekly-test
    site: {site}
    cron: "0 8 * * MON"
    recipients:
      - email: office@example.org
        name: 桐乡市人民政府办公室
      - email: puyuan@example.org
        name: 濮院镇 党政办
        units: [濮院镇]
    subject: "{{site}} 政府信息公开检查周报 {{date}}：严重问题 {{critical}} 项"
"""


def write_schedule(directory: Path, site_path: Path, text: str = SCHEDULE, **extra: str) -> Path:
    path = directory / "schedule.yml"
    path.write_text(textwrap.dedent(text).format(site=site_path, **extra), encoding="utf-8")
    return path


def finding(unit: str, rule_id: str, severity: str = "critical", kind: str = "failure", n: int = 1, **values: Any) -> dict:
    url = values.pop("url", f"http://portal.example/{unit}/art{n}.html")
    row = {col: None for col in FINDING_COLUMNS}
    row.update(site="test-site", unit=unit, doc_id=f"art{n}", url=url, title=values.pop("title", f"{unit} 文件 {n}"),
               crawl_id=1, rule_id=rule_id, suite="test", kind=kind, severity=severity, rule_title=f"规则 {rule_id}",
               message=values.pop("message", f"{unit} 第 {n} 篇问题"), fix="请整改")
    row["finding_key"] = f"test-site|art{n}|{rule_id}"
    row.update(values)
    return row


def findings_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return frame.astype(FINDING_COLUMNS)


def documents_frame(counts: dict[str, int]) -> pd.DataFrame:
    rows = []
    for unit, count in counts.items():
        for i in range(count):
            row = {col: None for col in DOCUMENT_COLUMNS}
            row.update(unit=unit, url=f"http://portal.example/{unit}/doc{i}.html", doc_id=f"{unit}-{i}", kind="detail")
            rows.append(row)
    return pd.DataFrame(rows, columns=list(DOCUMENT_COLUMNS)).astype({"unit": "string", "url": "string"})


@dataclass
class Outcome:
    """A finished site run, as `audits.audit.run_site` returns it."""

    run_id: int
    report_path: Path
    findings: pd.DataFrame
    documents: pd.DataFrame
    site: str = "test-site"
    crawl_id: int = 1
    calls: list = field(default_factory=list)


def standard_outcome(tmp_path: Path, run_id: int = 7) -> Outcome:
    report = tmp_path / "reports" / f"report-{run_id}.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<!DOCTYPE html><html><body><h1>完整报告</h1></body></html>", encoding="utf-8")
    findings = findings_frame([
        finding("濮院镇", "FZ-DATE-1", "critical", n=1, title="濮院镇2022年法治政府建设年度报告"),
        finding("濮院镇", "META-3", "warning", n=2),
        finding("崇福镇", "XX-SEC-2", "critical", n=3),
        finding("桐乡市司法局", "DOC-1", "warning", n=4),
        finding("崇福镇", "FETCH-1", "could_not_check", kind="could_not_check", n=5),
    ])
    documents = documents_frame({"濮院镇": 3, "崇福镇": 2, "桐乡市司法局": 1})
    return Outcome(run_id, report, findings, documents)


def record_run(job_id: str, schedule_path: str, store_path: str) -> None:
    """A job function whose every execution leaves a row in SQLite (the scheduler tests count them).

    Like `audits.schedule.jobs.run_job`, it marks an earlier run of the job that died midway as interrupted.
    """
    from datetime import datetime, timezone

    from govaudit.store import connect

    conn = connect(store_path)
    with conn:
        conn.execute("UPDATE job_runs SET status='interrupted' WHERE job_id=? AND status='running'", (job_id,))
        conn.execute("CREATE TABLE IF NOT EXISTS executions (job_id TEXT, schedule TEXT, at TEXT)")
        conn.execute("INSERT INTO executions VALUES (?, ?, ?)",
                     (job_id, schedule_path, datetime.now(timezone.utc).isoformat()))
    conn.close()


def executions(store_path: Path) -> int:
    import sqlite3

    if not Path(store_path).exists():
        return 0
    conn = sqlite3.connect(store_path, timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM executions").fetchone()[0]
    except sqlite3.OperationalError:  # no run yet: the table does not exist
        return 0
    finally:
        conn.close()
