"""Server-rendered bar charts (inline SVG geometry) for the tables that ask for one.

Each chart is drawn from a table of the report after suppression: a hidden value gets no bar,
only its marker. The table itself always follows the chart as its text alternative.
"""

from __future__ import annotations

from reports.suppression import is_hidden

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
