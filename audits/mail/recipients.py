"""Who receives a digest: an address, a display name, and the units they answer for.

Declared by the mail layer because composing a message needs no more than this; the schedule
file builds these from its `recipients:` lists.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None = None
    units: tuple[str, ...] | None = None  # None: every unit of the job
