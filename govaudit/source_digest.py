"""A digest of source files and library versions: what a cache keys "the code that made this" on.

The frame cache (what the normaliser made of the pages) and the validation cache (what Great
Expectations answered) both go stale when the code that produced them changes, whatever the
version number says; hashing the files themselves needs no discipline from whoever edits them.
"""
from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".py", ".yml", ".yaml")


def source_digest(sources: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """sha256 over the files under each of `sources` (paths relative to the project root, files
    or folders, read recursively) and the installed versions of `libraries`."""
    digest = hashlib.sha256()
    for name in sources:
        path = ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in SUFFIXES and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    for library in libraries:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=-\0".encode())
    return digest.hexdigest()
