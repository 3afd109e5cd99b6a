"""Ground-truth manifest of the demo portal, as JSON.

    python -m demoportal.manifest --seed 7 --size 300 -o manifest.json

Lists every unit and document with the values its pages show and the defects injected
into it (rule id, severity, kind, detail). Fields the page does not show are null: the
metadata of a page that answers 404, or a META-1 field whose label is absent; a field
printed empty is "". `encoding` is the charset the page is served in (utf-8 or gbk) and
`charset_in_header` tells whether the HTTP Content-Type names it (GBK pages declare their
charset only in <meta>).
"""
from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import quote, urlparse

from .portal import build_portal


def manifest_json(seed: int, size: int) -> str:
    return json.dumps(build_portal(seed, size).manifest(), ensure_ascii=False, indent=1, sort_keys=False)


def defect_items(manifest: dict) -> list[dict]:
    """Everything a finding can be about, each with `url_path` and `defects`: the documents,
    the site's own columns (spot-check freshness) and the unit-level vetoes, which findings
    place at the site's home with #unit=NAME."""
    return [*manifest["documents"], *manifest["site_columns"],
            *({"url_path": f"/#unit={quote(v['unit'])}", **v} for v in manifest["unit_vetoes"])]


def finding_path(url: str) -> str:
    """A finding's URL as the manifest's `url_path`: the path, and #unit=NAME for a unit's row."""
    parts = urlparse(url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demoportal.manifest", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = manifest_json(args.seed, args.size)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
