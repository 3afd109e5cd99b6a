"""`govaudit email test|flush|outbox`: check the mail setup and deliver what is waiting.

`email test` exists because mail setup is where scheduled reports most often fail silently:
it sends one message right away and, when it cannot, says which setting to change.
"""
from __future__ import annotations

from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands import existing_store, writable_store
from audits.commands.exit_codes import EXIT_RUN_ERROR
from audits.mail import outbox
from audits.mail.sender import MailDeliveryError, flush_outbox, send_test
from audits.mail.smtp_env import MailSettingsError, SmtpSettings
from govaudit.db import shown_store
from govaudit.store import connect
from govaudit.untrusted import shown

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole for grep
email_app = typer.Typer(help="Audit emails: test the SMTP settings, flush the outbox.", no_args_is_help=True)
STORE_HELP = defaults.STORE_HELP
TEST_SUBJECT = "govaudit 邮件测试：政府信息公开检查"


def register(app: typer.Typer) -> None:
    app.add_typer(email_app, name="email")


@email_app.command("test")
def test(to: str = typer.Option(..., "--to", help="address to send the test message to")) -> None:
    """Send a test message now with the GOVAUDIT_SMTP_* settings; exit 3 with the reason if it fails."""

    try:
        settings = SmtpSettings.from_env()
    except MailSettingsError as exc:
        console.print(f"[red]cannot send:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_RUN_ERROR) from None
    message = EmailMessage(policy=SMTP)
    message["Subject"] = TEST_SUBJECT
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=to)
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(f"这是一封测试邮件：govaudit 可以通过 {settings.endpoint}（{settings.security}）发信。\n"
                        f"This is a test message: govaudit can send through {settings.endpoint}.\n", cte="base64")
    try:
        reply = send_test(settings, to, message)
    except MailDeliveryError as exc:
        console.print(f"[red]cannot send:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_RUN_ERROR) from None
    print(f"sent a test message to {to} through {settings.endpoint} ({reply})")


@email_app.command("flush")
def flush(
    store: Optional[str] = typer.Option(None, help=STORE_HELP),
    due_only: bool = typer.Option(False, "--due-only", help="skip messages whose retry time has not come (for timers)"),
) -> None:
    """Send every message waiting in the outbox (each at most once); exit 3 if some still wait."""

    report = flush_outbox(writable_store(store, console, must_exist=True), due_only=due_only)
    if report.busy:
        print("another flush is running; it delivers what is waiting")
        return
    print(f"sent {len(report.sent)}, failed {len(report.failed)}, waiting {report.waiting}")
    for run_id, recipient, error in report.failed:
        console.print(f"  run {shown(run_id)} → {shown(recipient)}: {shown(error)}", highlight=False)
    if report.failed:
        raise typer.Exit(EXIT_RUN_ERROR)


@email_app.command("outbox")
def show_outbox(
    store: Optional[str] = typer.Option(None, help=STORE_HELP),
    sent: bool = typer.Option(False, "--sent", help="include messages already sent"),
) -> None:
    """List the messages in the outbox with their attempts and last error."""
    path = existing_store(store, console)
    conn = connect(path)
    try:
        rows = outbox.listing(conn, include_sent=sent)
    finally:
        conn.close()
    table = Table(title=f"outbox of {shown(shown_store(path))}")
    for column in ("run", "recipient", "job", "status", "attempts", "next attempt", "last error"):
        table.add_column(column)
    for row in rows:
        table.add_row(shown(row["run_id"]), shown(row["recipient"]), shown(row["job_id"] or ""), row["status"],
                      str(row["attempts"]), row["next_attempt_at"] if row["status"] != "sent" else row["sent_at"],
                      shown(row["last_error"] or ""))
    Console(width=160).print(table)
