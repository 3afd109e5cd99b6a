"""The rules: Great Expectations suites in `expectations/`, loaded strictly and run by GX.

Parsing (`loader.py`, `model.py`) is kept apart from evaluation (`derive.py`, `validate.py`,
`findings.py`); the domain expectation types live in topic modules (`deadlines.py`,
`sections.py`, `identities.py`, `metadata_formats.py`, `trends.py`). Importing this package
registers those types with Great Expectations, so a rule file is also a plain GX suite:
`ExpectationSuite(**yaml.safe_load(open("expectations/deadlines.yml")))` works after
`import audits.rules`. Entry points: `audits.rules.loader.load_rules(dir)` and
`audits.rules.validate.run_rules(frames, dir, now)`.
"""
from __future__ import annotations

import gc
import os

# Telemetry must never leave the machine: set before Great Expectations is first imported.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

from audits.rules import deferred_imports  # noqa: E402  (before Great Expectations is imported)

deferred_imports.defer()

# Importing Great Expectations allocates a few million objects that live as long as the process,
# and the collector's full passes over them during the import and the audit after it cost ~0.5 s
# of a rule tuner's 5 s run. The import runs with the collector paused, and what exists after it is
# frozen (`gc.freeze`: left out of later passes; still freed when no longer referenced), which
# also spares a forked copy (`audits.report.beside`) from copying the pages a pass would touch.
_collecting = gc.isenabled()
gc.disable()
try:
    from audits.rules import deadlines, identities, metadata_formats, sections, trends  # noqa: E402,F401  (registration)
finally:
    if _collecting:
        gc.freeze()
        gc.enable()
