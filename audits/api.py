"""The Python entry point for analysts: a stored crawl's frames and a run's findings as DataFrames.

    from audits import open_store
    store = open_store("var/govaudit.sqlite3")     # or "postgresql://user:password@host/govaudit"
    frames = store.frames(crawl="latest")          # documents, sections, table_cells, …, derived columns included
    late = frames.documents.query("lag_working_days > 20")
    findings = store.findings(run="latest")

The frames are exactly what the rules read (`govaudit.columns` plus the derived columns of
`audits.rules.derive`, computed with the rule files' parameters), so a question asked here in
pandas and a rule written in `expectations/` see the same values. Nothing here writes to the
store: audits are run with `govaudit audit`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
import pandas as pd

from audits import defaults
from audits.history import load_run, resolve_run, site_runs
from govaudit.store import Store


class AuditFrames(dict):
    """The frames of one crawl by name; also readable as attributes (`frames.documents`)."""

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no frame {name!r}; frames: {', '.join(self)}") from None


@dataclass
class AuditStore:
    path: Path | str  # a SQLite file, or the URL of a server store
    rules_dir: Path

    def crawls(self, site: str | None = None) -> pd.DataFrame:
        """Every stored crawl: id, site, status, started and finished times, pages per unit."""
        with Store(self._existing()) as store:
            rows = store.crawls(site)
        return pd.DataFrame(rows, columns=["id", "site", "status", "started_at", "finished_at", "units", "stats"])

    def runs(self, site: str) -> pd.DataFrame:
        """The audit runs of one site, oldest first, with their finding counts."""
        return pd.DataFrame(site_runs(self._existing(), site))

    def frames(self, crawl: str | int = "latest", site: str | None = None, units: list[str] | None = None,
               now: datetime | None = None) -> AuditFrames:
        """The frames of a stored crawl with the derived columns the rules read.

        `now` fixes the moment that "future date" and working-day lags are measured against
        (default: now), as `govaudit audit` does.
        """
        from audits.normalize.frame_cache import cached_frames
        from audits.normalize.frames import build_frames
        from audits.rules.derive import derive_frames
        from audits.rules.loader import load_rules

        pack = load_rules(self.rules_dir)
        with Store(self._existing()) as store:
            crawl_id = store.resolve_crawl(crawl, site)

            def build():
                return build_frames(store.pages(crawl_id, units), crawl_id, kinds=pack.section_kinds,
                                    read_file=store.attachment_file, wording=pack.wording)

            # Only a whole crawl's frames are cached (the ones `govaudit audit` reads).
            built = build() if units else cached_frames(store.conn, crawl_id, self.rules_dir, build)
        derived, _reasons = derive_frames(built, pack.parameters, now)
        return AuditFrames(derived)

    def findings(self, run: str | int = "latest", site: str | None = None) -> pd.DataFrame:
        """The findings of a stored audit run (failures and could-not-check, one row each)."""
        return load_run(self._existing(), resolve_run(self._existing(), run, site)).findings

    def _existing(self) -> Path | str:
        if isinstance(self.path, str):
            return self.path  # a server store: an unreachable one is a StoreError naming it
        if not self.path.is_file():
            raise FileNotFoundError(f"no store at {self.path}: run `govaudit crawl SITE` (or `make demo`) first, "
                                    f"or pass the path of an existing store")
        return self.path


def open_store(path: str | Path | None = None, rules: str | Path | None = None) -> AuditStore:
    """The store at `path`, a file or a URL (default: $GOVAUDIT_DB, else var/govaudit.sqlite3), read
    with the rule files of `rules` (default: $GOVAUDIT_RULES, else the shipped expectations/)."""
    return AuditStore(defaults.store_path(path), Path(defaults.rules_dir(rules)))

