"""A notebook-style tour of a stored crawl with pandas (run it, or open it as cells in an editor).

    GOVAUDIT_DB=var/govaudit.sqlite3 .venv/bin/python examples/explore_frames.py

Each `# %%` block is one cell. The frames are the ones the rules read, derived columns included,
so a question answered here can become a rule in `expectations/` without surprises.
"""
# %% Open the store that `make demo` or `govaudit crawl` wrote
from audits import open_store

store = open_store()  # $GOVAUDIT_DB, else var/govaudit.sqlite3
print(store.crawls()[["id", "site", "status", "started_at"]].tail(3).to_string(index=False))

# %% The frames of the latest crawl
frames = store.frames(crawl="latest")
for name, frame in frames.items():
    print(f"{name:14} {len(frame):6} rows  {len(frame.columns):4} columns")

# %% Routine items published late, by unit (the 20-working-day rule, ROUTINE-LAG-1)
docs = frames.documents
late = docs[docs["lag_working_days"] > 20]
print(late.groupby("unit")["url"].count().sort_values(ascending=False).to_string())

# %% Annual reports: which sections each one has
reports = docs[docs["report_type"].isin(["fazhi_annual", "xxgk_annual"])]
print(reports[["unit", "report_type", "report_year", "published_at"]].to_string(index=False))

# %% The findings of the latest audit run, per rule and severity
findings = store.findings(run="latest")
print(findings.groupby(["rule_id", "severity"]).size().to_string())
