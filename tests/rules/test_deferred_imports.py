"""Modules Great Expectations imports but no rule uses are imported on first use, not at start-up;
the import itself runs without full collections, and what it made is frozen."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from audits.rules import deferred_imports


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh importable package whose modules record each time their code runs."""
    name = f"deferred_pkg_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    (root / "sub").mkdir(parents=True)
    runs = tmp_path / "runs.txt"
    record = f"open({str(runs)!r}, 'a').write(__name__ + '\\n')\n"
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text(record + "VALUE = 42\n")
    (root / "sub" / "leaf.py").write_text(record + "LEAF = 'leaf'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, (lambda: runs.read_text().split() if runs.exists() else [])
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_a_deferred_module_runs_its_code_on_first_use_once(package):
    name, runs = package
    deferred_imports.defer((f"{name}.sub",))
    sub = importlib.import_module(f"{name}.sub")  # what `import x as y` in Great Expectations binds
    assert runs() == [] and deferred_imports.deferred(f"{name}.sub")

    assert sub.VALUE == 42
    assert runs() == [f"{name}.sub"] and not deferred_imports.deferred(f"{name}.sub")
    assert sys.modules[f"{name}.sub"] is not sub and "VALUE" in vars(sub)  # the stand-in now holds the names
    assert importlib.import_module(f"{name}.sub").VALUE == 42 and runs() == [f"{name}.sub"]
    with pytest.raises(AttributeError):
        _ = sub.NOT_THERE


def test_a_submodule_of_a_deferred_package_imports(package):
    name, runs = package
    deferred_imports.defer((f"{name}.sub",))
    leaf = importlib.import_module(f"{name}.sub.leaf")
    assert leaf.LEAF == "leaf" and sorted(runs()) == sorted([f"{name}.sub", f"{name}.sub.leaf"])


def test_a_failing_real_import_raises_and_leaves_the_stand_in_for_a_retry(package, tmp_path):
    name, runs = package
    init = tmp_path / name / "sub" / "__init__.py"
    good = init.read_text()
    init.write_text("raise ImportError('needs a library this machine lacks')\n")
    deferred_imports.defer((f"{name}.sub",))
    sub = importlib.import_module(f"{name}.sub")
    with pytest.raises(ImportError, match="lacks"):
        _ = sub.VALUE
    assert deferred_imports.deferred(f"{name}.sub")
    init.write_text(good)
    importlib.invalidate_caches()
    assert sub.VALUE == 42


def test_missing_and_already_imported_modules_are_left_alone():
    missing = f"no_such_module_{uuid.uuid4().hex[:8]}"
    deferred_imports.defer((missing, "json"))
    assert missing not in sys.modules and sys.modules["json"] is json
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(missing)


CHILD = textwrap.dedent("""
    import json, sys
    import audits.rules
    from audits.rules.deferred_imports import deferred
    import great_expectations as gx, pandas as pd
    import great_expectations.expectations as gxe
    at_start = {name: deferred(name) for name in ("scipy.stats", "altair")}
    ctx = gx.get_context(mode="ephemeral")
    batch = (ctx.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
             .get_batch(batch_parameters={"dataframe": pd.DataFrame({"x": [1, 2, 2, 3, 3, 3]})}))
    partition = {"values": [1, 2, 3], "weights": [0.5, 0.25, 0.25]}
    result = batch.validate(gxe.ExpectColumnKLDivergenceToBeLessThan(column="x", partition_object=partition,
                                                                      threshold=0.01))
    from scipy import stats
    expected = stats.entropy([1 / 6, 2 / 6, 3 / 6], partition["weights"])
    print(json.dumps({"at_start": at_start, "observed": result.result.get("observed_value"),
                      "expected": float(expected), "success": result.success,
                      "raised": result.exception_info.get("raised_exception"),
                      "after": deferred("scipy.stats")}))
""")


@pytest.mark.slow  # a child process importing Great Expectations afresh
def test_gx_starts_without_scipy_stats_and_altair_and_a_distribution_rule_still_runs():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["at_start"] == {"scipy.stats": True, "altair": True}
    assert said["raised"] is False and said["after"] is False
    assert said["observed"] == pytest.approx(said["expected"]) and said["success"] is False


GC_CHILD = textwrap.dedent("""
    import gc, json, sys
    if sys.argv[1] == "off":
        gc.disable()
    full_passes = []
    gc.callbacks.append(lambda phase, info: full_passes.append(1) if phase == "stop" and info["generation"] == 2 else None)
    import audits.rules
    print(json.dumps({"full_passes": len(full_passes), "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
""")


@pytest.mark.slow  # child processes importing Great Expectations afresh
@pytest.mark.parametrize("collector", ["on", "off"])
def test_gx_is_imported_without_full_collections_and_the_importers_choice_is_kept(collector):
    done = subprocess.run([sys.executable, "-c", GC_CHILD, collector], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["full_passes"] == 0
    if collector == "on":  # collecting again, over none of what the import made
        assert said["enabled"] is True and said["frozen"] > 100_000
    else:  # a process that turned the collector off keeps it off, and nothing is frozen for it
        assert said["enabled"] is False and said["frozen"] == 0
