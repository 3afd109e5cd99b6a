"""Great Expectations' answers for a crawl, kept so a re-audit after one edit re-validates one group.

A rule tuner changes one deadline or one pattern and runs `govaudit audit` again on the same
crawl. GX costs tens of milliseconds per expectation however few rows it reads, so validating
every suite again costs seconds while only the edited rule's answer can differ. Each group of
rules that the runner validates together (same frame, same row condition) is keyed by
everything its answer depends on:

- the rows handed to GX: their index, columns, dtypes and values (`pandas.util.hash_pandas_object`,
  with the Python type of each value in object columns, where 1 and "1" hash alike);
- the group's rules as GX receives them: id, expectation type and keyword arguments;
- the code that evaluates them: the source of `audits/rules/` (the custom expectation types),
  of the modules they take constants from (`audits/defaults.py`, the table layouts, `govaudit/`) and
  the versions of Great Expectations, pandas, NumPy, pyarrow and chinesecalendar (working days).

What is kept per rule is what GX said: the failing row indexes, or the error it raised. Beside
it, under a key of its own (`findings_key`), are the group's finding rows as built from that
answer: per rule its rows' URL, message, observed and expected texts and its counts. That key adds
what those texts are made of besides the rows and the answer: each rule's message template,
title, kind, type and arguments, and the could-not-check reasons derivation left on the rows'
columns. A change in wording therefore rebuilds the rows without validating; a change in
severity, basis or `fix:` text rebuilds nothing, since those are the rule's own and are added to
every finding afresh. A group whose rows cannot be hashed (unhashable values) or whose indexes
are not plain JSON values is validated every time.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

import pandas as pd
import sqlalchemy as sa

from audits.rules.findings import PART_COLUMNS, Part, text_part
from audits.rules.model import Rule
from govaudit import schema
from govaudit.db import StoreRef, connect, insert_replacing, prune_crawl_cache, write_refused
from govaudit.source_digest import source_digest

# The custom expectation types and every module of govaudit they import constants from.
_SOURCES = ("audits/rules", "audits/defaults.py", "audits/normalize/tables.py", "audits/normalize/frame_set.py",
            "govaudit")
_LIBRARIES = ("great_expectations", "pandas", "numpy", "pyarrow", "chinesecalendar")

# One rule's answer: {"exception": message} or {"unexpected": [index, ...]}.
Answer = dict[str, Any]


@lru_cache(maxsize=1)
def code_digest() -> str:
    return source_digest(_SOURCES, _LIBRARIES)


def group_key(frame: str, rules_config: list[tuple[str, str, dict[str, Any]]], rows: pd.DataFrame) -> str | None:
    """The key of one validated group, or None when its rows or configuration cannot be digested."""
    digest = hashlib.sha256(f"{code_digest()}\0{frame}\0".encode())
    try:
        digest.update(json.dumps(rules_config, sort_keys=True, default=_strict).encode())
        digest.update(json.dumps([[str(c), str(t)] for c, t in rows.dtypes.items()]).encode())
        digest.update(pd.util.hash_pandas_object(rows.index, index=False).to_numpy().tobytes())
        for column in rows.columns:
            values = rows[column]
            digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
            if values.dtype == object:
                types = values.map(lambda v: type(v).__name__)
                digest.update(pd.util.hash_pandas_object(types, index=False).to_numpy().tobytes())
    except (TypeError, ValueError):
        return None
    return digest.hexdigest()


FINDINGS = "findings:"  # the key prefix of a group's kept finding rows


def findings_key(key: str, frame: str, rules: list[Rule], rows: pd.DataFrame,
                 reasons: dict[tuple[str, str], pd.Series]) -> str | None:
    """The key of a group's finding rows (see the module docstring), or None when something in
    it cannot be digested."""
    digest = hashlib.sha256(f"{FINDINGS}{key}\0".encode())
    try:
        digest.update(json.dumps([(r.id, r.message, r.title, r.kind, r.type, r.kwargs, list(r.columns))
                                  for r in rules], sort_keys=True, default=_strict).encode())
        for column in rows.columns:
            known = reasons.get((frame, column))
            if known is not None:
                digest.update(f"\0{column}\0".encode())
                digest.update(pd.util.hash_pandas_object(known.reindex(rows.index), index=False).to_numpy().tobytes())
    except (TypeError, ValueError):
        return None
    return FINDINGS + digest.hexdigest()


# One rule's kept rows: {"parts": [[kind, {column: [text or None, ...]}], ...], "counts": [evaluated,
# failed, could_not_check]}; a group's: {rule id: that}.


def kept_findings(rules: list[Rule], outcomes: dict[int, tuple[list[Part], dict, list]]) -> dict[str, Any]:
    kept = {}
    for rule in rules:
        parts, stat, _ = outcomes[id(rule)]
        kept[rule.id] = {
            "parts": [[part.kind, {c: part.rows[c].array.to_numpy(dtype=object, na_value=None).tolist()
                                   for c in PART_COLUMNS}] for part in parts],
            "counts": [stat["evaluated"], stat["failed"], stat["could_not_check"]]}
    return kept


Restored = dict[int, tuple[list[Part], tuple[int, int, int]]]  # id(rule): its parts and counts


def restored_findings(kept: dict[str, Any], rules: list[Rule]) -> Restored | None:
    """{id(rule): (parts, counts)} from `kept`, or None when it does not hold every rule whole."""
    try:
        restored: Restored = {}
        for rule in rules:
            entry = kept[rule.id]
            parts = [text_part(rule, str(kind), *(pd.array(columns[c], dtype="string") for c in PART_COLUMNS))
                     for kind, columns in entry["parts"]]
            evaluated, failed, unchecked = (int(n) for n in entry["counts"])
            restored[id(rule)] = (parts, (evaluated, failed, unchecked))
        return restored
    except (KeyError, TypeError, ValueError):
        return None  # a damaged entry: the rows are built again (and the entry replaced)


def _strict(value: Any) -> Any:
    raise TypeError(f"not digestible: {type(value).__name__}")


class StoreResultCache:
    """The cached answers of one crawl in the store; read once, written once per audit."""

    def __init__(self, store: StoreRef, crawl_id: int) -> None:
        self.store, self.crawl_id = store, crawl_id
        self.used: set[str] = set()
        self.new: dict[str, bytes] = {}  # answers to write: keys absent or damaged in the store
        self.hits = 0
        table = schema.validation_cache
        conn = connect(store)
        try:
            rows = conn.execute(sa.select(table.c.cache_key, table.c.content)
                                .where(table.c.crawl_id == crawl_id)).fetchall()
        finally:
            conn.close()
        self.known: dict[str, bytes] = {row[0]: row[1] for row in rows}

    def get(self, key: str) -> dict[str, Answer] | None:
        content = self.known.get(key)
        if content is None:
            return None
        try:
            answers = json.loads(content)
        except ValueError:  # a damaged entry is validated again (and replaced), never trusted
            del self.known[key]
            return None
        self.used.add(key)
        self.hits += 1
        return answers

    def put(self, key: str, answers: dict[str, Answer]) -> None:
        """Keep `answers` if they survive JSON unchanged (row indexes that are ints or strings)."""
        try:
            content = json.dumps(answers)
        except (TypeError, ValueError):
            return
        if json.loads(content) == answers:
            self.used.add(key)
            self.new[key] = content.encode()

    def save(self) -> None:
        """Keep exactly the answers this audit used (and no answers of crawls older than the
        store's newest few: `govaudit.db.CACHED_CRAWLS`). A store that refuses the write keeps none."""
        table = schema.validation_cache
        rows = [{"crawl_id": self.crawl_id, "cache_key": key, "content": content} for key, content in self.new.items()]
        stale = set(self.known) - self.used
        if not rows and not stale:
            return
        conn = connect(self.store)
        try:
            with conn:
                if stale:
                    conn.execute(sa.delete(table).where(table.c.crawl_id == self.crawl_id,
                                                        table.c.cache_key.in_(sorted(stale))))
                prune_crawl_cache(conn, table, self.crawl_id)
                if rows:
                    conn.executemany(insert_replacing(conn, table, ["crawl_id", "cache_key", "content"]), rows)
        except sa.exc.DBAPIError as exc:
            if not write_refused(exc):
                raise  # the next audit validates again when the store refused the write
        finally:
            conn.close()
