"""The CSV and JSON files written beside each report, for supervisors who work in Excel.

CSV is UTF-8 *with* a byte-order mark: without it Excel on a Chinese Windows desktop guesses
GBK and shows mojibake. Text cells that Excel would run as a formula (starting with = + - @ or
a tab/CR, e.g. a hostile page title) get a leading apostrophe in the CSV only, as OWASP
advises; the JSON keeps every value exactly as stored. Files are written to a temporary name
and renamed, so a reader never sees half a file.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from audits.history import RunData
from govaudit.untrusted import defused

EXPORT_FILES = ("findings.csv", "findings.json", "documents.csv", "documents.json")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _json_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    records = []
    for row in frame.astype(object).itertuples(index=False, name=None):
        record = {}
        for name, value in zip(frame.columns, row):
            if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif hasattr(value, "item"):
                value = value.item()
            record[name] = value
        records.append(record)
    return records


def write_frame(frame: pd.DataFrame, directory: Path, stem: str) -> None:
    safe = defused(frame)
    csv = safe.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S")
    _write_atomic(directory / f"{stem}.csv", csv.encode("utf-8-sig"))
    text = json.dumps(_json_records(frame), ensure_ascii=False, indent=1)
    _write_atomic(directory / f"{stem}.json", text.encode("utf-8"))


def write_exports(run: RunData, directory: Path, open_runs: pd.Series | None = None) -> list[Path]:
    """findings.* (with run_id and, when known, open_runs) and documents.* of one run."""
    directory.mkdir(parents=True, exist_ok=True)
    findings = run.findings.copy()
    findings.insert(0, "run_id", run.id)
    if open_runs is not None:
        findings["open_runs"] = open_runs.values
    documents = run.documents.copy()
    documents.insert(0, "run_id", run.id)
    write_frame(findings, directory, "findings")
    write_frame(documents, directory, "documents")
    return [directory / name for name in EXPORT_FILES]
