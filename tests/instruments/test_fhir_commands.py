"""manage.py instrument_fhir: definitions out and in as FHIR Questionnaires, responses in."""

from __future__ import annotations

import copy
import datetime
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import AccessLogEntry
from instruments import definitions
from instruments.definitions import codes, load
from instruments.fhir import to_questionnaire, to_response
from instruments.models import Channel, Response, ResponseStatus, RiskAlert
from tests.instruments.administering import (  # noqa: F401
    REAL_DEFINITIONS,
    _english,
    definitions_dir,
    madrs_answers,
    rated,
)

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command("instrument_fhir", *args, stdout=out)
    return out.getvalue()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def madrs_questionnaire() -> dict:
    return to_questionnaire(load("madrs-s", "1"))


# -- definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", codes())
def test_export_then_import_gives_an_identical_definition(code, tmp_path):
    exported = tmp_path / f"{code}.json"
    run("export", code, "--version", "1", "-o", str(exported))
    assert json.loads(exported.read_text(encoding="utf-8"))["resourceType"] == "Questionnaire"

    target = tmp_path / "definitions"
    out = run("import", str(exported), "--definitions-dir", str(target))
    written = target / code / "1.json"
    assert f"Imported {code}/1" in out
    assert files_under(target) == [written]
    shipped = json.loads((REAL_DEFINITIONS / code / "1.json").read_text(encoding="utf-8"))
    imported = json.loads(written.read_text(encoding="utf-8"))
    assert imported == shipped  # the same data, key for key
    assert list(imported) == list(shipped)  # in the shipped files' key order
    back = definitions.parse(imported)
    assert back == load(code, "1") and back.scoring == load(code, "1").scoring


def test_export_without_a_file_writes_the_questionnaire_to_stdout():
    data = json.loads(run("export", "audit"))
    assert data == to_questionnaire(load("audit"))


def test_export_of_an_unknown_instrument_or_version_gives_a_reason(tmp_path):
    with pytest.raises(CommandError, match="Unknown instrument 'nope'"):
        run("export", "nope")
    with pytest.raises(CommandError, match="madrs-s has no version '9'"):
        run("export", "madrs-s", "--version", "9", "-o", str(tmp_path / "q.json"))
    assert files_under(tmp_path) == []


def test_import_refuses_an_existing_version_and_leaves_it_unchanged(tmp_path):
    target = tmp_path / "definitions"
    existing = target / "madrs-s" / "1.json"
    existing.parent.mkdir(parents=True)
    existing.write_text("the old version, untouched", encoding="utf-8")
    changed = madrs_questionnaire()
    changed["title"] = "MADRS-S, changed"
    with pytest.raises(CommandError, match="madrs-s/1 already exists .* versions are immutable"):
        run(
            "import",
            str(write_json(tmp_path / "q.json", changed)),
            "--definitions-dir",
            str(target),
        )
    assert existing.read_text(encoding="utf-8") == "the old version, untouched"
    assert files_under(target) == [existing]


def test_import_into_the_apps_folder_refuses_the_shipped_version(tmp_path):
    path = REAL_DEFINITIONS / "madrs-s" / "1.json"
    before = path.read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        # No --definitions-dir: the app's own folder.
        run("import", str(write_json(tmp_path / "q.json", madrs_questionnaire())))
    assert path.read_bytes() == before


def _without_extension(q: dict) -> dict:
    q = copy.deepcopy(q)
    del q["extension"]
    return q


def _with(q: dict, **changes) -> dict:
    q = copy.deepcopy(q)
    q.update(changes)
    return q


def _bad_option_score(q: dict) -> dict:
    q = copy.deepcopy(q)
    q["item"][0]["answerOption"][6]["extension"][0]["valueDecimal"] = 60
    return q


def _text_not_licensed(q: dict) -> dict:
    q = copy.deepcopy(q)
    meta = json.loads(q["extension"][0]["valueString"])
    meta["licence"]["text_included"] = False
    q["extension"][0]["valueString"] = json.dumps(meta)
    return q


def _unknown_item_in_total(q: dict) -> dict:
    q = copy.deepcopy(q)
    meta = json.loads(q["extension"][0]["valueString"])
    meta["scoring"]["total"]["items"].append("99")
    q["extension"][0]["valueString"] = json.dumps(meta)
    return q


def _meta(q: dict, meta) -> dict:
    q = copy.deepcopy(q)
    q["extension"][0]["valueString"] = json.dumps(meta)
    return q


