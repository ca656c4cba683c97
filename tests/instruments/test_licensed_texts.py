"""Published texts: each definition names its published source, ships no text it could not
check, and a form is shown to a person only in its loaded published wording."""

from __future__ import annotations

import datetime
import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from instruments import actions, definitions
from instruments.models import InstrumentText
from tests.instruments.administering import _english, demo_wording  # noqa: F401

EVERY_VERSION = [
    definitions.load(code, version)
    for code in definitions.codes()
    for version in definitions.versions(code)
]
SOURCE = "Svanborg & Åsberg, MADRS-S, tryckt formulär (testets exemplar)"


@pytest.mark.parametrize("defn", EVERY_VERSION, ids=lambda d: d.key)
def test_every_definition_names_its_published_source_version_and_licence(defn):
    published = defn.published
    for key in definitions.PUBLISHED_FIELDS:
        assert published.get(key), f"{defn.key}: published.{key} is missing"
    assert published["wording"] in definitions.WORDINGS
    checked = published.get("checked") or {}
    assert checked.get("on") and checked.get("by") and checked.get("result")


@pytest.mark.parametrize("defn", EVERY_VERSION, ids=lambda d: d.key)
def test_only_published_wording_ships_item_or_option_text(defn):
    if defn.wording == "published":
        return
    if defn.wording == "paraphrase":
        # Kept only to score and show old responses: never the newest, never administered.
        assert definitions.load(defn.code).version != defn.version
        assert defn.published["superseded_by"] in definitions.versions(defn.code)
        return
    assert not defn.intro
    for item in defn.all_items():
        assert item.text is None, item.id
        for option in item.options:
            assert option.text is None
            assert len(option.label.split()) <= definitions.SHORT_LABEL_WORDS, option.label


def test_a_not_shipped_definition_with_text_is_refused():
    data = json.loads(json.dumps(definitions.load("madrs-s").raw))
    data["items"][0]["options"][0]["label"] = "Jag kan känna mig glad eller ledsen, beroende på"
    with pytest.raises(ValueError, match="short label"):
        definitions.parse(data)


def _texts(code: str = "madrs-s") -> dict:
    """A complete set of texts for the newest version: every item, every described answer."""
    defn = definitions.load(code)
    return {
        item.id: {
            "text": f"Text för fråga {item.id}.",
            "options": {str(o.value): f"Svar {o.value}." for o in defn.described_options(item)},
        }
        for item in defn.answerable_items()
    }


def _send(coordinator, person):
    return actions.send_home_link(user=coordinator, person=person, code="madrs-s", occasion="start")


def test_a_home_link_is_refused_until_the_whole_published_text_is_loaded(
    tmp_path, coordinator, person
):
    with pytest.raises(ValidationError) as refused:
        _send(coordinator, person)
    message = refused.value.message_dict["code"][0]
    assert "cannot be shown to the person" in message and "published wording" in message
    texts = _texts()
    del texts["9"]["options"]["6"]  # one described answer short
    file = tmp_path / "texts.json"
    file.write_text(json.dumps({"code": "madrs-s", "source": SOURCE, "items": texts}))
    call_command("load_instrument_texts", str(file))
    with pytest.raises(ValidationError, match="answer 6 of question 9"):
        _send(coordinator, person)
    assert "madrs-s" not in {d.code for d in actions.home_link_definitions()}

    file.write_text(json.dumps({"code": "madrs-s", "source": SOURCE, "items": _texts()}))
    call_command("load_instrument_texts", str(file))
    link, token = _send(coordinator, person)
    assert "madrs-s" in {d.code for d in actions.home_link_definitions()}
    page = Client().get(f"/skatta/{token}/").content.decode()
    assert "Text för fråga 1." in page and "Svar 6." in page
    assert SOURCE in html.unescape(page)  # where the text comes from
    assert "Demo wording" not in page


def test_the_refusal_is_in_swedish_on_the_page(login, coordinator, person, settings):
    settings.LANGUAGE_CODE = "sv"
    client = login(coordinator)
    page = client.get(f"/skattningar/person/{person.pk}/hemlank/", HTTP_ACCEPT_LANGUAGE="sv")
    text = page.content.decode()
    assert "kan inte visas för personen" in text and "publicerade" in text


def test_a_sent_link_whose_text_was_removed_shows_no_form(coordinator, person, demo_wording):  # noqa: F811
    link, token = _send(coordinator, person)
    InstrumentText.objects.filter(code="madrs-s", item_id="3").delete()
    reply = Client().get(f"/skatta/{token}/")
    assert reply.status_code == 503
    assert "Sömn" not in reply.content.decode()


def test_the_demo_wording_is_shown_as_such(coordinator, person, demo_wording):  # noqa: F811
    wording = actions.wording_for("madrs-s")
    assert wording.complete and wording.demo
    link, token = _send(coordinator, person)
    page = Client().get(f"/skatta/{token}/").content.decode()
    assert "Demo wording – not the published form." in page


def test_the_command_loads_texts_and_the_form_shows_them(tmp_path, login, coordinator, person):
    item = definitions.load("sheehan").answerable_items()[0]
    file = tmp_path / "texts.json"
    file.write_text(
        json.dumps(
            {"code": "sheehan", "source": "Licensierat formulär", "items": {item.id: "Den text."}}
        )
    )
    call_command("load_instrument_texts", str(file))
    stored = InstrumentText.objects.get(code="sheehan", item_id=item.id)
    assert (stored.version, stored.source, stored.demo) == ("", "Licensierat formulär", False)
    assert actions.definition_for("sheehan").item(item.id).text == "Den text."
    response = actions.start_response(
        user=coordinator,
        person=person,
        code="sheehan",
        occasion="start",
        administered_on=datetime.date(2025, 3, 3),
    )
    page = login(coordinator).get(f"/skattningar/{response.pk}/svar/").content.decode()
    assert "Den text." in page
    assert "Only short labels are shown" in page  # the rest is not loaded: not for the person


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ({"code": "madrs-s", "source": SOURCE, "items": {"99": "x"}}, "unknown item ids"),
        (
            {"code": "madrs-s", "source": SOURCE, "items": {"1": {"options": {"9": "x"}}}},
            "unknown option values",
        ),
        ({"code": "madrs-s", "items": {"1": "x"}}, "source"),
    ],
)
def test_bad_texts_are_refused_and_nothing_is_stored(db, tmp_path, block, reason):
    file = tmp_path / "texts.json"
    file.write_text(json.dumps([{"code": "audit", "source": SOURCE, "items": {"1": "x"}}, block]))
    with pytest.raises(CommandError, match=reason):
        call_command("load_instrument_texts", str(file))
    assert not InstrumentText.objects.exists()


def test_the_administrator_manages_texts_in_the_admin(login, administrator, coordinator):
    assert login(administrator).get("/admin/instruments/instrumenttext/").status_code == 200
    assert login(coordinator).get("/admin/instruments/instrumenttext/").status_code == 403
