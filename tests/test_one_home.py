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
