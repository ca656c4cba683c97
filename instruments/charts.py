"""Scores over time as a small server-rendered SVG, with the instrument's bands drawn behind.

The chart is decoration for sighted readers (aria-hidden): the table next to it carries the
same numbers for everyone, and the caption names every band in full. A band's label is wrapped
to fit beside the chart; one that still does not fit in its band's height ends in "…" and keeps
its full text in a <title>.
"""

from __future__ import annotations

import textwrap

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 660, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 210, 12, 30
LABEL_CHARS = 30  # what fits in RIGHT at font size 11
LINE_HEIGHT = 12
# Light fills that keep the dark line and text at well over 4.5:1 contrast.
BAND_FILLS = ["#e4f4e8", "#fff4d6", "#fde2cc", "#f9d3d3", "#ece3f5", "#dde9f7"]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def score_chart(points: list[tuple[str, float | None]], value_range, bands) -> SafeString:
    """points: (date label, total or None) in time order; bands: dicts with low/high/label."""
    low, high = value_range if value_range else _range_of(points)
    if high <= low:
        high = low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return TOP + plot_h - (clamped - low) / (high - low) * plot_h

    def x(index: int) -> float:
        if len(points) == 1:
            return LEFT + plot_w / 2
        return LEFT + index * plot_w / (len(points) - 1)

    parts = [
        f'<svg class="score-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">'
    ]
    for index, band in enumerate(bands or []):
        top = y(min(float(band["high"]), high) + (0.5 if band["high"] < high else 0))
        bottom = y(max(float(band["low"]), low) - (0.5 if band["low"] > low else 0))
        fill = BAND_FILLS[index % len(BAND_FILLS)]
        parts.append(
            f'<rect class="band" x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
            f'height="{max(bottom - top, 0):.1f}" fill="{fill}"/>'
        )
        label = band_label(band)
        parts.append(_band_text(label, LEFT + plot_w + 6, top, bottom))
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#4a5361"/>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        f'stroke="#4a5361"/>'
        f'<text x="{LEFT - 6}" y="{TOP + 4}" font-size="11" text-anchor="end" '
        f'fill="#1b1f24">{_num(high)}</text>'
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" font-size="11" text-anchor="end" '
        f'fill="#1b1f24">{_num(low)}</text>'
    )
    coords = [(x(i), y(total)) for i, (_label, total) in enumerate(points) if total is not None]
    if len(coords) > 1:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#083b6a" stroke-width="2"/>')
    for i, (label, total) in enumerate(points):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" font-size="11" text-anchor="middle" '
            f'fill="#1b1f24">{escape(label)}</text>'
        )
        if total is not None:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(total):.1f}" r="4" fill="#083b6a">'
                f"<title>{escape(label)}: {_num(total)}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def band_label(band: dict) -> str:
    return f"{band['label']} ({_num(band['low'])}–{_num(band['high'])})"


def wrap_label(label: str, room: float) -> list[str]:
    """The label's lines beside a band `room` pixels high: wrapped, never cut without "…"."""
    lines = textwrap.wrap(label, LABEL_CHARS) or [label]
    fits = max(1, int(room // LINE_HEIGHT))
    if len(lines) > fits:
        lines = lines[:fits]
        lines[-1] = textwrap.shorten(lines[-1] + " …", LABEL_CHARS, placeholder=" …")
        if not lines[-1].endswith("…"):
            lines[-1] += " …"
    return lines


def _band_text(label: str, x: float, top: float, bottom: float) -> str:
    lines = wrap_label(label, bottom - top)
    first_y = (top + bottom) / 2 + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x}" y="{first_y + i * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text font-size="11" fill="#1b1f24"><title>{escape(label)}</title>{spans}</text>'


def _range_of(points) -> tuple[float, float]:
    values = [total for _label, total in points if total is not None] or [0.0]
    return min(values), max(values)
