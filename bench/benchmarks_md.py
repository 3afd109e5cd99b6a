"""BENCHMARKS.md is written by several bench scripts, each owning one `## ` section of it: a
script replaces its own section where it stands and leaves every other section as it was."""
from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace the section under `heading` (a whole `## …` line) with `body`, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"{heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
