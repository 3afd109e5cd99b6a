"""Delivery over SMTP (STARTTLS, implicit TLS or plain), from the outbox.

Mail setup is where scheduled reports most often fail, and smtplib's exceptions do not say
what to change; `explain()` turns each failure into a sentence naming the setting to check.
A flush retries a failing connection a few times with growing pauses (a relay restarting),
then leaves the messages in the outbox with the error and an exponential next-attempt time.
Only one flush runs at a time (a file lock beside the store), so a message is never handed to
two SMTP sessions at once.
"""
from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP
from pathlib import Path
from typing import Callable

from audits.mail import outbox
from audits.mail.smtp_env import HOST, MAIL_FROM, PASSWORD, PORT, SECURITY, USER, MailSettingsError, SmtpSettings
from govaudit.locks import JobLocked, store_lock
from govaudit.store import connect

log = logging.getLogger(__name__)
RETRY_DELAYS = (2.0, 8.0)  # pauses before the 2nd and 3rd connection attempt within one flush


class MailDeliveryError(RuntimeError):
    """A message could not be delivered; the text says why and what to check."""


@dataclass
class FlushReport:
    sent: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # run_id, recipient, error
    busy: bool = False  # another flush held the lock; it will deliver what is due
    waiting: int = 0  # messages still in the outbox afterwards


def open_connection(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=settings.cafile)
    if settings.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def deliver(smtp: smtplib.SMTP, settings: SmtpSettings, recipient: str, data: bytes) -> str:
    """Hand one message to the server; returns its final reply (with the queue id, usually)."""
    sender = settings.mail_from.addr_spec
    code, reply = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.data(data)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    return f"{code} {reply.decode('utf-8', 'replace')}"


def with_sender(data: bytes, settings: SmtpSettings) -> bytes:
    """Messages composed while the SMTP settings were missing get their From header now."""
    head = data.split(b"\r\n\r\n", 1)[0].lower()
    if head.startswith(b"from:") or b"\r\nfrom:" in head:
        return data
    message = BytesParser(policy=SMTP).parsebytes(data)
    message["From"] = settings.mail_from
    return message.as_bytes(policy=SMTP)


def is_permanent(exc: BaseException) -> bool:
    """A 5xx reply will not change on retry; a dropped connection or 4xx may."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return (isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
            and not isinstance(exc, smtplib.SMTPAuthenticationError))


def explain(exc: BaseException, settings: SmtpSettings | None) -> str:
    if isinstance(exc, MailSettingsError) or settings is None:
        return str(exc)
    where = settings.endpoint
    if isinstance(exc, ConnectionRefusedError):
        return f"no SMTP server at {where}; check {HOST}/{PORT}"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the SMTP host {settings.host!r}; check {HOST}"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} within {settings.timeout:g}s; check {HOST}/{PORT} and the firewall"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{where} rejected the login of {settings.user!r} ({_reply(exc)}); check {USER}/{PASSWORD}"
    if isinstance(exc, smtplib.SMTPNotSupportedError) or "authentication method" in str(exc):
        if "STARTTLS" in str(exc):
            return f"{where} does not offer STARTTLS; set {SECURITY}=ssl (usually port 465) or {SECURITY}=none"
        return (f"{where} does not offer a login ({exc}); check {SECURITY} "
                f"(many servers allow AUTH only after STARTTLS) or unset {USER}/{PASSWORD}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"the TLS certificate of {where} is not trusted ({exc.verify_message}); "
                "set GOVAUDIT_SMTP_CAFILE to its CA bundle")
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or str(exc)
        if reason == "WRONG_VERSION_NUMBER":
            reason += ": the server answered in plain text, not TLS"
        return (f"TLS with {where} failed ({reason}); port 465 usually needs {SECURITY}=ssl,"
                f" ports 587 and 25 {SECURITY}=starttls")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection ({exc}); check {SECURITY} matches the port"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"{where} refused the sender {exc.sender} ({_reply(exc)}); check {MAIL_FROM}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{rcpt}: {code} {msg.decode('utf-8', 'replace')}"
                            for rcpt, (code, msg) in exc.recipients.items())
        return f"{where} refused the recipient ({refused}); check the address in cron/schedule.yml"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} answered {_reply(exc)}"
    if isinstance(exc, OSError):
        return f"cannot reach {where}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    message = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {message}"


def send_test(settings: SmtpSettings, to: str, message: EmailMessage) -> str:
    """Send one message directly (no outbox); raises MailDeliveryError with the explanation."""
    try:
        with open_connection(settings) as smtp:
            return deliver(smtp, settings, to, message.as_bytes(policy=SMTP))
    except (OSError, smtplib.SMTPException) as exc:
        raise MailDeliveryError(explain(exc, settings)) from exc


def flush_outbox(store_path: str | Path, settings: SmtpSettings | None = None, *, now: datetime | None = None,
                 due_only: bool = True, retry_delays: tuple[float, ...] = RETRY_DELAYS,
                 sleep: Callable[[float], None] = time.sleep) -> FlushReport:
    """Deliver what is waiting in the outbox; every outcome is written back to the store."""
    report = FlushReport()
    lock = store_lock(store_path, "outbox-flush")
    try:
        lock.acquire()
    except JobLocked as exc:
        log.info("another outbox flush is running (%s); leaving the messages to it", exc)
        report.busy = True
        return report
    conn = connect(store_path)
    try:
        _flush(conn, settings, now, due_only, retry_delays, sleep, report)
        outbox.prune(conn, now=now)
        report.waiting = len(outbox.listing(conn))
    finally:
        conn.close()
        lock.release()
    return report


def flush_due(store_path: str) -> FlushReport:
    """The scheduler's hourly retry: only messages whose backoff has passed."""
    return flush_outbox(store_path, due_only=True)


