"""Normalisation: stored `PageRecord`s become the typed frames of `govaudit.columns`.

`build_frames(records, crawl_id)` is the entry point; the modules split the work by what is
read (labels, dates, metadata, classification, sections, tables, figures). They are imported on
first use, so a re-audit served from the frame cache never loads the parsers.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Frames", "build_frames"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from audits.normalize import frames

        return getattr(frames, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
