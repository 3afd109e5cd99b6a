"""Logging of the long-running and scheduled commands: govaudit's own lines, not its libraries'.

A scheduled run used to print some two hundred INFO lines of Great Expectations (ephemeral
contexts, temporary directories) per run, burying the few lines an operator needs: which job
ran, what it wrote, what failed. Libraries speak at WARNING unless `--verbose`.
"""
from __future__ import annotations

import logging

QUIET_LIBRARIES = ("great_expectations", "scrapy", "twisted", "py.warnings", "urllib3", "filelock")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT)
    level = logging.DEBUG if verbose else logging.WARNING
    # Great Expectations sets one of its own loggers to INFO when that module is imported, so it
    # is imported now and every library logger below the quiet names inherits their level.
    import great_expectations.data_context.types.base  # noqa: F401

    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(level)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".")[0] in QUIET_LIBRARIES and name not in QUIET_LIBRARIES:
            logger.setLevel(logging.NOTSET)
