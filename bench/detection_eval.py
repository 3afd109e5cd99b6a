"""How well the rules hold on phrasing they were not written against: recall and precision per
defect class and per rule, on the demo portal in its default style and in other phrasing styles.

The rules were tuned on the default portal; the styled portals (demoportal/styles.py) write the
same documents and the same defects with other real-world phrasings, so their figures measure
generalisation.  Each portal is served on loopback, crawled by the real spider into a fresh store
and audited with the shipped rules; findings are compared with the portal's manifest:

- recall of a class: injected (page, rule) defects found by that rule, with the manifest's kind;
- precision of a rule: its failures (warning or critical) that the manifest lists;
- critical on clean pages: critical failures on pages with no injected defect at all (and, apart,
  "could not check" on such pages: a doubt the phrasing raised).

    python bench/detection_eval.py                  # default style and styles 1, 2
    python bench/detection_eval.py --styles 0 3 5 --size 300 --markdown
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.audit import audit_crawl  # noqa: E402
from crawler.crawl import run_crawl  # noqa: E402
from demoportal.manifest import defect_items, finding_path  # noqa: E402
from demoportal.server import DemoPortal  # noqa: E402


def evaluate(style: int, seed: int, size: int) -> dict:
    with DemoPortal(seed=seed, size=size, style=style) as portal, tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "govaudit.sqlite3"
        summary = run_crawl("demo", store, base_url=portal.url, show_progress=False)
        result = audit_crawl(store, summary.crawl_id)
        manifest = portal.manifest
    docs = manifest["documents"]
    items = defect_items(manifest)
    expected = {(d["url_path"], x["rule_id"]): x["kind"] for d in items for x in d["defects"]}
    defective = {d["url_path"] for d in items if d["defects"]}
    f = result.findings
    found = {(finding_path(u), r): k for u, r, k in zip(f["url"], f["rule_id"], f["kind"])}
    raised = f[(f["kind"] == "failure") & f["severity"].isin(["critical", "warning"])]
    raised_keys = {(finding_path(u), r) for u, r in zip(raised["url"], raised["rule_id"])}
    per_class = Counter(r for _, r in expected)
    hit = Counter(r for (path, r), kind in expected.items() if found.get((path, r)) == kind)
    per_rule = Counter(r for _, r in raised_keys)
    right = Counter(key[1] for key in raised_keys if key in expected)
    clean_critical = sorted({(finding_path(u), r) for u, r, s, k in
                             zip(f["url"], f["rule_id"], f["severity"], f["kind"])
                             if k == "failure" and s == "critical" and finding_path(u) not in defective})
    clean_unchecked = sorted({(finding_path(u), r) for u, r, k in zip(f["url"], f["rule_id"], f["kind"])
                              if k == "could_not_check" and finding_path(u) not in defective})
    return {"style": style, "classes": per_class, "clean_unchecked": clean_unchecked, "hit": hit, "raised": per_rule, "right": right,
            "clean_critical": clean_critical, "missed": sorted(k for k in expected if found.get(k) != expected[k]),
            "extra": sorted(k for k in raised_keys if k not in expected), "documents": len(docs)}


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "–"


def table(results: list[dict]) -> str:
    rules = sorted(set().union(*(r["classes"] for r in results), *(r["raised"] for r in results)))
    head = "| rule | " + " | ".join(f"style {r['style'] or 'default'}: recall | precision" for r in results) + " |"
    lines = [head, "|---|" + "---|---|" * len(results)]
    for rule in rules:
        cells = []
        for r in results:
            cells.append(f"{_pct(r['hit'][rule], r['classes'][rule])} ({r['hit'][rule]}/{r['classes'][rule]})")
            cells.append(f"{_pct(r['right'][rule], r['raised'][rule])} ({r['right'][rule]}/{r['raised'][rule]})")
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    totals = []
    for r in results:
        n, h = sum(r["classes"].values()), sum(r["hit"].values())
        raised, right = sum(r["raised"].values()), sum(r["right"].values())
        totals += [f"**{_pct(h, n)}** ({h}/{n})", f"**{_pct(right, raised)}** ({right}/{raised})"]
    lines.append("| all | " + " | ".join(totals) + " |")
    lines.append("| critical on clean pages | " + " | ".join(f"{len(r['clean_critical'])} | –" for r in results) + " |")
    lines.append("| could not check on clean pages | "
                 + " | ".join(f"{len(r['clean_unchecked'])} | –" for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--styles", type=int, nargs="+", default=[0, 1, 2], help="style seeds (0 = default)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args()
    results = []
    for style in args.styles:
        print(f"style {style or 'default'}: serving, crawling and auditing {args.size} documents…", flush=True)
        results.append(evaluate(style, args.seed, args.size))
    print()
    print(table(results))
    for r in results:
        name = r["style"] or "default"
        for key in r["missed"]:
            print(f"  style {name}: missed {key[1]} on {key[0]}")
        for key in r["extra"]:
            print(f"  style {name}: not in the manifest {key[1]} on {key[0]}")
        for key in r["clean_critical"]:
            print(f"  style {name}: CRITICAL on a clean page {key[1]} on {key[0]}")
        for key in r["clean_unchecked"]:
            print(f"  style {name}: could not check on a clean page {key[1]} on {key[0]}")


if __name__ == "__main__":
    main()
