"""Mutation smoke test: break the code on purpose and check that the tests notice.

A suite can pass because the code is right or because it does not look. For a handful of
deliberate breaks in the rules and parsers (the working-day calendar replaced by plain
Monday–Friday, a deadline or a working-day count off by one, a parser that drops decimals, a
table identity that compares a side with itself), this copies the checkout to a temporary
directory, applies one break and runs each test file that should catch it on its own. A
mutation is killed when every one of those files fails, so the end-to-end demo audit is held to
catching the calendar and off-by-one breaks by itself, not only the hand-computed unit tests. A
file that passes is a hole in the suite. The checkout itself is never modified.

    python bench/mutation_smoke.py                 # all mutations
    python bench/mutation_smoke.py calendar-mon-fri deadline-off-by-one

Exit status 1 when a mutation survived or no longer applies, so `make eval` fails with it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATE_TESTS = ("tests/rules/test_rules_dates.py", "tests/rules/test_demo_audit.py")


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    before: str  # must occur exactly once in the file
    after: str
    tests: tuple[str, ...]  # each must fail on its own
    why: str


MUTATIONS = (
    Mutation("calendar-mon-fri", "audits/rules/workdays.py",
             "working = (swapped | ((days.dayofweek <= 4) & ~holiday)).astype(np.int32)",
             "working = (days.dayofweek <= 4).astype(np.int32)", DATE_TESTS,
             "working days counted Monday–Friday: 调休 Saturdays and the Spring Festival ignored"),
    Mutation("lag-off-by-one", "audits/rules/workdays.py",
             "lag[inside] = cumulative[e] - cumulative[s]", "lag[inside] = cumulative[e] - cumulative[s] + 1",
             DATE_TESTS, "the issued day itself counted as a working day of the lag"),
    Mutation("deadline-off-by-one", "audits/rules/deadlines.py",
             "ok = published <= deadline", "ok = published < deadline", DATE_TESTS,
             "the last valid day of a deadline treated as late"),
    Mutation("figures-drop-decimals", "audits/normalize/figures.py",
             'value = float(num.replace(",", ""))', 'value = float(num.replace(",", "").split(".")[0])',
             ("tests/rules/test_demo_audit.py",), "the figure parser reads 100.1% as 100%"),
    Mutation("identity-self-compare", "audits/rules/identities.py",
             "ok &= ~complete | (np.abs(lsum - rsum) <= tolerance + 1e-9)",
             "ok &= ~complete | (np.abs(lsum - lsum) <= tolerance + 1e-9)",
             ("tests/rules/test_rules_content.py", "tests/rules/test_demo_audit.py"),
             "a table identity compares its left side with itself"),
)


def copy_checkout(target: Path) -> None:
    """Tracked and untracked (not ignored) files of the checkout, as they are on disk now."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(copy), "GX_ANALYTICS_ENABLED": "False"}
    env.pop("CI", None)  # a missing shared folder is not what is measured here
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=copy, env=env, capture_output=True, text=True)
    failed = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return proc.returncode, (failed[0] if failed else proc.stdout.strip().splitlines()[-1] if proc.stdout else "")


def imports_from(copy: Path) -> bool:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    out = subprocess.run([sys.executable, "-c", "import audits, crawler, demoportal; "
                          "print(audits.__file__, crawler.__file__, demoportal.__file__)"],
                         cwd=copy, env=env, capture_output=True, text=True, check=True).stdout
    return all(path.startswith(str(copy)) for path in out.split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"mutations to run (default all: {', '.join(m.name for m in MUTATIONS)})")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutation(s) {', '.join(sorted(unknown))}")
    outcomes: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="govaudit-mutation-") as tmp:
        copy = Path(tmp) / "govaudit"
        copy_checkout(copy)
        if not imports_from(copy):
            print("the copy does not import its own packages; cannot mutate safely", file=sys.stderr)
            return 2
        baseline_tests = tuple(sorted({t for m in chosen for t in m.tests}))
        code, line = run_tests(copy, baseline_tests)
        if code != 0:
            print(f"baseline: the selected tests fail without any mutation ({line}); fix them first", file=sys.stderr)
            return 2
        for mutation in chosen:
            target = copy / mutation.path
            original = target.read_text(encoding="utf-8")
            if original.count(mutation.before) != 1:
                outcomes.append((mutation.name, "NOT APPLIED", f"{mutation.path}: the code to break has changed"))
                continue
            target.write_text(original.replace(mutation.before, mutation.after), encoding="utf-8")
            try:
                for test in mutation.tests:
                    started = time.monotonic()
                    code, line = run_tests(copy, (test,))
                    verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"error (pytest exit {code})"
                    outcomes.append((mutation.name, verdict, f"{test}: {line} [{time.monotonic() - started:.0f}s]"))
                    print(f"{mutation.name:24} {verdict:10} {test} ({mutation.why})", flush=True)
            finally:
                target.write_text(original, encoding="utf-8")
    print()
    print(f"{'mutation':24} {'outcome':10} test file: first failing test")
    for name, verdict, line in outcomes:
        print(f"{name:24} {verdict:10} {line}")
    names = list(dict.fromkeys(name for name, _, _ in outcomes))
    killed = [n for n in names if all(v == "killed" for m, v, _ in outcomes if m == n)]
    print(f"\n{len(killed)} of {len(names)} mutations killed by every test file meant to catch them")
    return 0 if len(killed) == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
