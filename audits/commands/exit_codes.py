"""Exit codes of every `govaudit` command (documented in README's table).

0 done, no critical finding; 1 done, critical findings; 2 usage, unknown crawl or unit, site-config
or rule-file error; 3 run error (a crawl that failed, a suite that checked nothing, a report or an
email that could not be written or sent).
"""
from __future__ import annotations

EXIT_OK, EXIT_CRITICAL, EXIT_USAGE, EXIT_RUN_ERROR = 0, 1, 2, 3
