"""Each role set has one home, `organisation/permissions.py`: no module spells one out again.

A set of roles written in a view and again in an action drifts apart the day one of them changes;
then a page and the API give different answers.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOMES = {Path("organisation/permissions.py"), Path("organisation/models.py")}
SKIP = {".venv", ".git", "migrations", "tests", "bench", "scripts"}


def role_names(node: ast.AST) -> list[str]:
    return [
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Role"
    ]


def spelled_out_role_sets() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP.intersection(rel.parts) or rel in HOMES:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            collection = isinstance(node, ast.Tuple | ast.List | ast.Set)
            elements = getattr(node, "elts", [])
            direct = [e for e in elements if role_names(e) and isinstance(e, ast.Attribute)]
            if collection and len(direct) >= 2:
                found.append(f"{rel}:{node.lineno} {', '.join(role_names(node))}")
    return found


def test_role_sets_are_named_once():
    found = spelled_out_role_sets()
    assert not found, (
        "use (or add) a role set in organisation/permissions.py instead of:\n" + "\n".join(found)
    )


def times_formatted_by_hand() -> list[str]:
    """f"{instant:%Y-%m-%d %H:%M}" prints the UTC hour of an aware datetime: core/timefmt.py does
    it in Swedish time. A format with an hour or minute anywhere else is a time shown by hand."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP.intersection(rel.parts) or rel == Path("core/timefmt.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            spec = (
                getattr(node, "format_spec", None) if isinstance(node, ast.FormattedValue) else None
            )
            text = ast.unparse(spec) if spec is not None else ""
            if "%H" in text or "%M" in text:
                found.append(f"{rel}:{node.lineno}")
    return found


def test_times_are_shown_through_one_helper():
    found = times_formatted_by_hand()
    assert not found, "show times with core.timefmt (Swedish time) instead of:\n" + "\n".join(found)
