"""The frames of a stored crawl, kept in the store so a re-audit does not parse the pages again.

A rule tuner re-runs `govaudit audit` on the same crawl after every edit; parsing its pages
(and reading its PDF attachments) costs far more than the rules. The frames are what
normalisation made of the pages, so they are cached per crawl and reused while nothing they
depend on has changed:

- the crawl's pages and the attachment files: triggers in `govaudit.schema` delete a crawl's
  cached frames whenever one of its pages is written or removed, and every cached frame when an
  attachment file arrives (a file that was missing may now be readable);
- the normaliser: `NORMALIZER_VERSION`, a digest of its source files and the versions of the
  libraries that parse pages and files;
- the files beside the rules that normalisation reads (section_kinds.yml, wording.yml): their
  bytes. The rule files themselves are not part of the key: rules run on the frames every time.

Frames are stored as Arrow IPC (one blob per frame), which round-trips pandas' nullable dtypes
exactly and, unlike a pickle, cannot run code when read. Derived columns are never cached:
they depend on the rule files' parameters and on the audit date.
"""
from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from dataclasses import fields
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from audits.defaults import DEFAULT_RULES_DIR

from audits.normalize.frame_set import Frames

# Bump when normalisation changes what it produces without a change in the files hashed below
# (a data file read at run time, a library's behaviour relied upon).
NORMALIZER_VERSION = 1
_ROOT = Path(__file__).resolve().parent.parent.parent
_SOURCES = ("audits/normalize", "govaudit/columns.py", "govaudit/records.py", "crawler/attachments.py")
_LIBRARIES = ("pandas", "pyarrow", "lxml", "cn2an", "pdfplumber", "pdfminer.six", "python-docx", "openpyxl", "xlrd")
_FILES_BESIDE_RULES = ("section_kinds.yml", "wording.yml")
FRAME_NAMES = tuple(f.name for f in fields(Frames) if f.name != "probes")  # `probes` is attached by the audit


@lru_cache(maxsize=1)
def normalizer_digest() -> str:
    """Digest of the normaliser's source files and the parsing libraries' versions."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = _ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in (".py", ".yml", ".yaml") and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(_ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=-\0".encode())
    return digest.hexdigest()


def cache_key(rules_dir: str | Path) -> str:
    """What the cached frames of a crawl depend on besides its pages (see the module docstring)."""
    beside = {}
    for name in _FILES_BESIDE_RULES:
        own = Path(rules_dir) / name
        path = own if own.exists() else DEFAULT_RULES_DIR / name
        beside[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    payload = {"normalizer_version": NORMALIZER_VERSION, "normalizer": normalizer_digest(), "beside_rules": beside}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def load_frames(conn: sqlite3.Connection, crawl_id: int, key: str) -> Frames | None:
    """The cached frames of `crawl_id` under `key`, or None (absent, stale or unreadable)."""
    rows = conn.execute("SELECT frame, content FROM frame_cache WHERE crawl_id=? AND cache_key=?",
                        (crawl_id, key)).fetchall()
    blobs = {row[0]: row[1] for row in rows}
    if set(blobs) != set(FRAME_NAMES):
        return None
    try:
        return Frames(**{name: pd.read_feather(io.BytesIO(blobs[name])) for name in FRAME_NAMES})
    except Exception:  # noqa: BLE001 - a damaged cache entry is rebuilt, never trusted
        return None


def save_frames(conn: sqlite3.Connection, crawl_id: int, key: str, frames: Frames) -> None:
    """Replace the cached frames of `crawl_id`. A store that refuses the write keeps no cache."""
    blobs = []
    for name in FRAME_NAMES:
        buffer = io.BytesIO()
        getattr(frames, name).reset_index(drop=True).to_feather(buffer, compression="zstd")
        blobs.append((crawl_id, name, key, buffer.getvalue()))
    try:
        with conn:
            conn.execute("DELETE FROM frame_cache WHERE crawl_id=?", (crawl_id,))
            conn.executemany("INSERT INTO frame_cache (crawl_id, frame, cache_key, content) VALUES (?, ?, ?, ?)",
                             blobs)
    except sqlite3.OperationalError:
        pass  # read-only or full: the audit goes on with the frames it built


def cached_frames(conn: sqlite3.Connection, crawl_id: int, rules_dir: str | Path,
                  build: Callable[[], Frames]) -> Frames:
    """The frames of a whole crawl: from the cache when it is current, else built and cached."""
    key = cache_key(rules_dir)
    frames = load_frames(conn, crawl_id, key)
    if frames is None:
        frames = build()
        save_frames(conn, crawl_id, key, frames)
    return frames
