"""Stand-ins for the modules Great Expectations imports but no govaudit rule uses.

Importing Great Expectations 1.x imports every core expectation, and one of them (KL divergence,
with two KS-test metrics) imports `scipy.stats` and `altair` at module level. Those two are about
a third of the whole import (~1.4 s of ~4.5 s on a 2-core machine), paid by every `govaudit audit`
a rule tuner runs from the shell and by every test process. No govaudit rule reads a distribution.

`defer()` puts a stand-in module in `sys.modules` for each, before Great Expectations is first
imported. The stand-in imports the real module the first time any attribute is asked of it and
from then on holds the real module's names, so a rule file that does use a distribution
expectation still works: it pays the import when it runs, not when govaudit starts. A module
already imported is left alone, and so is one that is not installed.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

# Imported by Great Expectations at start-up only for distribution expectations and their
# renderers (great_expectations/expectations/core/expect_column_kl_divergence_to_be_less_than.py,
# .../column_aggregate_metrics/column_*_ks_test_p_value.py).
DEFERRED = ("scipy.stats", "altair")

_lock = threading.RLock()


class DeferredModule(types.ModuleType):
    """A module that becomes the real one on first use of any of its names."""

    def __getattr__(self, attr: str) -> Any:
        # Only called for names the stand-in does not hold: before the real import, all of them.
        return getattr(load(self.__name__), attr)


def load(name: str) -> types.ModuleType:
    """The real module behind a stand-in (importing it now if need be); the module itself otherwise."""
    with _lock:
        current = sys.modules.get(name)
        if not isinstance(current, DeferredModule):
            return current if current is not None else importlib.import_module(name)
        del sys.modules[name]
        try:
            real = importlib.import_module(name)
        except BaseException:
            sys.modules[name] = current
            raise
        # Code that bound the stand-in (`import altair as alt`) now reads the real names directly.
        vars(current).update(vars(real))
        return real


def deferred(name: str) -> bool:
    """True while `name` is a stand-in whose real module has not been imported."""
    return isinstance(sys.modules.get(name), DeferredModule)


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    with _lock:
        for name in names:
            if name in sys.modules:
                continue
            try:
                if importlib.util.find_spec(name) is None:
                    continue
            except (ImportError, ValueError):
                continue
            sys.modules[name] = DeferredModule(name)
