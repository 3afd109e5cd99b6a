"""The weekly digest: one email per recipient, cut down to the units that recipient is for.

A township head reads the digest on a phone and acts on what is new or critical, so the mail
leads with a per-unit summary and then lists new and critical findings with links to the
pages; everything else is in the attached full report. Pages that could not be checked are
listed on their own and never counted as passed. The HTML has its CSS inlined because most
mail clients drop <style> blocks; nothing in it loads from the network.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import css_inline
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from audits.mail.recipients import Recipient
from audits.mail.spotcheck_line import spotcheck_risks

MAX_LISTED = 100  # findings listed in the mail body; the rest are in the attachment
MAX_ATTACHMENT = 10 * 1024 * 1024  # larger reports stay on disk and the mail says where
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}

_ENV = Environment(
    loader=PackageLoader("audits", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


class RunOutcome(Protocol):
    """What the digest needs of `audits.audit.SiteRunOutcome`."""

    run_id: Any
    site: str
    report_path: Path
    findings: pd.DataFrame
    documents: pd.DataFrame


class DigestJob(Protocol):
    """What a digest needs of its scheduled job (the schedule file's `ScheduledJob`)."""

    @property
    def id(self) -> str: ...
    @property
    def units(self) -> tuple[str, ...] | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def lang(self) -> str: ...


@dataclass
class UnitSummary:
    unit: str
    documents: int
    critical: int = 0
    warning: int = 0
    info: int = 0
    could_not_check: int = 0
    new: int = 0


@dataclass
class Digest:
    subject: str
    text: str
    html: str
    counts: dict[str, int] = field(default_factory=dict)
    units: list[UnitSummary] = field(default_factory=list)


def for_units(frame: pd.DataFrame, units: tuple[str, ...] | None) -> pd.DataFrame:
    if units is None or frame.empty or "unit" not in frame:
        return frame
    return frame[frame["unit"].isin(units)]


def render_digest(job: DigestJob, recipient: Recipient, outcome: RunOutcome,
                  previous_keys: set[str] | None, now: datetime) -> Digest:
    """`previous_keys`: finding keys of this job's previous run (None: no previous run, all new)."""
    units = recipient.units or job.units
    findings = for_units(outcome.findings, units).copy()
    documents = for_units(outcome.documents, units)
    findings["is_new"] = (~findings["finding_key"].isin(previous_keys or set())) if previous_keys is not None else True
    failures = findings[findings["kind"] == "failure"]
    counts = {sev: int((failures["severity"] == sev).sum()) for sev in SEVERITY_ORDER}
    counts["could_not_check"] = int((findings["kind"] == "could_not_check").sum())
    counts["new"] = int(failures["is_new"].sum())
    counts["total"] = len(failures)
    summaries = _summaries(units, findings, documents)
    highlights = failures[failures["is_new"] | (failures["severity"] == "critical")].copy()
    highlights["_order"] = highlights["severity"].map(SEVERITY_ORDER).fillna(3)
    highlights = highlights.sort_values(["_order", "is_new", "unit", "rule_id", "url"], ascending=[True, False, True, True, True])
    unchecked = findings[findings["kind"] == "could_not_check"].sort_values(["unit", "url"])
    local_now = now.astimezone(ZoneInfo(job.timezone))
    subject = job.subject.format(site=outcome.site, date=local_now.strftime("%Y-%m-%d"), critical=counts["critical"],
                                 warning=counts["warning"], total=counts["total"], job=job.id)
    context = dict(
        lang=job.lang, labels=LABELS[job.lang], subject=subject, site=outcome.site, job=job, recipient=recipient,
        run_id=outcome.run_id, when=local_now.strftime("%Y-%m-%d %H:%M %Z"), counts=counts, units=summaries,
        missing_units=[s.unit for s in summaries if s.documents == 0 and units is not None],
        highlights=_records(highlights.head(MAX_LISTED)), more=max(len(highlights) - MAX_LISTED, 0),
        others=counts["total"] - len(highlights), unchecked=_records(unchecked.head(MAX_LISTED)),
        more_unchecked=max(len(unchecked) - MAX_LISTED, 0), report_name=Path(outcome.report_path).name,
        report_path=str(outcome.report_path), attached=attachable(Path(outcome.report_path)),
        spotcheck=spotcheck_risks(failures, job.lang),
    )
    html = css_inline.inline(_ENV.get_template("mail_digest.html.j2").render(context))
    text = _ENV.get_template("mail_digest.txt.j2").render(context)
    return Digest(subject, text, html, counts, summaries)


def attachable(report_path: Path) -> bool:
    return report_path.is_file() and report_path.stat().st_size <= MAX_ATTACHMENT


def _summaries(units: tuple[str, ...] | None, findings: pd.DataFrame, documents: pd.DataFrame) -> list[UnitSummary]:
    names = list(units) if units else sorted(set(documents.get("unit", pd.Series(dtype=str)).dropna()) | set(findings["unit"].dropna()))
    rows = []
    for unit in names:
        mine = findings[findings["unit"] == unit]
        failing = mine[mine["kind"] == "failure"]
        docs = int((documents["unit"] == unit).sum()) if "unit" in documents else 0
        rows.append(UnitSummary(
            unit, docs, *(int((failing["severity"] == s).sum()) for s in SEVERITY_ORDER),
            could_not_check=int((mine["kind"] == "could_not_check").sum()), new=int(failing["is_new"].sum()),
        ))
    return rows


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    plain = frame.astype(object).where(frame.notna(), None)
    return plain.to_dict("records")


def compose(digest: Digest, recipient: Recipient, mail_from: Address | None, message_id: str,
            report_path: Path | None, run_id: Any, now: datetime) -> EmailMessage:
    """multipart/mixed [ multipart/alternative [text, HTML], report.html ]."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = digest.subject
    if mail_from is not None:  # otherwise added at send time, once the settings exist
        message["From"] = mail_from
    message["To"] = Address(display_name=recipient.name or "", addr_spec=recipient.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the robot
    message["X-Govaudit-Run"] = str(run_id)
    message.set_content(digest.text, cte="base64")
    message.add_alternative(digest.html, subtype="html", cte="base64")
    if report_path is not None and attachable(report_path):
        message.add_attachment(report_path.read_bytes(), maintype="text", subtype="html", filename=report_path.name,
                               params={"charset": "utf-8"})  # the report is written as UTF-8
    return message


LABELS: dict[str, dict[str, str]] = {
    "zh": dict(
        title="政府信息公开检查周报", site="站点", run="检查批次", when="检查时间", summary="各单位概况",
        unit="单位", documents="页面数", critical="严重", warning="警告", info="提示", could_not_check="未能检查",
        new="新发现", highlights="新发现及严重问题", severity="级别", rule="规则", page="页面", problem="问题",
        fix="整改建议", none="本期没有新发现或严重问题。", more="另有 {n} 项见附件完整报告。",
        others="另有 {n} 项已知的警告或提示，详见附件完整报告。", unchecked="未能检查的页面（不计为通过）",
        missing="以下单位本期没有抓取到任何页面，请核对单位名称或站点配置：", attached="完整报告见附件 {name}。",
        not_attached="完整报告保存在服务器：{path}", is_new="新",
    ),
    "en": dict(
        title="Information-disclosure audit digest", site="Site", run="Run", when="Checked at", summary="Summary by unit",
        unit="Unit", documents="Pages", critical="Critical", warning="Warning", info="Info",
        could_not_check="Could not check", new="New", highlights="New and critical findings", severity="Severity",
        rule="Rule", page="Page", problem="Problem", fix="Fix", none="No new or critical findings this week.",
        more="{n} more in the attached report.", others="{n} known warnings or notes are in the attached report.",
        unchecked="Pages that could not be checked (not counted as passed)",
        missing="No page was crawled for these units; check the unit names or the site file:",
        attached="The full report is attached as {name}.", not_attached="The full report is on the server: {path}",
        is_new="new",
    ),
}