MALFORMED = {
    "not-json": ("{not json", "not valid JSON"),
    "a-list": ([], "not a FHIR Questionnaire"),
    "a-response": ({"resourceType": "QuestionnaireResponse"}, "not a FHIR Questionnaire"),
    "no-status": (
        {"resourceType": "Questionnaire", "url": "urn:brygga:instrument:x"},
        "status",
    ),
    "invalid-fhir": ({"resourceType": "Questionnaire", "status": "active", "item": 3}, "item"),
    "no-brygga-extension": (
        _without_extension(madrs_questionnaire()),
        "instrument-definition extension is missing",
    ),
    "extension-null": (_meta(madrs_questionnaire(), None), "extension or an item is malformed"),
    "extension-a-list": (_meta(madrs_questionnaire(), [1, 2]), "extension or an item is malformed"),
    "scoring-a-string": (
        _meta(
            madrs_questionnaire(),
            {**json.loads(madrs_questionnaire()["extension"][0]["valueString"]), "scoring": "sum"},
        ),
        "malformed",
    ),
    "not-brygga-url": (
        _with(madrs_questionnaire(), url="http://example.org/q"),
        "no Brygga url",
    ),
    "version-is-a-path": (_with(madrs_questionnaire(), version="../../2"), "version '../../2'"),
    "code-is-a-path": (
        _with(madrs_questionnaire(), url="urn:brygga:instrument:../x"),
        "code '../x'",
    ),
    "total-range-wrong": (
        _with(_bad_option_score(madrs_questionnaire()), version="2"),
        "scoring.total says 0-54, the option scores give 0-108",
    ),
    "text-not-licensed": (
        _with(_text_not_licensed(madrs_questionnaire()), version="2"),
        "licence does not include the text",
    ),
    "unknown-item-in-total": (
        _with(_unknown_item_in_total(madrs_questionnaire()), version="2"),
        r"scoring names unknown items \['99'\]",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
def test_a_malformed_file_gives_a_reason_and_writes_nothing(case, dry_run, tmp_path):
    content, reason = MALFORMED[case]
    source = tmp_path / "q.json"
    source.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    target = tmp_path / "definitions"
    with pytest.raises(CommandError, match=reason):
        run("import", str(source), "--definitions-dir", str(target), *(["--dry-run"] * dry_run))
    assert files_under(tmp_path) == [source]  # nothing in the folder, nothing beside it


def test_a_refusal_exits_non_zero_with_the_reason_on_stderr(tmp_path):
    target = tmp_path / "definitions"
    source = write_json(tmp_path / "q.json", _without_extension(madrs_questionnaire()))
    done = subprocess.run(  # noqa: S603 - a fixed program and our own files
        [sys.executable, "manage.py", "instrument_fhir", "import", str(source)]
        + ["--definitions-dir", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "instrument-definition extension is missing" in done.stderr
    assert files_under(target) == []


def test_dry_run_validates_and_writes_nothing(tmp_path):
    source = write_json(tmp_path / "q.json", _with(madrs_questionnaire(), version="2"))
    target = tmp_path / "definitions"
    out = run("import", str(source), "--dry-run", "--definitions-dir", str(target))
    assert "madrs-s/2 is valid" in out and "nothing written" in out
    assert files_under(target) == []


def test_an_imported_version_is_the_newest_and_old_responses_keep_their_version(
    definitions_dir,  # noqa: F811
    coordinator,
    person,
    tmp_path,
):
    old = rated(person, coordinator, madrs_answers(item9=1))
    newer = _with(madrs_questionnaire(), version="3", title="MADRS-S, version 3")
    run(
        "import", str(write_json(tmp_path / "q.json", newer))
    )  # into the (private copy of the) app's folder
    assert (definitions_dir / "madrs-s" / "3.json").exists()
    assert load("madrs-s").key == "madrs-s/3"
    assert load("madrs-s").title == "MADRS-S, version 3"
    old.refresh_from_db()
    assert old.version == "2" and old.total == 9


# -- responses ---------------------------------------------------------------------------------


def _import_response(path: Path, person, user, *extra: str) -> str:
    return run(
        "import-response", str(path), "--person", str(person.pk), "--user", user.username, *extra
    )


def test_a_response_exported_by_the_page_imports_as_an_equal_completed_response(
    login, coordinator, person, tmp_path
):
    answers = {"1": 1, "2": 2, "3": 3, "4": 0, "5": 1, "6": 2, "7": 3, "8": 0, "9": 2}
    original = rated(person, coordinator, answers, day=datetime.date(2025, 3, 3))
    reply = login(coordinator).get(f"/skattningar/{original.pk}/fhir/")
    assert reply.status_code == 200
    exported = tmp_path / "response.json"
    exported.write_bytes(reply.content)
    logged_before = set(AccessLogEntry.objects.values_list("pk", flat=True))

    out = _import_response(exported, person, coordinator, "--occasion", "follow_up")

    imported = Response.objects.exclude(pk=original.pk).get()
    assert f"response {imported.pk}" in out and "madrs-s/2" in out
    assert "Elin" not in out and str(person.pk) not in out  # nothing about the person
    assert imported.status == ResponseStatus.COMPLETE and imported.completed_at
    assert (imported.code, imported.version, imported.channel, imported.occasion) == (
        "madrs-s",
        "2",
        Channel.STAFF,
        "follow_up",
    )
    assert imported.answers == original.answers == answers
    assert (imported.total, imported.computable, imported.band_code) == (14, True, "mild")
    assert imported.score == original.score
    assert imported.created_by == coordinator and imported.person == person
    # The page exports the day the answers were given as `authored`: the date comes back.
    assert imported.administered_on == original.administered_on
    assert not RiskAlert.objects.exists()

    new_entries = AccessLogEntry.objects.exclude(pk__in=logged_before)
    assert {(e.action, e.record_type, e.record_id, e.username) for e in new_entries} == {
        ("create", "instrument_response", str(imported.pk), "coord"),
        ("update", "instrument_response", str(imported.pk), "coord"),
    }
    assert all(e.person_id == person.pk for e in new_entries)


def test_a_madrs_s_response_with_item_9_at_4_raises_a_risk_alert_on_import(
    coordinator, person, tmp_path
):
    data = to_response(load("madrs-s", "1"), madrs_answers(item9=4))
    path = write_json(tmp_path / "response.json", data)
    out = _import_response(path, person, coordinator, "--date", "2025-04-01")
    response = Response.objects.get()
    assert response.administered_on == datetime.date(2025, 4, 1)
    alert = RiskAlert.objects.get()
    assert (alert.response, alert.person, alert.item_id, alert.resolved_at) == (
        response,
        person,
        "9",
        None,
    )
    assert "1 risk alert(s) raised" in out


def test_a_response_is_scored_with_the_version_it_names_not_the_newest(
    definitions_dir,  # noqa: F811
    coordinator,
    person,
    tmp_path,
):
    run("import", str(write_json(tmp_path / "q.json", _with(madrs_questionnaire(), version="3"))))
    assert load("madrs-s").version == "3"
    path = write_json(tmp_path / "r.json", to_response(load("madrs-s", "1"), madrs_answers()))
    _import_response(path, person, coordinator)
    response = Response.objects.get()
    assert response.version == "1" and response.score["definition"] == "madrs-s/1"


def _response(**changes) -> dict:
    data = to_response(load("madrs-s", "1"), madrs_answers(item9=5))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("{broken", "not valid JSON"),
        (load("madrs-s", "1").raw, "not a FHIR QuestionnaireResponse"),
        (_response(questionnaire="http://example.org/q"), "is not a Brygga instrument"),
        (_response(questionnaire="urn:brygga:instrument:madrs-s"), "names no version"),
        (_response(questionnaire="urn:brygga:instrument:madrs-s|7"), "no definition madrs-s/7"),
        (_response(status="in-progress"), "only completed responses"),
        (_response(status="done"), "invalid FHIR QuestionnaireResponse at status"),
        (
            _response(subject={"reference": "urn:uuid:00000000-0000-0000-0000-000000000001"}),
            "its subject is another person",
        ),  # fmt: skip
        (_response(authored="sometime"), "invalid FHIR QuestionnaireResponse at authored"),
        (
            _response(item=[{"linkId": "9", "answer": [{"valueCoding": {"code": "8"}}]}]),
            "'8' is not one of its answers",
        ),
        (_response(item=[{"linkId": "99", "answer": [{"valueInteger": 1}]}]), "unknown question"),
        (
            _response(item=_response()["item"][:8]),  # MADRS-S item 9 (suicidal thoughts) left out
            r"'completed' but required items are not answered: '9' \(Livslust",
        ),
    ],
    ids=[
        "not-json",
        "a-definition",
        "other-questionnaire",
        "no-version",
        "unknown-version",
        "in-progress",
        "bad-status",
        "other-subject",
        "bad-authored",
        "bad-code",
        "unknown-item",
        "completed-without-item-9",
    ],
)
def test_a_bad_response_gives_a_reason_and_stores_nothing(
    data, reason, coordinator, person, tmp_path
):
    path = tmp_path / "r.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    logged_before = AccessLogEntry.objects.count()
    with pytest.raises(CommandError, match=reason):
        _import_response(path, person, coordinator)
    assert not Response.objects.exists() and not RiskAlert.objects.exists()
    assert AccessLogEntry.objects.count() == logged_before


def test_the_person_and_the_user_are_checked_and_nothing_is_stored(
    coordinator, colleague, person, tmp_path
):
    path = write_json(tmp_path / "r.json", _response())
    with pytest.raises(CommandError, match="No person with that id"):
        run("import-response", str(path), "--person", "00000000-0000-0000-0000-000000000001",
            "--user", coordinator.username)  # fmt: skip
    with pytest.raises(CommandError, match="must be a person's id"):
        run("import-response", str(path), "--person", "Elin", "--user", coordinator.username)
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        run("import-response", str(path), "--person", str(person.pk), "--user", "nobody")
    # A coordinator of another team may not enter ratings for this person.
    with pytest.raises(CommandError, match="may not enter ratings for this person"):
        _import_response(path, person, colleague)
    assert not Response.objects.exists() and not RiskAlert.objects.exists()
    # The same file with the matching subject goes in.
    subject = {"reference": f"urn:uuid:{person.pk}"}
    _import_response(
        write_json(tmp_path / "s.json", _response(subject=subject)), person, coordinator
    )
    assert Response.objects.get().is_complete
