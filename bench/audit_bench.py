"""How long the rules take: govaudit (derive + Great Expectations + findings) against the same
checks written in plain pandas, on synthetic frames of 10k / 100k / 1M documents.

The ratio is the figure to compare across machines: what validating through GX (with the
unexpected-index bookkeeping that maps failures back to rows, and the could-not-check
accounting) costs over bare vectorised pandas masks. Both sides get the same derived columns
(`derive_frames`), so the comparison is about evaluation, not about the holiday calendar or the
section summaries. Also timed: one tuning loop (load the rule files, run them) on 10k documents.

    python bench/audit_bench.py --sizes 10000 100000        # 1M takes minutes; add 1000000
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from audits.normalize.shared_strings import share_strings  # noqa: E402
from audits.rules.columns import base_columns  # noqa: E402
from bench.benchmarks_md import write_section  # noqa: E402
from audits.rules.derive import derive_frames  # noqa: E402
from audits.rules.loader import load_rules  # noqa: E402
from audits.rules import findings as finding_rows, validate  # noqa: E402
from audits.rules.validate import run_rules  # noqa: E402

RULES = ROOT / "expectations"
T3_ROWS = ["new", "carried", "granted", "partial", *[f"refused_{i}" for i in range(1, 9)],
           *[f"unavailable_{i}" for i in range(1, 4)], *[f"not_processed_{i}" for i in range(1, 6)],
           *[f"other_{i}" for i in range(1, 4)], "other", "outcome_total", "carry_next"]
T3_COLS = ["natural", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
FZ_KINDS = ["fz_measures", "fz_shortcomings", "fz_first_responsible", "fz_next_year"]
XX_KINDS = ["xx_overview", "xx_proactive", "xx_applications", "xx_review_litigation", "xx_problems", "xx_other"]


# The section's opening paragraph in BENCHMARKS.md: what is measured and against what.
INTRO = ("`python bench/audit_bench.py`: synthetic frames (4% 法治 reports, 4% 信息公开 reports with table 三, "
         "92% routine items, ~5% defects), the default rule pack in `expectations/`. Both columns include "
         "`derive_frames` (working days, 索引号 shapes, section summaries); the ratio is the cost of GX "
         "validation, row mapping and could-not-check accounting over bare pandas masks. \"findings\" are one per "
         "(document, rule), could-not-check included; \"pandas failures\" are failing rows summed over the "
         "checks: the two are a sanity check that both sides see the same defects, not equal by definition. "
         "Each size runs in its own process; peak RSS is the kernel's high-water mark (VmHWM) from the start "
         "of that side's run, with the synthetic frames already resident (their size is the \"frames alone\" "
         "column). The synthetic frames have the normaliser's dtypes, repeated text values held once as the "
         "normaliser holds them. \"derive / validation / findings\" splits govaudit's time: `derive_frames`, "
         "the validation groups (Great Expectations, row conditions, could-not-check accounting), "
         "`build_findings`.")


# Where the time and memory beyond the budget go (cProfile and VmHWM per stage at 100k and 1M).
REMAINS = (
    "How derive got faster: COPY-2's peer similarity and COPY-1's previous-year similarity work on integer "
    "shingle ids with numpy (the shingles of a batch of site × type × year groups cut at once, the prefix "
    "filter's candidates and their intersections as array operations and sparse row products; the same "
    "scores, and ties named as the Python sets named them); the section summaries and similarity texts are "
    "joined per url column-wise; the context columns look each url up once per frame; future-date messages "
    "format only the future dates. Both columns include derive, so the ratio rose while both times fell. "
    "What remains. *derive*: column-wise pandas work on million-row text columns (missing-value masks and "
    "conversions of `string` columns, the 索引号 shapes, the publisher triples, the 发文日期 text) and one regex "
    "search per 索引号 (nearly every 索引号 is distinct, so searching per distinct value would save nothing); "
    "the similarities take a few seconds. *validation*: Great Expectations' fixed "
    "cost per group and expectation (the tuning loop's work) and its unexpected-index lists. *findings*: "
    "about 550 thousand at 1M documents (the synthetic documents now carry the wording columns as the "
    "normaliser writes them; without them WORDING-1/2 made two million could-not-check findings that no real "
    "crawl would), their text shared per distinct value, their keys not. *memory*: \"frames alone\" is the "
    "whole process once the synthetic frames are built: about 310 MiB "
    "of it is the interpreter with pandas and Great Expectations imported, and at 1M about 400 MiB is memory "
    "the synthetic builder freed and the allocator kept (after `gc.collect()` and glibc's `malloc_trim(0)` the "
    "same process holds 1,142 MiB), which the run then reuses: returning it first left the peak where it was "
    "(1,743 MiB against 1,718 in a pair of runs). Stage by stage at 1M (VmRSS and VmHWM around each stage): "
    "derive's new columns fit in that freed memory, and derive's high point (~1,690 MiB) comes while the "
    "section summaries and COPY-2's shingle batches run; the validation groups add about 70 MiB (the finding "
    "parts); build_findings adds about 100 MiB, the findings frame (550 thousand rows × 20 columns) beside the "
    "frames, and sets the peak. How the peak came down from 2,313 MiB (the same measure before these changes; "
    "2,273 in the table they replaced), with the same findings, rule stats and errors: 1,970 once Great "
    "Expectations' execution engine no longer keeps every metric it resolves (each group's row masks with "
    "their index, its unexpected-index lists) for its lifetime, which grew resident memory by ~460 MiB over "
    "the groups; ~1,855 once finding parts hold only their per-row texts and build_findings looks each url "
    "up in the documents instead of concatenating a second million-row evidence frame, and takes each column "
    "once in its final order instead of building, converting and sorting copies of the whole frame (2 s "
    "less); ~1,813 once each group's batch is dropped before the next group is copied; ~1,730 once date "
    "texts are shared per distinct day and could-not-check reasons are kept only where known (they were "
    "nine full columns, nearly all <NA>); ~1,720 with COPY-2's batches of 1,000,000 characters instead of "
    "2,000,000 (derive's high point 1,734 → 1,663 MiB). glibc's `malloc_trim(0)` after the validation "
    "groups, measured before these changes, lowered the peak by 20 MiB only (the run reuses freed memory "
    "anyway) and was not kept. Plain pandas, running the same derive and checks without GX or findings, now "
    "peaks a little above govaudit (its column). The 1M time moves by several seconds from run to run on "
    "this shared machine: run_rules alone at 1M, the code before these changes and after them run "
    "alternately, took 44.9 and 37.6 s before, 34.0 and 39.7 s after (at 100k, three runs of each: no slower either); "
    "the peak moves by a few MiB. "
    "The frames' text columns stay Python-backed `string` "
    "(repeated values held once): with `string[pyarrow]` pandas hands `.str.contains`/`match`/`replace` to "
    "RE2, which rejects the rule files' lookbehinds and `\\u` escapes and reads `\\d` as ASCII only, and "
    "categoricals break `fillna(\"\")` and concatenation in the derived columns; Arrow is used at rest (the "
    "frame cache).")


def _typed(name: str, data: dict) -> pd.DataFrame:
    columns = base_columns()[name]
    n = len(next(iter(data.values()))) if data else 0
    out = {}
    for column, dtype in columns.items():
        values = data.get(column)
        if values is None:
            out[column] = pd.Series(pd.NA, index=range(n), dtype=dtype) if not dtype.startswith("datetime") \
                else pd.Series(pd.NaT, index=range(n), dtype=dtype)
        else:
            out[column] = (pd.Series(values) if np.ndim(values) else pd.Series(values, index=range(n))).astype(dtype)
    return share_strings(pd.DataFrame(out))  # as the normaliser builds them


def synthetic(n: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """n documents: 4% 法治 reports, 4% 信息公开 reports, the rest routine items, with ~5% defects."""
    rng = np.random.default_rng(seed)
    ids = np.arange(n)
    units = np.array([f"单位{i}" for i in range(max(n // 50, 1))])
    kind = np.where(rng.random(n) < 0.01, "catalog", "detail")
    rtype = rng.choice(["fazhi_annual", "xxgk_annual", "routine"], n, p=[0.04, 0.04, 0.92])
    year = rng.choice([2020, 2021, 2022, 2023], n)
    issued = pd.to_datetime("2021-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    annual_pub = pd.to_datetime((year + 1).astype(str)) + pd.to_timedelta(rng.integers(0, 110, n), unit="D")
    published = np.where(rtype == "routine", issued + pd.to_timedelta(rng.integers(0, 40, n), unit="D"), annual_pub)
    hosts = np.array([f"site{i % 20}.test" for i in range(n)])
    serial = rng.integers(100000, 999999, n).astype(str)
    index_no = np.char.add(np.char.add("001008004005091/", pd.DatetimeIndex(issued).year.astype(str).to_numpy()),
                           np.char.add("-", serial))
    index_no = np.where(rng.random(n) < 0.02, np.char.add("bgs01/2023-", serial), index_no)
    status = np.where(rng.random(n) < 0.01, 404, 200)
    readable = (kind == "detail") & (status == 200)
    docs = _typed("documents", {
        "doc_id": ids.astype(str), "url": np.char.add("http://x.test/", ids.astype(str)), "site": hosts,
        "host": hosts, "unit": rng.choice(units, n), "crawl_id": np.ones(n, int), "kind": kind,
        "unit_level": rng.choice(["township", "subdistrict", "county_gov", "department"], n), "title": ids.astype(str),
        "index_no": index_no, "publisher": rng.choice(["桐乡市濮院镇人民政府", "濮院镇"], n, p=[0.95, 0.05]),
        "disclosure_mode": np.where(rng.random(n) < 0.03, None, "主动公开"), "issued_date": issued,
        "doc_no": rng.choice(["桐政办发〔2023〕12号", "桐政办发[2023]12号", None], n, p=[0.3, 0.02, 0.68]),
        "published_at": pd.to_datetime(published), "report_type": rtype, "report_year": year, "title_year": year,
        "table_template": np.where(rtype == "xxgk_annual", rng.choice(["2021", "2019"], n, p=[0.95, 0.05]), None),
        "body_length": np.where(status == 200, 2000, 0), "content_hash": ids.astype(str), "http_status": status,
        "fetch_error": np.where(status == 404, "HTTP 404", None), "fetched_at": pd.Timestamp("2024-06-01", tz="UTC"),
        "attachment_count": np.zeros(n, int),
        # What the normaliser writes for the wording lists (audits/normalize/frames.py): "" when a
        # readable detail page has no listed word, <NA> for any other row.
        "serious_wording": np.where(readable, "", None), "wording_typos": np.where(readable, "", None),
    })
    frames = {name: _typed(name, {}) for name in base_columns()}
    frames["documents"] = docs
    annual = docs[docs["report_type"].isin(["fazhi_annual", "xxgk_annual"])]
    rows = []
    for kinds, rt in ((FZ_KINDS, "fazhi_annual"), (XX_KINDS, "xxgk_annual")):
        part = annual[annual["report_type"] == rt]
        for i, k in enumerate(kinds):
            keep = rng.random(len(part)) > 0.03
            # Each report words its headings its own way, as real ones do (the copy-paste rules
            # compare texts, and identical synthetic headings would make every report a copy).
            wording = pd.Series([f"{v:016x}" for v in rng.integers(0, 2**62, len(part))], index=part.index)
            rows.append(pd.DataFrame({"doc_id": part["doc_id"][keep], "url": part["url"][keep], "crawl_id": 1,
                                      "ordinal": i + 1, "heading": (k + wording)[keep], "kind": k, "standalone": True,
                                      "years": (part["report_year"][keep] + (1 if k == "fz_next_year" else 0)).astype(str)}))
    frames["sections"] = _typed("sections", {c: pd.concat(rows)[c].to_numpy() for c in
                                             ("doc_id", "url", "crawl_id", "ordinal", "heading", "kind", "standalone", "years")})
    xx = docs[docs["report_type"] == "xxgk_annual"]
    m = len(xx)
    wide = {"doc_id": xx["doc_id"].to_numpy(), "url": xx["url"].to_numpy(), "crawl_id": np.ones(m, int), "template": "2021"}
    new = rng.integers(0, 50, m)
    for r in T3_ROWS:
        for c in T3_COLS:
            wide[f"{r}__{c}"] = np.zeros(m)
    for c in ("natural", "total"):
        wide[f"new__{c}"] = new.astype(float)
        wide[f"granted__{c}"] = new.astype(float)
        wide[f"outcome_total__{c}"] = new + (rng.random(m) < 0.05)
    frames["table3_wide"] = _typed("table3_wide", wide)
    groups = annual.sample(frac=1.0, random_state=seed)
    g = len(groups)
    total = rng.integers(10, 500, g).astype(float)
    frames["figure_groups"] = _typed("figure_groups", {
        "doc_id": groups["doc_id"].to_numpy(), "url": groups["url"].to_numpy(), "crawl_id": np.ones(g, int),
        "group_id": np.arange(g), "total": total, "parts_sum": total + (rng.random(g) < 0.05) * 7, "n_parts": 2,
        "complete": rng.random(g) < 0.5, "approx": False, "sentence": "共…其中…", "unit": "件"})
    return frames


def plain_pandas(frames: dict[str, pd.DataFrame], parameters: dict) -> int:
    """The default pack's checks as bare pandas masks on the same derived frames; returns failures."""
    derived, _ = derive_frames(frames, parameters)
    d = derived["documents"]
    ok = d["readable"]
    year1 = pd.to_numeric(d["report_year"], errors="coerce") + 1

    def day(month_day: pd.Series | str) -> pd.Series:
        return pd.to_datetime(year1.map(lambda y: "" if pd.isna(y) else f"{int(y)}-") + month_day, errors="coerce")

    pub = d["published_date"]
    fz, xx = ok & d["report_type"].eq("fazhi_annual"), ok & d["report_type"].eq("xxgk_annual")
    level_deadline = d["unit_level"].map({"department": "01-31", "county_gov": "03-31", "township": "03-31",
                                          "subdistrict": "03-31"}).fillna("")
    town = xx & d["unit_level"].isin(["township", "subdistrict"])
    masks = [
        fz & (pub > day("03-31")), fz & (pub < day("12-31") - pd.DateOffset(years=1)),
        xx & (pub > day(level_deadline)), town & (pub > day("01-31")) & (pub <= day("03-31")),
        ok & d["report_type"].eq("routine") & (d["lag_working_days"] > 20),
        ok & d[["index_no", "publisher", "issued_date", "disclosure_mode"]].isna().any(axis=1),
        ok & (d["published_date"] < d["issued_day"]), ok & (d["fetched_date"] < d["published_date"]),
        ok & ~d["publisher"].fillna("").str.contains(r"(?:人民政府|办事处|委员会|办公室|局)$"),
        ok & d["doc_no"].notna() & ~d["doc_no"].fillna("").str.contains(r"^[\u4e00-\u9fa5]{1,12}〔(?:19|20)\d{2}〕[1-9]\d*号$"),
        ok & (d["host_index_no_count"] >= 10) & (d["index_no_shape_share"] < 0.1),
        ok & d["index_no_year"].notna() & (d["index_no_year"] != d["issued_year"]),
        xx & (d["report_year"] >= 2021) & d["table_template"].eq("2019"),
        d["kind"].eq("detail") & ~d["fetched_ok"],
        ok & (d["previous_year_similarity"] > 0.9), ok & (d["peer_similarity"] > 0.9),
    ]
    for kinds, scope in ((FZ_KINDS, fz), (XX_KINDS, xx)):
        kinds_text = "," + d["section_kinds"].fillna("") + "," + d["folded_section_kinds"].fillna("") + ","
        masks += [scope & ~kinds_text.str.contains(f",{k},", regex=False) for k in kinds]
    t3 = derived["table3_wide"]
    for c in T3_COLS:
        masks.append((t3[f"new__{c}"] + t3[f"carried__{c}"] - t3[f"outcome_total__{c}"] - t3[f"carry_next__{c}"]).abs() > 0)
        outcomes = [f"{r}__{c}" for r in T3_ROWS if r not in ("new", "carried", "outcome_total", "carry_next")]
        masks.append((t3[f"outcome_total__{c}"] - t3[outcomes].fillna(0).sum(axis=1)).abs() > 0)
    for r in T3_ROWS:
        parts = [f"{r}__{c}" for c in T3_COLS[:-1]]
        masks.append((t3[f"{r}__total"] - t3[parts].sum(axis=1)).abs() > 0)
    fg = derived["figure_groups"]
    masks += [~fg["approx"] & (fg["parts_sum"] > fg["total"]), fg["complete"] & ~fg["approx"] & (fg["parts_sum"] != fg["total"])]
    return int(sum(int(m.fillna(False).sum()) for m in masks))


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def _peak_reset() -> None:
    """Restart the kernel's peak-RSS count (VmHWM) of this process at its current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class _Stages:
    """Seconds spent in derive_frames and build_findings within run_rules (the rest is the
    validation groups: Great Expectations, row conditions, could-not-check accounting)."""

    def __init__(self) -> None:
        self.seconds = {"derive": 0.0, "findings": 0.0}

    def __enter__(self) -> "_Stages":
        self._saved = validate.derive_frames, finding_rows.build_findings
        validate.derive_frames = self._timed("derive", validate.derive_frames)
        finding_rows.build_findings = self._timed("findings", finding_rows.build_findings)
        return self

    def __exit__(self, *exc) -> None:
        validate.derive_frames, finding_rows.build_findings = self._saved

    def _timed(self, stage: str, fn):
        def run(*args, **kwargs):
            seconds, value = timed(fn, *args, **kwargs)
            self.seconds[stage] += seconds
            return value
        return run


def one_size(n: int) -> dict:
    """Both sides on n documents in this process: seconds and peak RSS (MiB) of each, with the
    synthetic frames already resident (what the frames alone take is `frames_mib`)."""
    pack = load_rules(RULES)
    run_rules(synthetic(500), pack=pack)  # warm-up: GX imports, expectation registry, holiday calendar
    frames = synthetic(n)
    frames_rss = _status_kib("VmRSS")
    _peak_reset()
    with _Stages() as stages:
        gx_time, result = timed(run_rules, frames, pack=pack)
    gx_peak = _status_kib("VmHWM")
    findings = len(result.findings)
    del result
    _peak_reset()
    pd_time, failures = timed(plain_pandas, frames, pack.parameters)
    pd_peak = _status_kib("VmHWM")
    return {"n": n, "gx_time": gx_time, "derive": stages.seconds["derive"], "findings_time": stages.seconds["findings"], "pd_time": pd_time, "findings": findings, "failures": failures,
            "frames_mib": frames_rss / 1024, "gx_peak_mib": gx_peak / 1024, "pd_peak_mib": pd_peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child run: one size, JSON out
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    lines = ["| documents | govaudit run_rules (s) | of which derive / validation / findings (s) | plain pandas (s) | "
             "ratio | peak RSS govaudit (MiB) | peak RSS pandas (MiB) | frames alone (MiB) | findings | pandas failures |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    largest = None
    for n in args.sizes:
        # Each size in its own process, so that its peak RSS is its own.
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        largest = r
        validation = r["gx_time"] - r["derive"] - r["findings_time"]
        lines.append(f"| {n:,} | {r['gx_time']:.2f} | {r['derive']:.1f} / {validation:.1f} / {r['findings_time']:.1f} | "
                     f"{r['pd_time']:.2f} | {r['gx_time'] / r['pd_time']:.2f}× | "
                     f"{r['gx_peak_mib']:,.0f} | {r['pd_peak_mib']:,.0f} | {r['frames_mib']:,.0f} | "
                     f"{r['findings']:,} | {r['failures']:,} |")
        print(lines[-1], flush=True)
    pack = load_rules(RULES)
    run_rules(synthetic(500), pack=pack)
    frames = synthetic(10_000)
    loop_time, _ = timed(lambda: run_rules(frames, pack=load_rules(RULES)))
    load_time, _ = timed(load_rules, RULES)
    target = "" if largest is None else (
        f"\n\nBudget (issue 14): 1,000,000 documents in ≤60 s and ≤2,048 MiB peak for derive + rules + findings. "
        f"Largest size measured here, {largest['n']:,}: {largest['gx_time']:.0f} s and {largest['gx_peak_mib']:,.0f} MiB "
        f"peak ({'within' if largest['n'] >= 1_000_000 and largest['gx_time'] <= 60 and largest['gx_peak_mib'] <= 2048 else 'not within'} "
        f"the budget), of which the frames alone hold {largest['frames_mib']:,.0f} MiB.")
    text = "\n".join(lines) + target + f"\n\n{REMAINS}" + (
        f"\n\nTuning loop on 10,000 documents (load every rule file strictly, then run them all): "
        f"**{loop_time:.2f} s**, of which loading the files {load_time:.2f} s "
        f"(in one process, with Great Expectations already imported; a fresh `govaudit` process adds its import "
        f"time: see the tuning loop section). {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the "
        f"end (the machine was shared with other work; the ratios are the figures to compare).")
    print(text)
    if not args.no_write:
        write_section(ROOT / "BENCHMARKS.md", "## Rules", f"{INTRO}\n\n{text}")


if __name__ == "__main__":
    main()
