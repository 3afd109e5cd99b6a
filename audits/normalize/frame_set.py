"""The frames of one crawl, as one object: what normalisation produces and the rules read.

Kept apart from the parsers (`frames.py`) so that code holding frames, such as the frame cache,
does not import them.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from govaudit.untrusted import defused


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
