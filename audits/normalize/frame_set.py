"""The frames of one crawl, as one object: what normalisation produces and the rules read.

Kept apart from the parsers (`frames.py`) so that code holding frames, such as the frame cache,
does not import them.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from audits.normalize.tables import T2_ROWS, T3_COLS, T3_ROWS, T4_COLS
from govaudit.untrusted import defused

_T2_2021 = [*(f"{r}__{c}" for r in ("rules", "normative_docs") for c in ("made", "repealed", "in_force")),
            *(f"{r}__decisions" for r in ("licensing", "penalty", "coercion")), "fees__fee_amount"]
_T2_2019 = [*(f"{r}__{c}" for r in ("rules", "normative_docs")
              for c in ("new_made", "new_published", "total_published")),
            *(f"{r}__{c}" for r in ("licensing", "other_services", "penalty", "coercion")
              for c in ("prev_items", "change", "decisions")),
            "fees__prev_items", "fees__change", "procurement__procurement_items", "procurement__procurement_amount"]
_WIDE_KEYS = {
    "二": list(dict.fromkeys(_T2_2021 + [k for k in _T2_2019 if k.split("__")[0] in T2_ROWS])),
    "三": [f"{r}__{c}" for r in T3_ROWS for c in T3_COLS],
    "四": [f"cases__{c}" for c in T4_COLS],
}
_WIDE_BASE = {"doc_id": "string", "url": "string", "crawl_id": "Int64", "template": "string"}
WIDE_COLUMNS = {name: {**_WIDE_BASE, **{k: "Float64" for k in keys}} for name, keys in _WIDE_KEYS.items()}


@dataclass
class Frames:
    documents: pd.DataFrame
    sections: pd.DataFrame
    table_cells: pd.DataFrame
    table2_wide: pd.DataFrame
    table3_wide: pd.DataFrame
    table4_wide: pd.DataFrame
    figures: pd.DataFrame
    figure_groups: pd.DataFrame
    site_columns: pd.DataFrame
    # Availability probes of the site (govaudit.store `probes`), attached by the audit; not a
    # normalised frame, so not exported.
    probes: pd.DataFrame | None = None

    def to_csv(self, directory: str | Path) -> list[Path]:
        """One `<frame>.csv` per frame, UTF-8 with BOM so that Excel opens Chinese text; text
        cells that Excel would run as a formula are neutralised as in the report's exports."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for f in fields(self):
            if f.name == "probes":
                continue
            path = directory / f"{f.name}.csv"
            defused(getattr(self, f.name)).to_csv(path, index=False, encoding="utf-8-sig")
            written.append(path)
        return written
