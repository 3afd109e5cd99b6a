"""Normalisation: stored `PageRecord`s become the typed frames of `govaudit.columns`.

`build_frames(records, crawl_id)` is the entry point; the modules split the work by what is
read (labels, dates, metadata, classification, sections, tables, figures).
"""
from audits.normalize.frames import Frames, build_frames

__all__ = ["Frames", "build_frames"]
