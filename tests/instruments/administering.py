"""Fixtures and helpers shared by the administering tests (imported by each test module)."""

from __future__ import annotations

import datetime
import json
import shutil

import pytest
from django.utils import translation

from instruments import actions, definitions
from instruments.models import Response

REAL_DEFINITIONS = definitions.DEFINITIONS_DIR


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests name messages by their English msgids; test_translations checks the Swedish."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def demo_wording(db):
    """The demo's own wording of MADRS-S, AUDIT and DUDIT, loaded the way a municipality loads
    the published text: without loaded text no home link can be sent for them."""
    from demo.instruments import load_demo_wording

    load_demo_wording()


@pytest.fixture
def definitions_dir(tmp_path, monkeypatch):
    """A private copy of the definitions that a test may add versions and instruments to."""
    target = tmp_path / "definitions"
    shutil.copytree(REAL_DEFINITIONS, target)
    monkeypatch.setattr(definitions, "DEFINITIONS_DIR", target)
    _clear_caches()
    yield target
    _clear_caches()


def _clear_caches() -> None:
    for value in vars(definitions).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def write_definition(folder, data: dict) -> None:
    path = folder / data["code"] / f"{data['version']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def madrs_data() -> dict:
    """The newest shipped MADRS-S definition, to derive a test version from."""
    return json.loads((REAL_DEFINITIONS / "madrs-s" / "2.json").read_text(encoding="utf-8"))


def madrs_answers(item9: int = 0, rest: int = 1) -> dict:
    answers = {str(i): rest for i in range(1, 9)}
    answers["9"] = item9
    return answers


def madrs_post(answers: dict, button: str = "complete") -> dict:
    data = {f"q_{k}": str(v) for k, v in answers.items()}
    data[button] = "1"
    return data


def rated(person, user, answers: dict, *, day=datetime.date(2025, 3, 3), code="madrs-s", **kw):
    """A completed response, through the same actions the pages use."""
    response = actions.start_response(
        user=user,
        person=person,
        code=code,
        occasion=kw.get("occasion", "start"),
        administered_on=day,
    )
    return actions.save_answers(user=user, response=response, answers=answers, complete=True)


def draft(person, user, *, code="madrs-s") -> Response:
    return actions.start_response(
        user=user,
        person=person,
        code=code,
        occasion="start",
        administered_on=datetime.date(2025, 3, 3),
    )
