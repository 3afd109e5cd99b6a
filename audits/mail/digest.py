"""The weekly digest: one email per recipient, cut down to the units that recipient is for.

A township head reads the digest on a phone: it leads with the recipient's units worst first,
each with its score and trend arrow, then how many findings are new, resolved and still open
this week, then the new findings, then the critical ones still open; everything else is in the
attached report. The layout is one column (no wide table), readable at 390 px. Messages are in
plain Chinese (`audits.mail.plain`). Pages that could not be checked and waived findings are
listed on their own and never counted as passed. The report travels as report.zip (many
government mail gateways strip .html attachments) with findings.xlsx beside it. The HTML has its
CSS inlined because most mail clients drop <style> blocks; nothing in it loads from the network.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

import css_inline
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from audits.mail.digest_view import UnitSummary, build_view, for_units, ordered, records
from audits.mail.recipients import Recipient
from audits.mail.spotcheck_line import spotcheck_risks
from audits.report.context import safe_href
from govaudit.untrusted import plain

if TYPE_CHECKING:
    from audits.report.standing import Standing

__all__ = ["Digest", "RunOutcome", "UnitSummary", "attachments", "compose", "for_units", "render_digest"]

MAX_LISTED = 100  # findings listed in the mail body; the rest are in the attachment
MAX_ATTACHMENT = 10 * 1024 * 1024  # larger reports stay on disk and the mail says where
WORKBOOK_NAME = "findings.xlsx"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

_ENV = Environment(
    loader=PackageLoader("audits", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)
# Links follow the report's rule: only http(s) becomes clickable (no javascript:, data:, file:).
_ENV.filters["safe_href"] = safe_href
# The text part is read in terminals and mail clients that honour escape sequences: every value
# printed into it loses its control characters (a hostile title cannot write a live hyperlink).
# (own template cache: a template compiled without the finalizer must never be reused here)
_TEXT_ENV = _ENV.overlay(finalize=lambda value: plain(value) if isinstance(value, str) else value, cache_size=50)


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
class Digest:
    subject: str
    text: str
    html: str
    counts: dict[str, int] = field(default_factory=dict)
    units: list[UnitSummary] = field(default_factory=list)


def render_digest(job: DigestJob, recipient: Recipient, outcome: RunOutcome,
                  previous_keys: set[str] | None, now: datetime, where: "Standing | None" = None) -> Digest:
    """`where`: the run's standing (the report's scores, diff and waivers); without it,
    `previous_keys` (finding keys of the previous run; None: none, all new) decides what is new."""
    units = recipient.units or job.units
    view = build_view(units, outcome.findings, outcome.documents, previous_keys, where)
    findings, counts = view.findings, view.counts
    failures = findings[findings["kind"] == "failure"]
    new = ordered(failures[failures["is_new"]])
    known_critical = ordered(failures[~failures["is_new"] & (failures["severity"] == "critical")])
    listed_new = new.head(MAX_LISTED)
    listed_known = known_critical.head(max(MAX_LISTED - len(listed_new), 0))
    unchecked = findings[findings["kind"] == "could_not_check"].sort_values(["unit", "url"])
    local_now = now.astimezone(ZoneInfo(job.timezone))
    subject = job.subject.format(site=outcome.site, date=local_now.strftime("%Y-%m-%d"), critical=counts["critical"],
                                 warning=counts["warning"], total=counts["total"], job=job.id)
    report_path = Path(outcome.report_path)
    context = dict(
        lang=job.lang, labels=LABELS[job.lang], subject=subject, site=getattr(outcome, "site_title", "") or outcome.site, job=job,
         recipient=recipient,
        run_id=outcome.run_id, when=local_now.strftime("%Y-%m-%d %H:%M %Z"), counts=counts, units=view.units,
        first_run=view.first_run, with_scores=where is not None,
        missing_units=[s.unit for s in view.units if s.documents == 0 and units is not None],
        new=records(listed_new), known=records(listed_known),
        more=max(len(new) + len(known_critical) - len(listed_new) - len(listed_known), 0),
        others=counts["total"] - len(new) - len(known_critical),
        resolved=records(ordered(view.resolved).head(MAX_LISTED)),
        waived=records(view.waived.head(MAX_LISTED)), unchecked=records(unchecked.head(MAX_LISTED)),
        more_unchecked=max(len(unchecked) - MAX_LISTED, 0), report_name=zip_name(report_path),
        report_path=str(report_path), attached=attachable(report_path),
        workbook=WORKBOOK_NAME if (report_path.parent / WORKBOOK_NAME).is_file() else None,
        spotcheck=spotcheck_risks(findings[findings["kind"] == "failure"], job.lang),
    )
    html = css_inline.inline(_ENV.get_template("mail_digest.html.j2").render(context))
    text = _TEXT_ENV.get_template("mail_digest.txt.j2").render(context)
    return Digest(subject, text, html, counts, view.units)


def zip_name(report_path: Path) -> str:
    return f"{report_path.stem}.zip"


def zipped(report_path: Path) -> bytes:
    """The report in a zip archive (deflated; the HTML inside keeps its own name)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(report_path, arcname=report_path.name)
    return buffer.getvalue()


