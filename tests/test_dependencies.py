"""Every package our code imports is declared directly in pyproject.toml, and locked.

A package that only arrives as another package's dependency can vanish from the lock the day that
package stops needing it; then Brygga fails to start on a fresh machine.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".git", "migrations", "node_modules", "staticfiles"}
DEV_ONLY = {"tests", "bench", "scripts"}  # folders that may use the dev extra


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalise(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    main = {requirement_name(r) for r in project["dependencies"]}
    dev = {requirement_name(r) for r in project["optional-dependencies"]["dev"]}
    return main, main | dev


def local_packages() -> set[str]:
    # A script in bench/ or scripts/ runs with its own folder first on the path, so it may
    # import the scripts beside it (bench/cpu_per_action.py imports bench/load.py).
    beside = {p.stem for folder in ("bench", "scripts") for p in (ROOT / folder).glob("*.py")}
    return {p.parent.name for p in ROOT.glob("*/__init__.py")} | {"manage", "conftest"} | beside


def imported_modules() -> dict[str, set[str]]:
    """Top-level module name -> the first-level folders of the files that import it."""
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if SKIP.intersection(parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(parts[0])
    return found


def test_every_imported_package_is_declared_directly():
    main, with_dev = declared()
    providers = packages_distributions()
    ignore = set(sys.stdlib_module_names) | local_packages()
    missing = []
    for module, folders in sorted(imported_modules().items()):
        if module in ignore:
            continue
        allowed = with_dev if folders <= DEV_ONLY else main
        distributions = {normalise(d) for d in providers.get(module, [])}
        assert distributions, f"{module} is imported but no installed package provides it"
        if not distributions & allowed:
            where = "dependencies" if allowed is main else "dependencies or the dev extra"
            missing.append(f"{module} ({', '.join(sorted(distributions))}) in {where}")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_every_declared_package_is_pinned_with_hashes_in_the_lock():
    _, with_dev = declared()
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {normalise(m) for m in re.findall(r"^([A-Za-z0-9_.-]+)==\S+.*\\$", lock, re.M)}
    assert with_dev <= pinned, f"not in requirements.lock: {sorted(with_dev - pinned)}"
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2]):
        assert "--hash=sha256:" in block, block.splitlines()[0]
