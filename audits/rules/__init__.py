"""The rules: YAML suites in `expectations/`, loaded strictly and run by Great Expectations.

Parsing (`loader.py`, `model.py`) is kept apart from evaluation (`derive.py`, `runner.py`,
`findings.py`); the domain expectation types live in topic modules (`deadlines.py`,
`sections.py`, `identities.py`, `metadata_formats.py`, `trends.py`). Entry points:
`audits.rules.loader.load_rules(dir)` and `audits.rules.validate.run_rules(frames, dir, now)`.
This package module imports nothing itself, so that reading a column list does not load GX.
"""
