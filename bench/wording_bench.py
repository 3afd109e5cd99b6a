"""Wording-list scan (audits.normalize.wording) on ordinary and hostile page text.

Page text is hostile input and the scan runs on every page, so its cost must grow with the
text, not with the text times anything. Compared with a baseline in the same process: one
`str.count` of a single listed miswriting over the same text (the least any exact search must
do). Texts: ordinary Chinese prose, and a hostile run of near-matches ("习近" repeated, each a
prefix of a listed form). Reported as ratios, and the hostile text at 1× and 10× length shows
that the cost is linear. Usage: python bench/wording_bench.py [--chars 1000000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.normalize.wording import load_wording  # noqa: E402

PROSE = "会议要求深入学习贯彻习近平新时代中国特色社会主义思想，扎实做好各项工作，确保完成全年目标任务。"


def best(fn, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=1_000_000)
    args = parser.parse_args()
    wording = load_wording(ROOT / "expectations" / "wording.yml")
    texts = {
        "ordinary prose": (PROSE * (args.chars // len(PROSE) + 1))[: args.chars],
        "hostile near-matches": ("习近" * (args.chars // 2 + 1))[: args.chars],
        "hostile near-matches, 10× longer": ("习近" * (args.chars * 5 + 1))[: args.chars * 10],
    }
    print("| text | characters | str.count baseline (s) | wording scan (s) | ratio |")
    print("|---|---|---|---|---|")
    for name, text in texts.items():
        base = best(lambda text=text: text.count("习进平"))
        scan = best(lambda text=text: wording.scan(None, text))
        print(f"| {name} | {len(text):,} | {base:.4f} | {scan:.4f} | {scan / base:.1f}× |")


if __name__ == "__main__":
    main()
