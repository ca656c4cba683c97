"""The architecture as a test: imports only go down the layers, and no app imports another's pages.

The layers (docs/architecture.md), lowest first:

    base          core                      helpers every app shares; imports no app
                  submissions               a resent form is handled once; imports only core
                  jobs                      background jobs (the queue, progress, results);
                                            kinds of job are registered by the apps above
    records       organisation, audit, people, sso (who may log in, as which roles)
    journey       intake, mapping, instruments, decisions, provision, delivery, groups, documents
    read side     reports, retention
    entry points  each app's pages (views, urls, admin, management commands), api, history
                  (the import and synthetic data), demo, and brygga (the project: settings, urls)

A domain module (anything that is not an entry point) imports only its own app, apps of a lower
layer, and earlier apps of its own layer. An entry point may import any domain module, but no other
entry point: another app's pages are reached by URL, never imported. Only the project's urls
include the apps' urls.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Rank of each app: a domain module imports from a lower rank (or its own app) only.
RANK = {
    "core": 0,
    "submissions": 1,
    "jobs": 2,
    "organisation": 10,
    "audit": 11,
    "people": 12,
    "sso": 13,
    "intake": 20,
    "mapping": 21,
    "instruments": 22,
    "decisions": 23,
    "provision": 24,
    "delivery": 25,
    "groups": 26,
    "documents": 27,
    "reports": 30,
    "retention": 31,
    "history": 40,
    "api": 50,
    "demo": 50,
    "brygga": 60,
}
# Apps that are entry points as a whole.
ENTRY_APPS = {"api", "history", "demo", "brygga"}
# Modules that are entry points wherever they are.
ENTRY_MODULES = {"views", "urls", "admin", "apps", "context_processors", "middleware"}
SKIP_DIRS = {"migrations", "tests", "bench", "scripts", ".venv", ".git", "static", "templates"}


def is_entry(module: str) -> bool:
    parts = module.split(".")
    return (
        parts[0] in ENTRY_APPS
        or "management" in parts
        or parts[-1] in ENTRY_MODULES
        or parts[-1].endswith("_views")
    )


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS.intersection(rel.parts) or rel.parts[0] not in RANK:
            continue
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        yield name, path


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:  # `from people import views` imports people.views
                yield node.lineno, f"{node.module}.{alias.name}"


def import_problems() -> list[str]:
    known = {name for name, _ in modules()}
    problems = []
    for name, path in modules():
        app = name.split(".")[0]
        for line, target in imports(path):
            other = target.split(".")[0]
            if other not in RANK or other == app:
                continue
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if target in known and is_entry(target) and name != "brygga.urls":
                problems.append(f"{where}: another app's entry point (pages are reached by URL)")
            elif not is_entry(name) and RANK[other] >= RANK[app]:
                problems.append(f"{where}: upward ({app} is below {other})")
    return sorted(set(problems))


def test_imports_only_go_down_the_layers():
    problems = import_problems()
    assert not problems, "\n".join(problems)


def test_every_app_has_a_place_in_the_layers():
    apps = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert apps <= set(RANK), f"give these a layer in RANK: {sorted(apps - set(RANK))}"


def test_no_circle_between_apps():
    """Follows from the ranks for domain modules; checked on its own so a rank change can't hide
    one, with entry points counted too."""
    graph: dict[str, set[str]] = {}
    for name, path in modules():
        app = name.split(".")[0]
        if is_entry(name):
            continue
        for _, target in imports(path):
            other = target.split(".")[0]
            if other in RANK and other != app:
                graph.setdefault(app, set()).add(other)

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            pytest.fail("circle: " + " -> ".join([*stack[stack.index(node) :], node]))
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*stack, node])

    for app in sorted(graph):
        visit(app, [])


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    """The test above can fail: an upward import planted in a copy is found."""
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)  # a tiny tree with one bad import
    for app in ("people", "provision"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "people" / "access.py").write_text("from provision.models import Order\n")
    (tmp_path / "provision" / "models.py").write_text("")
    assert import_problems() == [
        "people/access.py:1 imports provision.models.Order: upward (people is below provision)",
        "people/access.py:1 imports provision.models: upward (people is below provision)",
    ]
