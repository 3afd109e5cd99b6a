"""Great Expectations' answers for a crawl, kept so a re-audit after one edit re-validates one rule.

A rule tuner changes one deadline or one pattern and runs `govaudit audit` again on the same
crawl. GX costs tens of milliseconds per expectation however few rows it reads, so validating
every suite again costs seconds while only the edited rule's answer can differ. Each rule's
answer on the rows of its group (the rules the runner validates together: same frame, same row
condition) is keyed by everything it depends on:

- the rows handed to GX: their index, columns, dtypes and values (`pandas.util.hash_pandas_object`,
  with the Python type of each value in object columns, where 1 and "1" hash alike);
- the rule as GX receives it: id, expectation type and keyword arguments;
- the code that evaluates them: the source of `audits/rules/` (the custom expectation types),
  of the modules they take constants from (`audits/defaults.py`, the table layouts, `govaudit/`) and
  the versions of Great Expectations, pandas, NumPy, pyarrow and chinesecalendar (working days).

What is kept per rule is what GX said: the failing row indexes, or the error it raised; only the
rules of a group without a kept answer are validated. Beside the answers, under a key of their
own (`findings_key`, from `group_key`: the rows and every rule's configuration), are the group's
finding rows as built from them: per rule its rows' URL, message, observed and expected texts and
its counts. That key adds what those texts are made of besides the rows and the answers: each
rule's message template, title, kind, type and arguments, and the could-not-check reasons
derivation left on the rows' columns. A change in wording therefore rebuilds the rows without validating; a change in
severity, basis or `fix:` text rebuilds nothing, since those are the rule's own and are added to
every finding afresh. A group whose rows cannot be hashed (unhashable values) or whose indexes
are not plain JSON values is validated every time.

When the derived frames are a set kept in the store (`audits.rules.derived_cache`), a group's
rows need not even be selected to find its finding rows: they are fixed by the set's identity (a
digest of its stored bytes), the frame, the row condition and the columns the rules read, and so
are the could-not-check reasons, which belong to the set. An alias keyed by those and by what
`findings_key` adds (`alias_key`) names the group's entries; an unedited group is then found
without touching its rows, and the tuner's edit costs its own group. The entries themselves stay
keyed by the rows, so a change in derivation (a parameter, another audit day) that leaves a
group's rows as they were still finds that group's answer.
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


Config = list[tuple[str, str, dict[str, Any]]]  # per rule: id, expectation type, GX's keyword arguments


def rows_digest(frame: str, rows: pd.DataFrame) -> str | None:
    """A digest of one group's rows, or None when they cannot be digested."""
    digest = hashlib.sha256(f"{code_digest()}\0{frame}\0".encode())
    try:
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


def group_key(rows_key: str, rules_config: Config) -> str | None:
    """The key of rules validated on the rows `rows_key` digests: of one rule's answer when given
    one rule, of the group when given all of them. None when the configuration cannot be digested."""
    try:
        config = json.dumps(rules_config, sort_keys=True, default=_strict)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(f"{rows_key}\0{config}".encode()).hexdigest()


FINDINGS = "findings:"  # the key prefix of a group's kept finding rows


def findings_key(key: str, frame: str, rules: list[Rule], rows: pd.DataFrame | None = None,
                 reasons: dict[tuple[str, str], pd.Series] | None = None) -> str | None:
    """The key of a group's finding rows (see the module docstring), or None when something in
    it cannot be digested. `rows` and `reasons` are left out when `key` already stands for them
    (an `alias_key`)."""
    digest = hashlib.sha256(f"{FINDINGS}{key}\0".encode())
    try:
        digest.update(json.dumps([(r.id, r.message, r.title, r.kind, r.type, r.kwargs, list(r.columns))
                                  for r in rules], sort_keys=True, default=_strict).encode())
        if rows is not None and reasons is not None:
            for column in rows.columns:
                known = reasons.get((frame, column))
                if known is not None:
                    digest.update(f"\0{column}\0".encode())
                    digest.update(pd.util.hash_pandas_object(known.reindex(rows.index), index=False)
                                  .to_numpy().tobytes())
    except (TypeError, ValueError):
        return None
    return FINDINGS + digest.hexdigest()


ALIAS = "alias:"  # the key prefix of a group's alias: {"answers": [key, ...], "findings": key}


def alias_key(identity: str, frame: str, condition: str | None, columns: list[str], rules: list[Rule],
              rules_config: Config) -> str | None:
    """The key of the alias of one group whose rows are those `condition` picks from `columns` of
    `frame` in the kept derived set `identity`. None when the configuration cannot be digested."""
    try:
        picked = json.dumps([condition, columns, rules_config], sort_keys=True, default=_strict)
    except (TypeError, ValueError):
        return None
    rows = hashlib.sha256(f"{code_digest()}\0{identity}\0{frame}\0{picked}".encode()).hexdigest()
    texts = findings_key(rows, frame, rules)  # the rows (and reasons) stand in the key: only the texts are added
    return None if texts is None else ALIAS + texts.removeprefix(FINDINGS)


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
        table = schema.validation_cache
        conn = connect(store)
        try:
            rows = conn.execute(sa.select(table.c.cache_key, table.c.content)
                                .where(table.c.crawl_id == crawl_id)).fetchall()
        finally:
            conn.close()
        self.known: dict[str, bytes] = {row[0]: row[1] for row in rows}

    def get(self, key: str) -> Any:
        """The JSON value kept under `key` (an answer, a group's finding rows, an alias), or None."""
        content = self.known.get(key)
        if content is None:
            return None
        try:
            answers = json.loads(content)
        except ValueError:  # a damaged entry is validated again (and replaced), never trusted
            del self.known[key]
            return None
        self.used.add(key)
        return answers

    def aliased(self, alias: str) -> dict[str, Any] | None:
        """The kept finding rows `alias` names (and the answers it names stay in the store), or
        None when the alias or the rows are absent or damaged."""
        target = self.get(alias)
        if not isinstance(target, dict) or not isinstance(target.get("findings"), str):
            return None
        kept = self.get(target["findings"])
        if kept is not None and isinstance(target.get("answers"), list):
            for key in target["answers"]:
                self.keep(str(key))
        return kept

    def keep(self, key: str) -> None:
        """Keep the entry `key` in the store though this audit did not read it (a rule's answer
        when its group's finding rows were found: the next edit of its wording needs the answer)."""
        if key in self.known:
            self.used.add(key)

    def put(self, key: str, answers: dict[str, Any]) -> bool:
        """Keep `answers` if they survive JSON unchanged (row indexes that are ints or strings);
        say whether they were kept."""
        try:
            content = json.dumps(answers)
        except (TypeError, ValueError):
            return False
        if json.loads(content) != answers:
            return False
        self.used.add(key)
        self.new[key] = content.encode()
        return True

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
