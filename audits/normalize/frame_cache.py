"""The frames of a stored crawl, kept in the store so a re-audit does not parse the pages again.

A rule tuner re-runs `govaudit audit` on the same crawl after every edit; parsing its pages
(and reading its PDF attachments) costs far more than the rules. The frames are what
normalisation made of the pages, so they are cached per crawl and reused while nothing they
depend on has changed:

- the crawl's stored pages: a digest over every column of every page, in URL order, so a page
  written, rewritten (a resumed crawl may rewrite one within the same second, so the content is
  digested, not only fetched_at) or removed makes the key differ, whatever wrote it and on either
  backend (PostgreSQL digests each row itself and sends 32 characters, not the page);
- the attachment files those pages name: which of them are in the store (a file stored by
  content hash never changes, but one that was missing may now be readable);
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
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Callable

import sqlalchemy as sa

from audits.defaults import DEFAULT_RULES_DIR
from audits.normalize.frame_set import Frames
from audits.normalize.shared_strings import read_frame
from govaudit import schema
from govaudit.db import StoreConnection, insert_replacing, prune_crawl_cache, write_refused
from govaudit.source_digest import source_digest

# Bump when normalisation changes what it produces without a change in the files hashed below
# (a data file read at run time, a library's behaviour relied upon).
NORMALIZER_VERSION = 1
_SOURCES = ("audits/normalize", "govaudit/columns.py", "govaudit/records.py", "crawler/attachments.py")
_LIBRARIES = ("pandas", "pyarrow", "lxml", "cn2an", "pdfplumber", "pdfminer.six", "python-docx", "openpyxl", "xlrd")
_FILES_BESIDE_RULES = ("section_kinds.yml", "wording.yml")
FRAME_NAMES = tuple(f.name for f in fields(Frames) if f.name != "probes")  # `probes` is attached by the audit


@lru_cache(maxsize=1)
def normalizer_digest() -> str:
    """Digest of the normaliser's source files and the parsing libraries' versions."""
    return source_digest(_SOURCES, _LIBRARIES)


def cache_key(rules_dir: str | Path) -> str:
    """What the cached frames of a crawl depend on besides its pages (see the module docstring)."""
    beside = {}
    for name in _FILES_BESIDE_RULES:
        own = Path(rules_dir) / name
        path = own if own.exists() else DEFAULT_RULES_DIR / name
        beside[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    payload = {"normalizer_version": NORMALIZER_VERSION, "normalizer": normalizer_digest(), "beside_rules": beside}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def stored_pages_digest(conn: StoreConnection, crawl_id: int) -> str:
    """Digest of the crawl's stored pages and of which attachment files they name are stored."""
    pages = schema.pages
    if conn.dialect == "postgresql":
        row_digest = sa.func.md5(sa.cast(sa.func.row_to_json(sa.literal_column(pages.name)), sa.Text))
        query = sa.select(pages.c.attachments, row_digest)
    else:  # SQLite runs in this process: reading the row costs no more than a digest would
        query = sa.select(pages.c.attachments, *pages.columns)
    digest, named = hashlib.sha256(), set()
    for row in conn.execute(query.where(pages.c.crawl_id == crawl_id).order_by(pages.c.url)):
        digest.update(repr(tuple(row)[1:]).encode("utf-8", "surrogatepass") + b"\0")
        named.update(_file_hashes(row[0]))
    files = schema.attachment_files
    ordered = sorted(named)
    for start in range(0, len(ordered), 500):  # IN lists stay short on either backend
        chunk = ordered[start:start + 500]
        stored = conn.execute(sa.select(files.c.sha256).where(files.c.sha256.in_(chunk))
                              .order_by(files.c.sha256))
        digest.update(("files:" + ",".join(r[0] for r in stored) + "\0").encode())
    return digest.hexdigest()


def _file_hashes(attachments: str | None) -> list[str]:
    try:
        entries = json.loads(attachments or "[]")
    except ValueError:
        return []  # the normaliser reads no file from a list it cannot read either
    return [str(e["sha256"]) for e in entries if isinstance(e, dict) and e.get("sha256")] \
        if isinstance(entries, list) else []


def load_frames(conn: StoreConnection, crawl_id: int, key: str) -> Frames | None:
    """The cached frames of `crawl_id` under `key`, or None (absent, stale or unreadable)."""
    cache = schema.frame_cache
    rows = conn.execute(sa.select(cache.c.frame, cache.c.content)
                        .where(cache.c.crawl_id == crawl_id, cache.c.cache_key == key)).fetchall()
    blobs = {row[0]: row[1] for row in rows}
    if set(blobs) != set(FRAME_NAMES):
        return None
    try:
        # Arrow alone would give back one str object per row: repeated values are shared as built.
        return Frames(**{name: read_frame(blobs[name]) for name in FRAME_NAMES})
    except Exception:  # noqa: BLE001 - a damaged cache entry is rebuilt, never trusted
        return None


def save_frames(conn: StoreConnection, crawl_id: int, key: str, frames: Frames) -> None:
    """Replace the cached frames of `crawl_id`. A store that refuses the write keeps no cache."""
    blobs = []
    for name in FRAME_NAMES:
        buffer = io.BytesIO()
        getattr(frames, name).reset_index(drop=True).to_feather(buffer, compression="zstd")
        blobs.append({"crawl_id": crawl_id, "frame": name, "cache_key": key, "content": buffer.getvalue()})
    cache = schema.frame_cache
    try:
        with conn:
            conn.execute(sa.delete(cache).where(cache.c.crawl_id == crawl_id))
            prune_crawl_cache(conn, cache, crawl_id)
            conn.executemany(insert_replacing(conn, cache, ["crawl_id", "frame", "cache_key", "content"]), blobs)
    except sa.exc.DBAPIError as exc:
        # Read-only, locked or full (or a PostgreSQL role without write rights): the audit goes on
        # with the frames it built. Any other error is a fault, not a refusal.
        if not write_refused(exc):
            raise


def frames_key(conn: StoreConnection, crawl_id: int, rules_dir: str | Path) -> str:
    """What the frames of `crawl_id` are made of: its stored pages and files, the normaliser, the
    files beside the rules. Anything derived from the frames (audits.rules.derived_cache) keys on it."""
    return hashlib.sha256(f"{cache_key(rules_dir)}:{stored_pages_digest(conn, crawl_id)}".encode()).hexdigest()


def cached_frames(conn: StoreConnection, crawl_id: int, rules_dir: str | Path,
                  build: Callable[[], Frames], memo: dict | None = None, key: str | None = None) -> Frames:
    """The frames of a whole crawl: from the cache when it is current, else built and cached.
    `memo` keeps them in this process too (the frames object of the last call under the same key);
    `key` is `frames_key(...)` when the caller has it already."""
    key = key or frames_key(conn, crawl_id, rules_dir)
    if memo is not None and memo.get("frames_key") == (crawl_id, key):
        return memo["frames"]
    frames = load_frames(conn, crawl_id, key)
    if frames is None:
        frames = build()
        save_frames(conn, crawl_id, key, frames)
    if memo is not None:
        memo["frames_key"], memo["frames"] = (crawl_id, key), frames
    return frames
