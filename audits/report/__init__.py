"""The audit report: a self-contained HTML file per run, its CSV/JSON exports, and run comparison.

`render.render_run` is the entry point; `history` (audits.history) supplies the stored runs.
"""
