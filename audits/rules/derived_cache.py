"""Derived columns of a crawl, kept in the store so a re-audit with the same inputs does not derive again.

A rule tuner's edit seldom touches what derivation reads, and derivation is a fixed half second
of every audit of the demo store (and most of a minute at a million documents). The derived
frames and the could-not-check reasons are kept per crawl, keyed by everything they are made of:

- the frames: the frame cache's key (the crawl's stored pages, the attachment files they name,
  the normaliser, the files beside the rules; see `audits.normalize.frame_cache`);
- the rule files' suite parameters, the audit date (Beijing), the site config's unit full names
  and the availability probes the audit attached;
- the code that derives: the source of `audits/rules/` and of the modules it reads constants
  from, and the library versions (`result_cache.code_digest`).

They live in the frame cache's table beside the crawl's frames, as Arrow IPC (no pickle: a
blob read back cannot run code), and go with them: rebuilt frames replace both. A set is kept
only when it reads back exactly as derived (values and dtypes); otherwise every audit derives.

A kept set has an identity: a digest of its stored bytes. Frames read from the same bytes are the
same frames, and a set just kept is equal to what it reads back as, so the validation cache can find
a group of rules by that identity and the rows' columns and condition (`result_cache.alias_key`)
instead of selecting and digesting the rows.
"""
from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from audits.normalize.shared_strings import read_frame
from audits.rules.columns import base_columns
from audits.rules.result_cache import code_digest
from govaudit import schema
from govaudit.db import StoreRef, connect, insert_replacing, write_refused

PREFIX = "derived:"
REASONS = PREFIX + "reasons"  # one table of every (frame, column, row, reason)
Derived = tuple[dict[str, pd.DataFrame], dict[tuple[str, str], pd.Series]]


class StoreDerivedCache:
    """The derived frames of one crawl in the store, under the key of the frames they came from."""

    def __init__(self, store: StoreRef, crawl_id: int, frames_key: str) -> None:
        self.store, self.crawl_id, self.frames_key = store, crawl_id, frames_key

    def key(self, inputs: Any) -> str:
        payload = json.dumps([self.frames_key, code_digest(), inputs], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def load(self, inputs: Any) -> tuple[Derived, str] | None:
        """The frames derived under `inputs` (and their reasons) with the set's identity, or None
        when absent or unreadable."""
        names = list(base_columns())  # the frames derive_frames makes
        table = schema.frame_cache
        conn = connect(self.store)
        try:
            rows = conn.execute(sa.select(table.c.frame, table.c.content).where(
                table.c.crawl_id == self.crawl_id, table.c.cache_key == self.key(inputs))).fetchall()
        finally:
            conn.close()
        blobs = {row[0]: row[1] for row in rows}
        if set(blobs) != {PREFIX + name for name in names} | {REASONS}:
            return None
        try:
            frames = {name: read_frame(blobs[PREFIX + name]) for name in names}
            return (frames, _reasons(read_frame(blobs[REASONS]))), identity(blobs)
        except Exception:  # noqa: BLE001 - a damaged entry is derived again, never trusted
            return None

    def save(self, inputs: Any, derived: Derived) -> str | None:
        """Keep `derived` when it reads back exactly, and return the kept set's identity; None when
        it is not kept (it would not read back as it is, or the store refused the write)."""
        blobs = _blobs(*derived)
        if blobs is None:
            return None
        key, table = self.key(inputs), schema.frame_cache
        conn = connect(self.store)
        try:
            with conn:
                conn.execute(sa.delete(table).where(table.c.crawl_id == self.crawl_id,
                                                    table.c.frame.startswith(PREFIX)))
                conn.executemany(insert_replacing(conn, table, ["crawl_id", "frame", "cache_key", "content"]),
                                 [{"crawl_id": self.crawl_id, "frame": name, "cache_key": key, "content": blob}
                                  for name, blob in blobs.items()])
        except sa.exc.DBAPIError as exc:
            if not write_refused(exc):
                raise
            return None
        finally:
            conn.close()
        return identity(blobs)


def identity(blobs: dict[str, bytes]) -> str:
    """A digest of a stored set's bytes, every blob under its name."""
    digest = hashlib.sha256()
    for name in sorted(blobs):
        digest.update(f"{name}\0{len(blobs[name])}\0".encode())
        digest.update(blobs[name])
    return digest.hexdigest()


def _blobs(frames: dict[str, pd.DataFrame], reasons: dict[tuple[str, str], pd.Series]) -> dict[str, bytes] | None:
    """Arrow IPC of every frame and of the reasons, or None if any would not read back as it is."""
    blobs = {}
    try:
        for name, frame in {**{PREFIX + n: f for n, f in frames.items()}, REASONS: _reason_table(reasons)}.items():
            if not frame.index.equals(pd.RangeIndex(len(frame))):
                return None
            buffer = io.BytesIO()
            frame.to_feather(buffer, compression="zstd")
            blobs[name] = buffer.getvalue()
            back = read_frame(blobs[name])  # as `load` reads it
            pd.testing.assert_frame_equal(back, frame, check_exact=True, check_index_type=True)
        restored = _reasons(back)  # (the reasons' table is read back last)
        if restored.keys() != reasons.keys() or any(not restored[k].equals(v) for k, v in reasons.items()):
            return None  # (equals: same texts, dtype and row labels, a RangeIndex as its numbers)
    except Exception:  # noqa: BLE001 - whatever Arrow cannot hold exactly is derived every time
        return None
    return blobs


def _reason_table(reasons: dict[tuple[str, str], pd.Series]) -> pd.DataFrame:
    """One row per reason; a key whose reasons are all missing keeps one row with no row number."""
    parts = []
    for (frame, column), why in reasons.items():
        if why.dtype != "string" or not pd.api.types.is_integer_dtype(why.index.dtype):
            raise TypeError(f"reasons of {frame}.{column}: {why.dtype} on {why.index.dtype}")
        rows = pd.array(why.index, dtype="Int64") if len(why) else pd.array([pd.NA], dtype="Int64")
        text = why.array if len(why) else pd.array([pd.NA], dtype="string")
        parts.append(pd.DataFrame({"frame": pd.array([frame] * len(rows), dtype="string"),
                                   "column": pd.array([column] * len(rows), dtype="string"),
                                   "row": rows, "reason": text}))
    if not parts:
        return pd.DataFrame({"frame": pd.array([], dtype="string"), "column": pd.array([], dtype="string"),
                             "row": pd.array([], dtype="Int64"), "reason": pd.array([], dtype="string")})
    return pd.concat(parts, ignore_index=True)


def _reasons(table: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    reasons = {}
    for (frame, column), rows in table.groupby(["frame", "column"], sort=False):
        known = rows[rows["row"].notna()]
        reasons[(str(frame), str(column))] = pd.Series(
            known["reason"].array, index=pd.Index(known["row"].to_numpy(dtype="int64")), dtype="string")
    return reasons
