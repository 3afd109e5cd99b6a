"""SMTP settings, read from environment variables only.

A password must never sit in `cron/schedule.yml` or in the repository, so the whole SMTP
configuration comes from the environment (a systemd EnvironmentFile, or the shell for cron).
A missing or malformed variable is reported by name together with what to set it to.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Mapping

HOST, PORT, SECURITY = "GOVAUDIT_SMTP_HOST", "GOVAUDIT_SMTP_PORT", "GOVAUDIT_SMTP_SECURITY"
USER, PASSWORD, MAIL_FROM = "GOVAUDIT_SMTP_USER", "GOVAUDIT_SMTP_PASSWORD", "GOVAUDIT_MAIL_FROM"
TIMEOUT, CAFILE = "GOVAUDIT_SMTP_TIMEOUT", "GOVAUDIT_SMTP_CAFILE"
ALL_VARIABLES = (HOST, PORT, SECURITY, USER, PASSWORD, MAIL_FROM, TIMEOUT, CAFILE)

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class MailSettingsError(ValueError):
    """The SMTP environment is incomplete or malformed; the message names the variables."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    mail_from: Address
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None  # a private CA bundle, for relays with an internal certificate

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "SmtpSettings":
        env = os.environ if env is None else env
        value = {name: env.get(name, "").strip() for name in ALL_VARIABLES}
        problems = [f"{name} is not set" for name in (HOST, MAIL_FROM) if not value[name]]
        security = (value[SECURITY] or "starttls").lower()
        if security not in SECURITY_MODES:
            problems.append(f"{SECURITY}={value[SECURITY]!r} must be one of {', '.join(SECURITY_MODES)}")
            security = "starttls"
        port = DEFAULT_PORTS[security]
        if value[PORT]:
            if value[PORT].isdigit() and 0 < int(value[PORT]) < 65536:
                port = int(value[PORT])
            else:
                problems.append(f"{PORT}={value[PORT]!r} is not a port number")
        if bool(value[USER]) != bool(value[PASSWORD]):
            problems.append(f"set both {USER} and {PASSWORD}, or neither")
        for name in (USER, PASSWORD):  # smtplib sends AUTH in ASCII only; say so instead of crashing
            if not value[name].isascii():
                problems.append(f"{name} holds characters outside ASCII, which SMTP login (smtplib) cannot send")
        timeout = 30.0
        if value[TIMEOUT]:
            try:
                timeout = float(value[TIMEOUT])
            except ValueError:
                problems.append(f"{TIMEOUT}={value[TIMEOUT]!r} is not a number of seconds")
        sender = _address(value[MAIL_FROM]) if value[MAIL_FROM] else None
        if value[MAIL_FROM] and sender is None:
            problems.append(f"{MAIL_FROM}={value[MAIL_FROM]!r} is not an address "
                            "(e.g. '政务公开检查 <audit@example.org>')")
        if problems:
            raise MailSettingsError("SMTP settings: " + "; ".join(problems))
        assert sender is not None  # a missing or unreadable MAIL_FROM is among the problems above
        return cls(value[HOST], port, security, sender, value[USER] or None, value[PASSWORD] or None,
                   timeout, value[CAFILE] or None)


def _address(text: str) -> Address | None:
    name, addr = parseaddr(text)
    if "@" not in addr or not addr.isascii() or " " in addr:
        return None
    try:
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError):
        return None
