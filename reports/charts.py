"""Server-rendered charts (inline SVG): the report's bars, and the capacity forecast's lines.

Each bar chart is drawn from a table of the report after suppression: a hidden value gets no
bar, only its marker. The table itself always follows the chart as its text alternative; so does
the forecast's table follow its chart.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.suppression import is_hidden

if TYPE_CHECKING:
    from reports.capacity import KindForecast

ROW_HEIGHT = 26
LABEL_WIDTH = 230
BAR_WIDTH = 330
WIDTH = LABEL_WIDTH + BAR_WIDTH + 70


def bar_chart(tbl: dict) -> dict | None:
    """Horizontal bars of the table's first column, one per row; None when nothing to draw.

    Geometry is in whole pixels: templates localise floats ("4,5"), which SVG cannot read.
    """
    rows = tbl["rows"]
    numbers = [r["values"][0] for r in rows if isinstance(r["values"][0], int | float)]
    if not rows or not any(numbers):
        return None
    top = max(numbers)
    bars = []
    for index, row in enumerate(rows):
        value = row["values"][0]
        y = index * ROW_HEIGHT
        hidden = is_hidden(value) or value is None
        length = 0 if hidden else max(1, round(BAR_WIDTH * value / top)) if value else 0
        bars.append(
            {
                "label": row["label"],
                "value": value if value is not None else "–",
                "y": y,
                "text_y": y + round(ROW_HEIGHT * 0.65),
                "bar_y": y + 4,
                "bar_height": ROW_HEIGHT - 8,
                "length": length,
                "value_x": LABEL_WIDTH + length + 6,
            }
        )
    return {
        "id": f"chart-{tbl['key']}",
        "width": WIDTH,
        "height": len(rows) * ROW_HEIGHT,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bars": bars,
    }


# -- the capacity forecast: people in support and waiting, month by month ---------------------

F_WIDTH, F_HEIGHT = 640, 260
F_LEFT, F_RIGHT, F_TOP, F_BOTTOM = 44, 16, 16, 44
IN_SUPPORT = ("#083b6a", "#d6e6f5")  # line, likely range (well over 4.5:1 against white)
WAITING = ("#8a3b00", "#fbe0c8")


def _polyline(points: list[tuple[float, float]], colour: str, dash: str = "") -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dashed}/>'


def _area(upper: list[tuple[float, float]], lower: list[tuple[float, float]], fill: str) -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
    return f'<polygon points="{path}" fill="{fill}" opacity="0.8"/>'


def forecast_chart(item: KindForecast) -> SafeString:
    """People in support and waiting, now and at each month's end, for one kind of support.

    An image with its own title and description (role="img"); the table after it on the page
    holds every number for those who cannot see the chart.
    """
    rows = item.rows
    top = max([item.places] + [max(r["ongoing"].high, r["waiting"].high) for r in rows]) or 1
    top = math.ceil(top * 1.1)
    plot_w, plot_h = F_WIDTH - F_LEFT - F_RIGHT, F_HEIGHT - F_TOP - F_BOTTOM
    last = max(len(rows) - 1, 1)

    def x(month: int) -> float:
        return F_LEFT + month * plot_w / last

    def y(value: float) -> float:
        return F_TOP + plot_h - value / top * plot_h

    chart_id = f"forecast-chart-{item.kind.pk}"
    title = _("%(kind)s: people in support and waiting, now and for the next 12 months") % {
        "kind": item.kind.name
    }
    at_12 = rows[-1]
    desc = _(
        "In support: %(ongoing_now)s now, about %(ongoing)s in 12 months. Waiting: "
        "%(waiting_now)s now, about %(waiting)s in 12 months. Places: %(places)s. "
        "The table below has every month."
    ) % {
        "ongoing_now": item.ongoing_now,
        "ongoing": round(at_12["ongoing"].median),
        "waiting_now": item.waiting_now,
        "waiting": round(at_12["waiting"].median),
        "places": item.places,
    }
    parts = [
        f'<svg class="forecast-chart" viewBox="0 0 {F_WIDTH} {F_HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    ]
    for series, (_line, fill) in (("ongoing", IN_SUPPORT), ("waiting", WAITING)):
        upper = [(x(r["month"]), y(r[series].high)) for r in rows]
        lower = [(x(r["month"]), y(r[series].low)) for r in rows]
        parts.append(_area(upper, lower, fill))
    parts.append(
        f'<line x1="{F_LEFT}" y1="{y(item.places):.1f}" x2="{F_LEFT + plot_w}" '
        f'y2="{y(item.places):.1f}" stroke="#4a5361" stroke-dasharray="2 4"/>'
        f'<text x="{F_LEFT + plot_w - 4}" y="{y(item.places) - 5:.1f}" font-size="12" '
        f'text-anchor="end" fill="#1b1f24">'
        f"{escape(_('Places: %(n)s') % {'n': item.places})}</text>"
    )
    parts.append(_polyline([(x(r["month"]), y(r["ongoing"].median)) for r in rows], IN_SUPPORT[0]))
    parts.append(
        _polyline([(x(r["month"]), y(r["waiting"].median)) for r in rows], WAITING[0], "7 4")
    )
    parts.append(
        f'<line x1="{F_LEFT}" y1="{F_TOP}" x2="{F_LEFT}" y2="{F_TOP + plot_h}" stroke="#4a5361"/>'
        f'<line x1="{F_LEFT}" y1="{F_TOP + plot_h}" x2="{F_LEFT + plot_w}" '
        f'y2="{F_TOP + plot_h}" stroke="#4a5361"/>'
        f'<text x="{F_LEFT - 6}" y="{F_TOP + 4}" font-size="12" text-anchor="end" '
        f'fill="#1b1f24">{top}</text>'
        f'<text x="{F_LEFT - 6}" y="{F_TOP + plot_h}" font-size="12" text-anchor="end" '
        f'fill="#1b1f24">0</text>'
    )
    for r in rows:
        if r["month"] % 3:
            continue
        label = _("now") if r["now"] else str(r["month"])
        parts.append(
            f'<text x="{x(r["month"]):.1f}" y="{F_TOP + plot_h + 16}" font-size="12" '
            f'text-anchor="middle" fill="#1b1f24">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{F_LEFT + plot_w / 2:.1f}" y="{F_HEIGHT - 6}" font-size="12" '
        f'text-anchor="middle" fill="#1b1f24">{escape(_("Months from today"))}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
