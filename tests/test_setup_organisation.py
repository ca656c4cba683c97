"""Day one: the organisation comes from the municipality's file (setup_organisation), not the demo.

The example file sets up an empty database; a changed file changes only what changed and says
what; the same file twice changes nothing; a wrong file is refused with its lines; a dry run saves
nothing.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from organisation.models import (
    Delegation,
    Membership,
    Role,
    Service,
    SupportKind,
    Unit,
    UnitKind,
    has_delegation,
)
from organisation.roles import roles_of
from tests.factories import CaseFactory, UserFactory

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "organisation.yaml"


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("setup_organisation", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(path: Path, *args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="Ingenting ändrades"):
        call_command("setup_organisation", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def changed_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = EXAMPLE.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "organisation.yaml"
    path.write_text(text)
    return path


def test_the_example_sets_up_an_empty_database(db):
    Service.objects.all().delete()  # the migrations' seed; the file's directory replaces it
    output = run(EXAMPLE)

    assert "Klart." in output
    assert Unit.objects.filter(active=True).count() == 5
    east = Unit.objects.get(code="team-ost")
    assert east.kind == UnitKind.TEAM and east.parent.code == "utforare"
    assert east.municipality == "Granbacka kommun"
    isolation = SupportKind.objects.get(code="bryta-isolering")
    assert {u.code for u in isolation.provider_units.all()} == {"team-ost", "team-vast"}
    assert set(Service.objects.values_list("name", flat=True)) == {
        "Träffpunkt Lyktan",
        "Boendestöd",
        "Vårdcentral",
    }
    officer = get_user_model().objects.get(username="liv.ostberg")
    assert roles_of(officer).has(Role.OFFICER)
    assert not officer.has_usable_password()
    assert has_delegation(officer, isolation, datetime.date(2025, 6, 1))
    admin = get_user_model().objects.get(username="it.granbacka")
    assert roles_of(admin).has(Role.ADMIN) and not admin.has_usable_password()
    coordinator = Membership.objects.get(user__username="nils.brandt")
    assert coordinator.caseload_ceiling == 6
    assert "manage.py changepassword it.granbacka" in output


def test_the_same_file_again_changes_nothing_and_says_so(db):
    run(EXAMPLE)
    users_before = list(get_user_model().objects.values_list("username", "password"))

    output = run(EXAMPLE)

    assert "Inget att ändra: databasen stämmer redan med filen." in output
    assert "changepassword" not in output
    assert list(get_user_model().objects.values_list("username", "password")) == users_before


def test_a_changed_file_changes_only_what_changed_and_says_what(db, tmp_path):
    run(EXAMPLE)
    east = Unit.objects.get(code="team-ost")
    changed = changed_copy(
        tmp_path,
        ("name: Team Öst – bryta isolering", "name: Team Solsidan – bryta isolering"),
        (
            "      - unit: utforare\n        role: manager\n",
            "",
        ),
        (
            "# The first administrator",
            "  - username: ida.nord\n"
            "    first_name: Ida\n"
            "    last_name: Nord\n"
            "    roles:\n"
            "      - unit: team-vast\n"
            "        role: coordinator\n\n"
            "# The first administrator",
        ),
    )

    output = run(changed)

    lines = [line.strip() for line in output.splitlines()]
    assert "Klart. 4 ändringar gjorda:" in lines
    assert (
        'enhet team-ost: namn "Team Öst – bryta isolering" → "Team Solsidan – bryta isolering"'
        in lines
    )
    assert 'användare tove.ahl: roll borttagen: Enhetschef – "Stöd i vardagen"' in lines
    assert "användare ida.nord: skapad: Ida Nord" in lines
    assert 'användare ida.nord: roll tillagd: Koordinator – "Team Väst – bryta isolering"' in lines
    assert "ida.nord har inget lösenord än" in output
    east.refresh_from_db()
    assert east.name == "Team Solsidan – bryta isolering"  # the same unit, renamed
    manager = get_user_model().objects.get(username="tove.ahl")
    assert list(Membership.objects.filter(user=manager).values_list("unit__code", flat=True)) == [
        "myndighet"
    ]
    assert "Inget att ändra" in run(changed)


def test_what_the_file_no_longer_lists_is_deactivated_when_it_has_records(db, tmp_path):
    run(EXAMPLE)
    CaseFactory(authority_unit=Unit.objects.get(code="myndighet"))
    without = changed_copy(
        tmp_path,
        ("  - code: myndighet\n", "  - code: myndighet-ny\n"),
        ("    name: Myndighetsenheten vuxen\n", "    name: Myndighet vuxna\n"),
        ("  - username: axel.storm\n", "  - username: axel.storm2\n"),
    )
    text = without.read_text().replace("unit: myndighet\n", "unit: myndighet-ny\n")
    without.write_text(text)

    output = run(without)

    old = Unit.objects.get(code="myndighet")
    assert not old.active  # it has a case: kept, deactivated
    assert "enhet myndighet: finns inte i filen men har uppgifter: inaktiverad" in output
    axel = get_user_model().objects.get(username="axel.storm")
    assert not axel.is_active and not axel.memberships.exists()
    assert "användare axel.storm: finns inte i filen: inaktiverad" in output


def test_a_removed_delegation_is_ended_not_deleted(db, tmp_path):
    future = datetime.date.today() + datetime.timedelta(days=30)
    text = EXAMPLE.read_text() + (
        f"  - username: tove.ahl\n    support_kind: boendestod\n    valid_from: {future}\n"
    )
    path = tmp_path / "organisation.yaml"
    path.write_text(text)
    run(path)
    cut = text.index("  - username: liv.ostberg\n    support_kind: boendestod")
    path.write_text(text[:cut])

    output = run(path)

    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    ended = Delegation.objects.get(user__username="liv.ostberg", support_kind__code="boendestod")
    assert ended.valid_to == yesterday  # it has been in force: a record of who might decide
    assert (
        "delegation för liv.ostberg att besluta om boendestod från 2025-01-01: finns inte i "
        f"filen: avslutad, gäller till – → {yesterday}" in output
    )
    assert not Delegation.objects.filter(user__username="tove.ahl").exists()
    assert "aldrig gällt: borttagen" in output
    assert Delegation.objects.get(support_kind__code="bryta-isolering").valid_to is None
    assert "Inget att ändra" in run(path)


def test_errors_are_listed_with_their_lines_and_nothing_is_saved(db, tmp_path):
    bad = changed_copy(
        tmp_path,
        ("    kind: team\n    parent: utforare", "    kind: tem\n    parent: utforare"),
        (
            "      - unit: lyktan\n        role: meeting_place",
            "      - unit: lyktn\n        role: meeting_place",
        ),
        ("    valid_from: 2025-01-01\n    reference", "    valid_from: 1 januari\n    reference"),
    )
    lines = bad.read_text().splitlines()

    errors = refused(bad)

    tem = lines.index("    kind: tem") + 1
    lyktn = lines.index("      - unit: lyktn") + 1
    day = lines.index("    valid_from: 1 januari") + 1
    assert f"rad {tem} (units[2].kind): tem är inte ett av: authority" in errors
    assert f"rad {lyktn} (staff[5].roles[0].unit): det finns ingen enhet med koden lyktn" in errors
    assert (
        f"rad {day} (delegation[0].valid_from): måste vara ett datum skrivet ÅÅÅÅ-MM-DD" in errors
    )
    assert not Unit.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_misspelt_key_and_broken_yaml_are_named_by_line(db, tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(
        "municipality:\n  name: Granbacka kommun\nunits:\n"
        "  - code: myndighet\n    nmae: Myndigheten\n    kind: authority\n"
        "administrator:\n  username: it\n  first_name: A\n  last_name: B\n  unit: myndighet\n"
    )
    errors = refused(path)
    assert "rad 5 (units[0].nmae): okänd nyckel nmae" in errors
    assert "rad 4 (units[0]): name saknas" in errors

    path.write_text("municipality:\n  name: [Granbacka\nunits: []\n")
    assert "rad 3: det här är inte giltig YAML" in refused(path)


def test_the_models_own_validation_applies(db, tmp_path):
    """The model's validation, as in the administration's forms, is run on every row; its
    errors name the line of the field."""
    bad = changed_copy(
        tmp_path, ("email: nils.brandt@granbacka.example", "email: nils.brandt at granbacka")
    )
    line = bad.read_text().splitlines().index("    email: nils.brandt at granbacka") + 1
    assert f"rad {line} (staff[1]): e-postadress: " in refused(bad)
    assert not get_user_model().objects.exists()


def test_a_dry_run_changes_nothing_and_prints_what_would_change(db, tmp_path):
    output = run(EXAMPLE, "--dry-run")
    assert "Provkörning, inget sparat." in output
    assert "enhet myndighet: skapad: Myndighetsenheten vuxen (Myndighetsenhet)" in output
    assert not Unit.objects.exists() and not get_user_model().objects.exists()

    run(EXAMPLE)
    renamed = changed_copy(
        tmp_path, ("name: Träffpunkt Lyktan\n    kind", "name: Lyktan\n    kind")
    )
    output = run(renamed, "--dry-run")
    assert 'enhet lyktan: namn "Träffpunkt Lyktan" → "Lyktan"' in output
    assert Unit.objects.get(code="lyktan").name == "Träffpunkt Lyktan"


def test_accounts_the_file_does_not_manage_are_left_alone(db):
    """A demo account and an account from the identity provider are not deactivated."""
    from sso.models import Identity

    sso_user = UserFactory(username="from.provider")
    Identity.objects.create(user=sso_user, issuer="https://idp.example", subject="abc")
    run(EXAMPLE)
    sso_user.refresh_from_db()
    assert sso_user.is_active


def test_the_environment_is_compared_with_the_file(db, settings):
    settings.BRYGGA_BOARD_ADDRESS = "Någon annanstans"
    output = run(EXAMPLE)
    assert 'sätt BRYGGA_BOARD_ADDRESS="Vård- och omsorgsnämnden, Granbacka kommun' in output


def test_going_live_needs_neither_the_demo_nor_a_python_shell():
    guide = (Path(settings.BASE_DIR) / "docs" / "going-live.md").read_text()
    assert "setup_organisation" in guide and "docs/examples/organisation.yaml" in guide
    assert "load_demo" not in guide and "manage.py shell" not in guide