def _flush(conn, settings, now, due_only, retry_delays, sleep, report: FlushReport) -> None:
    attempted: set[tuple[str, str]] = set()
    smtp: smtplib.SMTP | None = None
    try:
        if settings is None:
            try:
                settings = SmtpSettings.from_env()
            except MailSettingsError as exc:
                for row in outbox.due_rows(conn, now, due_only):
                    outbox.mark_failed(conn, row, str(exc), now)
                    report.failed.append((row["run_id"], row["recipient"], str(exc)))
                return
        while rows := outbox.due_rows(conn, now, due_only, attempted):
            for index, row in enumerate(rows):
                key = (row["run_id"], row["recipient"])
                attempted.add(key)
                if outbox.already_sent(conn, *key):
                    outbox.mark_sent(conn, row, "already in sent_log", now)  # repair, no resend
                    continue
                if row["status"] == "sending":
                    log.warning("resending %s to %s: the previous attempt was interrupted after the message may"
                                " have reached the server (same Message-ID %s)", *key, row["message_id"])
                error, smtp, server_down = _attempt(conn, row, settings, smtp, retry_delays, sleep, now)
                if error is None:
                    report.sent.append(key)
                    continue
                outbox.mark_failed(conn, row, error, now)
                report.failed.append((*key, error))
                if server_down:  # no point trying the rest now: they wait with the same error
                    for later in rows[index + 1:]:
                        attempted.add((later["run_id"], later["recipient"]))
                        outbox.mark_failed(conn, later, error, now)
                        report.failed.append((later["run_id"], later["recipient"], error))
                    return
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _attempt(conn, row, settings: SmtpSettings, smtp, retry_delays, sleep, now):
    """Try one message; returns (error or None, the open connection or None, server unreachable)."""
    error, server_down = None, False
    for delay in (0.0, *retry_delays):
        if delay:
            sleep(delay)
        connected = smtp is not None
        try:
            if smtp is None:
                smtp = open_connection(settings)
                connected = True
            outbox.mark_sending(conn, row["run_id"], row["recipient"])
            reply = deliver(smtp, settings, row["recipient"], with_sender(row["message"], settings))
            outbox.mark_sent(conn, row, reply, now)
            return None, smtp, False
        except (OSError, smtplib.SMTPException) as exc:
            error, server_down = explain(exc, settings), not connected
            if is_permanent(exc):
                return error, smtp, False
            if smtp is not None:
                smtp.close()
            smtp = None
    return error, None, server_down
