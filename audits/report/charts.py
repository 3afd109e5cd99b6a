"""Small inline SVG charts, so the report needs no script, no image file and no network.

The SVG is built here from numbers only; any text that reaches it (a unit name in a tooltip)
goes through `markupsafe.escape`, because the result is inserted into the page unescaped.
"""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

SEVERITY_COLOURS = {"critical": "#b42318", "warning": "#b54708", "info": "#475467"}


def sparkline(scores: Sequence[float | None], label: str = "", width: int = 120, height: int = 28,
              top: float = 100.0) -> Markup:
    """A line of scores (0..top) over runs; None is a run where the unit was not scored (a gap)."""
    pad = 3
    n = len(scores)
    if n == 0 or all(s is None for s in scores):
        return Markup("")
    step = (width - 2 * pad) / max(n - 1, 1)

    def point(i: int, score: float) -> tuple[float, float]:
        y = pad + (height - 2 * pad) * (1 - max(0.0, min(score, top)) / top)
        return round(pad + i * step, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for i, score in enumerate(scores):
        if score is None:
            segments.append([])
        else:
            segments[-1].append(point(i, score))
    lines = "".join(
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in seg)}" fill="none" stroke="#1849a9" '
        f'stroke-width="1.5"/>' for seg in segments if len(seg) > 1)
    last = next(((i, s) for i, s in reversed(list(enumerate(scores))) if s is not None))
    x, y = point(*last)
    dots = f'<circle cx="{x}" cy="{y}" r="2.5" fill="#1849a9"/>'
    values = " → ".join("–" if s is None else f"{s:g}" for s in scores)
    return Markup(
        f'<svg class="spark" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)} {escape(values)}</title>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#d0d5dd" '
        f'stroke-width="1"/>{lines}{dots}</svg>'
    )


def severity_bar(counts: dict[str, int], width: int = 240, height: int = 14) -> Markup:
    """A stacked bar of finding counts by severity (critical, warning, info)."""
    total = sum(counts.values())
    if total == 0:
        return Markup("")
    x = 0.0
    parts = []
    for severity, colour in SEVERITY_COLOURS.items():
        w = width * counts.get(severity, 0) / total
        if w:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}"/>')
        x += w
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in SEVERITY_COLOURS)
    return Markup(
        f'<svg class="sevbar" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(summary)}</title>{"".join(parts)}</svg>'
    )
