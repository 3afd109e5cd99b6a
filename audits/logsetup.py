"""Logging of the long-running and scheduled commands: govaudit's own lines, not its libraries'.

A scheduled run used to print some two hundred INFO lines of Great Expectations (ephemeral
contexts, temporary directories) per run, burying the few lines an operator needs: which job
ran, what it wrote, what failed. Libraries speak at WARNING unless `--verbose`.
"""
from __future__ import annotations

import logging

QUIET_LIBRARIES = ("great_expectations", "scrapy", "twisted", "py.warnings", "urllib3", "filelock")
# Loggers a library sets to INFO itself when its module is imported (GX 1.x does so for this
# one), which would override the level inherited from the library's root logger.
SELF_RAISING_LOGGERS = ("great_expectations.data_context.types.base",)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _InheritingLogger(logging.Logger):
    """A logger whose level its library cannot set: it always follows its parent's."""

    def setLevel(self, level: int | str) -> None:  # noqa: N802 (logging's own name)
        pass


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT)
    level = logging.DEBUG if verbose else logging.WARNING
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(level)
    if verbose:
        return
    # Created before the library is imported (importing Great Expectations here would delay a
    # scheduler's start by seconds), so the library's getLogger returns this logger.
    for name in SELF_RAISING_LOGGERS:
        existing = logging.root.manager.loggerDict.get(name)
        if isinstance(existing, logging.Logger):
            existing.setLevel(logging.NOTSET)
            existing.__class__ = _InheritingLogger
            continue
        previous = logging.getLoggerClass()
        logging.setLoggerClass(_InheritingLogger)
        try:
            logging.getLogger(name)
        finally:
            logging.setLoggerClass(previous)
