"""Text written by strangers, made safe to print.

Unit names, page titles and error messages quoting URLs come from portals (or from a config
someone else edited). Printed as they are, `[/bold]` is rich markup that crashes the table
(MarkupError) and `ESC ] 8 ;;` writes a live terminal hyperlink or recolours the operator's
terminal. `plain` drops the control characters (C0, C1, DEL: every terminal escape starts with
one) and `shown` also escapes rich markup, for text placed in rich tables and markup strings.
In a CSV the danger is a cell Excel runs as a formula (`=HYPERLINK(...)`, `+cmd|...`):
`defused` gives such cells a leading apostrophe, as OWASP advises, for every CSV we write.
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd
from rich.markup import escape

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode line/paragraph
# separators and bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def plain(value: Any) -> str:
    """`value` as text without control characters (terminal escapes cannot start)."""
    return _CONTROL.sub("", "" if value is None else str(value))


def shown(value: Any) -> str:
    """`value` as text for rich: control characters dropped, markup brackets escaped."""
    return escape(plain(value))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot run as a spreadsheet formula."""
    safe = frame.copy()
    for name in safe.columns:
        if pd.api.types.is_string_dtype(safe[name]) or safe[name].dtype == object:
            safe[name] = safe[name].astype(object).map(_defuse)
    return safe
