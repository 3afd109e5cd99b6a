"""The GX context an audit keeps for the next one: one per thread, holding no rows in between."""
from __future__ import annotations

import dataclasses
import gc
import threading
import types

import pandas as pd

from audits.rules import validate
from audits.rules.loader import load_rules
from rules_frames import document, frames

# The metadata suite alone: what is tested is the context around the rules, not the rules.
FULL = load_rules("expectations")
PACK = dataclasses.replace(FULL, suites=[s for s in FULL.suites if any(r.id == "META-1" for r in s.rules)])


def _audit(unit: str) -> pd.DataFrame:
    docs = [document(1, unit=unit), document(2, unit=unit, publisher="")]
    return validate.run_rules(frames(documents=docs), pack=PACK).findings


def _rows_held_by_gx() -> list:
    gc.collect()
    return [o for o in gc.get_objects() if type(o).__name__ == "PandasBatchData"]


def _pandas_objects_reachable_from(root: object) -> list:
    """pandas objects (row masks, indexes, unexpected rows) reachable from `root` by references."""
    found, seen, todo = [], {id(root)}, [root]
    while todo:
        item = todo.pop()
        if isinstance(item, (pd.Series, pd.DataFrame, pd.Index)):
            found.append(item)
            continue
        for ref in gc.get_referents(item):
            if id(ref) not in seen and not isinstance(ref, (type, types.ModuleType, types.FunctionType)):
                seen.add(id(ref))
                todo.append(ref)
    return found


def test_gx_keeps_no_metric_of_the_audited_rows():
    # GX caches every metric it resolves (row masks with their index, unexpected-index lists) in
    # its execution engine for the engine's lifetime; kept between groups and audits they grew a
    # million documents' audit by hundreds of MiB.
    _audit("濮院镇")
    engine = validate._gx.source.get_execution_engine()
    assert _pandas_objects_reachable_from(engine) == []


def test_a_second_audit_in_the_thread_reuses_the_context_sees_its_own_rows_and_gx_keeps_none():
    earlier = _rows_held_by_gx()  # a plain GX validator of another test may keep its own batches
    first = _audit("濮院镇")
    definition = validate._batch_definition("documents")
    second = _audit("崇福镇")
    assert validate._batch_definition("documents") is definition
    assert set(first["unit"].dropna()) == {"濮院镇"} and set(second["unit"].dropna()) == {"崇福镇"}
    assert "META-1" in set(second[second["url"] == "http://demo.test/art/2.html"]["rule_id"])
    assert [b for b in _rows_held_by_gx() if not any(b is e for e in earlier)] == []


def test_each_thread_has_its_own_context():
    mine = validate._batch_definition("documents")
    theirs: list = []
    thread = threading.Thread(target=lambda: (_audit("崇福镇"), theirs.append(validate._batch_definition("documents"))))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine


def test_an_audit_leaves_no_thread_behind(monkeypatch):
    # GX makes a disabled tqdm bar per validation; tqdm's first bar in a process starts a monitor
    # thread, and a process with a second thread writes its report files without forking.
    from tqdm import tqdm
    from tqdm.auto import tqdm as bar_class  # the class GX makes its bars of

    monkeypatch.setattr(tqdm, "monitor_interval", 10)  # as in a fresh process: no monitor yet
    monkeypatch.setattr(bar_class, "monitor", None)
    before = set(threading.enumerate())
    thread = threading.Thread(target=lambda: _audit("崇福镇"))  # a thread of its own: a context of its own
    thread.start()
    thread.join()
    assert [t.name for t in set(threading.enumerate()) - before] == []
