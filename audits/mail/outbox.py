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
import sqlite3
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP


STATUSES = ("pending", "sending", "sent")
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
KEEP_SENT = timedelta(days=30)  # sent bodies kept this long for "what exactly did we send?"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")



def message_id(conn: sqlite3.Connection, run_id: str, recipient: str, domain: str) -> str:
    """A Message-ID that is the same for every attempt of one (run, recipient) in this store.

    The per-store token keeps two installations whose run ids both start at 1 from producing
    the same id for different messages.
    """
    with conn:
        conn.execute("INSERT OR IGNORE INTO mail_meta VALUES ('store_token', ?)", (secrets.token_hex(16),))
    token = conn.execute("SELECT value FROM mail_meta WHERE key='store_token'").fetchone()[0]
    digest = hashlib.sha256(f"{token}|{run_id}|{recipient.lower()}".encode()).hexdigest()[:32]
    return f"<govaudit.{digest}@{domain}>"


def enqueue(conn: sqlite3.Connection, run_id: str, messages: list[tuple[str, EmailMessage]],
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
            if conn.execute("SELECT 1 FROM sent_log WHERE run_id=? AND recipient=?", (run_id, recipient)).fetchone():
                continue
            cur = conn.execute(
                "INSERT OR IGNORE INTO outbox (run_id, recipient, job_id, message_id, subject, message,"
                " report_path, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, recipient, job_id, message["Message-ID"], str(message["Subject"]),
                 message.as_bytes(policy=SMTP), report_path, stamp, stamp),
            )
            added += cur.rowcount
    return added


def due_rows(conn: sqlite3.Connection, now: datetime | None = None, due_only: bool = True,
             exclude: AbstractSet[tuple[str, str]] = frozenset()) -> list[sqlite3.Row]:
    """Rows to attempt: pending (when due, unless `due_only` is off) and interrupted `sending` ones."""
    sql = "SELECT * FROM outbox WHERE status IN ('pending', 'sending')"
    args: tuple = ()
    if due_only:
        sql, args = sql + " AND (status = 'sending' OR next_attempt_at <= ?)", (_iso(now or utcnow()),)
    rows = conn.execute(sql + " ORDER BY created_at, run_id, recipient", args).fetchall()
    return [r for r in rows if (r["run_id"], r["recipient"]) not in exclude]


def already_sent(conn: sqlite3.Connection, run_id: str, recipient: str) -> bool:
    found = conn.execute("SELECT 1 FROM sent_log WHERE run_id=? AND recipient=?", (run_id, recipient)).fetchone()
    return found is not None


def mark_sending(conn: sqlite3.Connection, run_id: str, recipient: str) -> None:
    with conn:
        conn.execute("UPDATE outbox SET status='sending' WHERE run_id=? AND recipient=?", (run_id, recipient))


def mark_sent(conn: sqlite3.Connection, row: sqlite3.Row, response: str, now: datetime | None = None) -> None:
    """Record the delivery; the sent-log row and the outbox status change commit together."""
    stamp = _iso(now or utcnow())
    with conn:
        conn.execute(
            "INSERT OR IGNORE INTO sent_log (run_id, recipient, message_id, sent_at, smtp_response) "
            "VALUES (?, ?, ?, ?, ?)",
            (row["run_id"], row["recipient"], row["message_id"], stamp, response),
        )
        conn.execute(
            "UPDATE outbox SET status='sent', sent_at=?, attempts=attempts+1, last_error=NULL "
            "WHERE run_id=? AND recipient=?",
            (stamp, row["run_id"], row["recipient"]),
        )


def mark_failed(conn: sqlite3.Connection, row: sqlite3.Row, error: str, now: datetime | None = None) -> datetime:
    """Keep the message with the error; it becomes due again after an exponential backoff."""
    now = now or utcnow()
    attempts = int(row["attempts"]) + 1
    retry_at = now + backoff(attempts)
    with conn:
        conn.execute(
            "UPDATE outbox SET status='pending', attempts=?, last_error=?, next_attempt_at=? "
            "WHERE run_id=? AND recipient=?",
            (attempts, error, _iso(retry_at), row["run_id"], row["recipient"]),
        )
    return retry_at


def backoff(attempts: int) -> timedelta:
    """5 min, 10 min, 20 min, ... capped at 6 h: a mail server down for a day is retried all day."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def prune(conn: sqlite3.Connection, keep: timedelta = KEEP_SENT, now: datetime | None = None) -> int:
    """Drop the bodies (report attachments included) of messages sent longer ago than `keep`.

    The rows stay, and so does the sent-log, so a pruned message still counts as sent; only the
    bytes go, because a weekly report per recipient would otherwise grow the store without end.
    """
    cutoff = _iso((now or utcnow()) - keep)
    with conn:
        cur = conn.execute("UPDATE outbox SET message=X'' WHERE status='sent' AND sent_at < ? AND length(message) > 0",
                           (cutoff,))
    return cur.rowcount


def listing(conn: sqlite3.Connection, include_sent: bool = False) -> list[sqlite3.Row]:
    sql = ("SELECT run_id, recipient, job_id, subject, status, attempts, last_error, next_attempt_at,"
           " created_at, sent_at, report_path FROM outbox")
    if not include_sent:
        sql += " WHERE status != 'sent'"
    return conn.execute(sql + " ORDER BY created_at, run_id, recipient").fetchall()
