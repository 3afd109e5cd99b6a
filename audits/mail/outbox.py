"""The outbox and the sent-log: the two tables that make delivery neither lossy nor repeated.

A message is stored in `outbox`, keyed by (run_id, recipient), before any SMTP connection is
made, so a dead mail server or a crash can delay it but not lose it. A delivery is recorded in
`sent_log` under the same key in the same transaction that marks the outbox row sent, so a
message recorded as sent is never sent again, whatever restarts follow.

The one window left is between the server's "250 accepted" and that commit: a crash exactly
there leaves the row marked `sending`. The next flush resends it (at-least-once, never
silently dropped) with the same Message-ID, which is derived from (store, run_id, recipient),
so receiving systems can recognise the duplicate. The window is kept to the commit itself.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP

import sqlalchemy as sa

from govaudit.db import Record, StoreConnection, insert_ignoring_duplicates
from govaudit.schema import mail_meta, outbox, sent_log


STATUSES = ("pending", "sending", "sent")
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
KEEP_SENT = timedelta(days=30)  # sent bodies kept this long for "what exactly did we send?"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")



def message_id(conn: StoreConnection, run_id: str, recipient: str, domain: str) -> str:
    """A Message-ID that is the same for every attempt of one (run, recipient) in this store.

    The per-store token keeps two installations whose run ids both start at 1 from producing
    the same id for different messages.
    """
    with conn:
        conn.execute(insert_ignoring_duplicates(conn, mail_meta).values(key="store_token", value=secrets.token_hex(16)))
    token = conn.execute(sa.select(mail_meta.c.value).where(mail_meta.c.key == "store_token")).scalar()
    digest = hashlib.sha256(f"{token}|{run_id}|{recipient.lower()}".encode()).hexdigest()[:32]
    return f"<govaudit.{digest}@{domain}>"


def enqueue(conn: StoreConnection, run_id: str, messages: list[tuple[str, EmailMessage]],
            job_id: str | None = None, report_path: str | None = None, now: datetime | None = None) -> int:
    """Store every (recipient, message) of one run in one transaction: all queued, or none.

    A (run, recipient) already queued or already in the sent-log is left alone, so queuing
    the same run twice sends nothing twice. Returns how many messages were newly queued.
    """
    stamp = _iso(now or utcnow())
    added = 0
    with conn:
        for recipient, message in messages:
            recipient = recipient.lower()
            if already_sent(conn, run_id, recipient):
                continue
            result = conn.execute(insert_ignoring_duplicates(conn, outbox).values(
                run_id=run_id, recipient=recipient, job_id=job_id, message_id=message["Message-ID"],
                subject=str(message["Subject"]), message=message.as_bytes(policy=SMTP), report_path=report_path,
                next_attempt_at=stamp, created_at=stamp).returning(outbox.c.run_id))
            added += len(result.fetchall())  # a row already queued returns none (rowcount is not portable here)
    return added


def due_rows(conn: StoreConnection, now: datetime | None = None, due_only: bool = True,
             exclude: AbstractSet[tuple[str, str]] = frozenset()) -> list[Record]:
    """Rows to attempt: pending (when due, unless `due_only` is off) and interrupted `sending` ones."""
    query = sa.select(outbox).where(outbox.c.status.in_(("pending", "sending")))
    if due_only:
        query = query.where(sa.or_(outbox.c.status == "sending", outbox.c.next_attempt_at <= _iso(now or utcnow())))
    rows = conn.execute(query.order_by(outbox.c.created_at, outbox.c.run_id, outbox.c.recipient)).fetchall()
    return [r for r in rows if (r["run_id"], r["recipient"]) not in exclude]


def _key(table: sa.Table, run_id: str, recipient: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.run_id == run_id, table.c.recipient == recipient)


def already_sent(conn: StoreConnection, run_id: str, recipient: str) -> bool:
    found = conn.execute(sa.select(sa.literal(1)).where(_key(sent_log, run_id, recipient))).fetchone()
    return found is not None


def mark_sending(conn: StoreConnection, run_id: str, recipient: str) -> None:
    with conn:
        conn.execute(sa.update(outbox).where(_key(outbox, run_id, recipient)).values(status="sending"))


def mark_sent(conn: StoreConnection, row: Record, response: str, now: datetime | None = None) -> None:
    """Record the delivery; the sent-log row and the outbox status change commit together."""
    stamp = _iso(now or utcnow())
    with conn:
        conn.execute(insert_ignoring_duplicates(conn, sent_log).values(
            run_id=row["run_id"], recipient=row["recipient"], message_id=row["message_id"], sent_at=stamp,
            smtp_response=response))
        conn.execute(sa.update(outbox).where(_key(outbox, row["run_id"], row["recipient"])).values(
            status="sent", sent_at=stamp, attempts=outbox.c.attempts + 1, last_error=None))


def mark_failed(conn: StoreConnection, row: Record, error: str, now: datetime | None = None) -> datetime:
    """Keep the message with the error; it becomes due again after an exponential backoff."""
    now = now or utcnow()
    attempts = int(row["attempts"]) + 1
    retry_at = now + backoff(attempts)
    with conn:
        conn.execute(sa.update(outbox).where(_key(outbox, row["run_id"], row["recipient"])).values(
            status="pending", attempts=attempts, last_error=error, next_attempt_at=_iso(retry_at)))
    return retry_at


def backoff(attempts: int) -> timedelta:
    """5 min, 10 min, 20 min, ... capped at 6 h: a mail server down for a day is retried all day."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def prune(conn: StoreConnection, keep: timedelta = KEEP_SENT, now: datetime | None = None) -> int:
    """Drop the bodies (report attachments included) of messages sent longer ago than `keep`.

    The rows stay, and so does the sent-log, so a pruned message still counts as sent; only the
    bytes go, because a weekly report per recipient would otherwise grow the store without end.
    """
    cutoff = _iso((now or utcnow()) - keep)
    with conn:
        result = conn.execute(sa.update(outbox).where(
            outbox.c.status == "sent", outbox.c.sent_at < cutoff, sa.func.length(outbox.c.message) > 0,
        ).values(message=b""))
    return result.rowcount


def listing(conn: StoreConnection, include_sent: bool = False) -> list[Record]:
    c = outbox.c
    query = sa.select(c.run_id, c.recipient, c.job_id, c.subject, c.status, c.attempts, c.last_error,
                      c.next_attempt_at, c.created_at, c.sent_at, c.report_path)
    if not include_sent:
        query = query.where(c.status != "sent")
    return conn.execute(query.order_by(c.created_at, c.run_id, c.recipient)).fetchall()
