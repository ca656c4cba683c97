"""Licensed item texts are loaded by the administrator and shown over the short labels."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from instruments import actions, definitions
from instruments.models import InstrumentText
from tests.instruments.administering import _english  # noqa: F401


def _licensed_code() -> str:
    for defn in definitions.latest_all():
        if not defn.licence.text_included and defn.kind == "scored":
            return defn.code
    pytest.skip("no instrument is shipped without its text")


def test_the_command_loads_texts_and_the_form_shows_them(tmp_path, login, coordinator, person):
    code = _licensed_code()
    item = definitions.load(code).answerable_items()[0]
    file = tmp_path / "texts.json"
    file.write_text(json.dumps({"code": code, "items": {item.id: "Den licensierade texten."}}))
    call_command("load_instrument_texts", str(file))
    assert InstrumentText.objects.get(code=code, item_id=item.id).version == ""
    assert actions.definition_for(code).item(item.id).text == "Den licensierade texten."
    response = actions.start_response(
        user=coordinator,
        person=person,
        code=code,
        occasion="start",
        administered_on=datetime.date(2025, 3, 3),
    )
    page = login(coordinator).get(f"/skattningar/{response.pk}/svar/").content.decode()
    assert "Den licensierade texten." in page


def test_an_unknown_item_is_refused_and_nothing_is_stored(db, tmp_path):
    file = tmp_path / "texts.json"
    file.write_text(json.dumps({"code": "madrs-s", "items": {"99": "x"}}))
    with pytest.raises(CommandError, match="unknown item ids"):
        call_command("load_instrument_texts", str(file))
    assert not InstrumentText.objects.exists()


def test_the_administrator_manages_texts_in_the_admin(login, administrator, coordinator):
    assert login(administrator).get("/admin/instruments/instrumenttext/").status_code == 200
    assert login(coordinator).get("/admin/instruments/instrumenttext/").status_code == 403