def attachable(report_path: Path) -> bool:
    return report_path.is_file() and report_path.stat().st_size <= MAX_ATTACHMENT


def attachments(report_path: Path | None) -> list[tuple[bytes, tuple[str, str], str]]:
    """(data, (maintype, subtype), filename) of report.zip and findings.xlsx, when they exist."""
    if report_path is None or not attachable(report_path):
        return []
    found = [(zipped(report_path), ("application", "zip"), zip_name(report_path))]
    workbook = report_path.parent / WORKBOOK_NAME
    if workbook.is_file() and workbook.stat().st_size <= MAX_ATTACHMENT:
        found.append((workbook.read_bytes(), XLSX_TYPE, WORKBOOK_NAME))
    return found


def compose(digest: Digest, recipient: Recipient, mail_from: Address | None, message_id: str,
            report_path: Path | None, run_id: Any, now: datetime) -> EmailMessage:
    """multipart/mixed [ multipart/alternative [text, HTML], report.zip, findings.xlsx ]."""
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
    for data, (maintype, subtype), filename in attachments(report_path):
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


LABELS: dict[str, dict[str, str]] = {
    "zh": dict(
        title="政府信息公开检查周报", site="站点", run="检查批次", when="检查时间", summary="各单位得分（从低到高）",
        score="得分", not_scored="未评分", documents="页面", critical="严重", warning="一般", info="提示",
        could_not_check="未能检查", new="本周新增", resolved="本周已整改", open="仍未整改", waived="已豁免",
        new_title="本周新增的问题", known_title="仍未整改的严重问题", resolved_title="本周已整改",
        waived_title="已豁免的问题（到期或页面变化后恢复）", waived_until="豁免至",
        fix="整改建议", view="查看页面", none_new="本周没有新增问题。",
        first_run="这是首次正式检查，所有问题均列在附件报告的“优先整改”中。",
        more="另有 {n} 项见附件完整报告。", others="另有 {n} 项已知的一般或提示问题，详见附件。",
        unchecked="未能检查的页面（不计为通过）",
        missing="以下单位本期没有抓取到任何页面，请核对单位名称或站点配置：",
        attached="完整报告见附件 {name}（解压后用浏览器打开）{workbook}。", workbook=
        "，问题清单见附件 {name}（可按单位转发）", not_attached="完整报告保存在服务器：{path}", is_new="新",
    ),
    "en": dict(
        title="Information-disclosure audit digest", site="Site", run="Run", when="Checked at",
        summary="Units, worst first", score="Score", not_scored="not scored", documents="Pages",
        critical="Critical", warning="Warning", info="Info", could_not_check="Could not check",
        new="New this week", resolved="Resolved this week", open="Still open", waived="Waived",
        new_title="New this week", known_title="Critical findings still open", resolved_title="Resolved this week",
        waived_title="Waived findings (they come back when the date passes or the page changes)",
        waived_until="waived until", fix="Fix", view="Open the page", none_new="Nothing new this week.",
        first_run="This is the first run of record; every finding is in the attached report under \"Fix first\".",
        more="{n} more in the attached report.", others="{n} known warnings or notes are in the attachment.",
        unchecked="Pages that could not be checked (not counted as passed)",
        missing="No page was crawled for these units; check the unit names or the site file:",
        attached="The full report is attached as {name} (unzip it and open it in a browser){workbook}.",
        workbook="; the findings are in {name}, one sheet per unit",
        not_attached="The full report is on the server: {path}", is_new="new",
    ),
}
