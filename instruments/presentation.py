"""What the pages show of a stored score, and each instrument's scores over time.

Everything comes from the snapshot stored with the response: a newer definition never changes
what an old rating shows.
"""

from __future__ import annotations

from instruments import definitions, scoring
from instruments.charts import score_chart
from instruments.models import Response


def score_view(response: Response) -> dict | None:
    """The stored score snapshot, or None for a draft or an unscored (structured) instrument."""
    if not response.is_complete or not response.score:
        return None
    return response.score


def instrument_title(code: str, version: str) -> str:
    try:
        return definitions.load(code, version).title
    except (definitions.UnknownDefinition, ValueError):
        return code


def series(responses: list[Response]) -> list[dict]:
    """One entry per instrument: its complete responses in time order, chart, change."""
    by_code: dict[str, list[Response]] = {}
    for response in responses:
        by_code.setdefault(response.code, []).append(response)
    result = []
    for code, rows in by_code.items():
        rows.sort(key=lambda r: (r.administered_on, r.created_at))
        complete = [r for r in rows if r.is_complete]
        latest = rows[-1]
        entry = {
            "code": code,
            "title": instrument_title(code, latest.version),
            "responses": rows,
            "complete": complete,
            "structured": _is_structured(latest),
        }
        steps: dict = {}
        if complete and not entry["structured"]:
            entry.update(_scored(code, complete))
            steps = _steps(code, complete)
        # Each rating with its change from the previous computable one (and reliable change).
        entry["rows"] = [{"response": r, "step": steps.get(r.pk)} for r in rows]
        result.append(entry)
    result.sort(key=lambda e: str(e["title"]))
    return result


def compared_with_previous(response: Response, previous: Response | None) -> dict | None:
    """A score compared with the earlier one: the change in points and, where the definition
    records published reliability figures, the reliable change (Jacobson & Truax)."""
    if previous is None or not (response.is_complete and response.computable):
        return None
    if response.total is None or previous.total is None:
        return None
    try:
        defn = definitions.load(response.code, response.version)
    except (definitions.UnknownDefinition, ValueError):
        return None
    change = response.total - previous.total
    return {
        "previous": previous,
        "change": change,
        "shown": f"{change:+g}".replace("-", "−"),  # a sign either way, the minus sign
        "reliable_change": scoring.reliable_change(defn, previous.total, response.total),
    }


def _steps(code: str, complete: list[Response]) -> dict:
    computed = [r for r in complete if r.computable and r.total is not None]
    return {
        later.pk: compared_with_previous(later, earlier)
        for earlier, later in zip(computed, computed[1:], strict=False)
    }


def _is_structured(response: Response) -> bool:
    try:
        return definitions.load(response.code, response.version).kind == "structured"
    except (definitions.UnknownDefinition, ValueError):
        return False


def _scored(code: str, complete: list[Response]) -> dict:
    latest = complete[-1]
    snapshot = latest.score or {}
    bands = snapshot.get("bands") or []
    value_range = snapshot.get("range")
    points = [
        (f"{r.administered_on:%Y-%m-%d}", r.total if r.computable else None) for r in complete
    ]
    computed = [r for r in complete if r.computable and r.total is not None]
    change = rci = None
    if len(computed) >= 2:
        first, last = computed[0], computed[-1]
        assert first.total is not None and last.total is not None  # as `computed` keeps
        change = last.total - first.total
        defn = definitions.load(code, last.version)
        rci = scoring.reliable_change(defn, first.total, last.total)
    return {
        "chart": score_chart(points, value_range, bands),
        "bands": bands,
        "guidance_only": any(band.get("guidance_only") for band in bands),
        "change": change,
        "first_computed": computed[0] if computed else None,
        "last_computed": computed[-1] if computed else None,
        "reliable_change": rci,
    }
