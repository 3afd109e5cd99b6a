"""Audit emails: the digest each recipient gets, and delivery that never loses or repeats one.

Messages are composed into the `outbox` table of the store before any SMTP connection is
made; `sender` delivers from there and records each delivery in `sent_log`.
"""
