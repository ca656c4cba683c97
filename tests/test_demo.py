"""The fictional demo data: safe numbers, the cases the demo needs, and idempotent loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from demo.data import DEMO_PASSWORD, USERS, load_demo
from organisation.models import Membership, Role, StaffFlag, UnitKind
from people.identity import parse_identity_number
from people.models import Case, CaseStatus, Contact, Person


def project_apps() -> set[str]:
    """Brygga's own apps, whose tables the demo may fill; the access log is left out."""
    root = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
        and "site-packages" not in config.path
        and config.label != "audit"
    }


def row_counts() -> dict[str, int]:
    counts = {"users": get_user_model().objects.count()}
    labels = project_apps()
    for model in apps.get_models():
        if model._meta.app_label in labels:
            counts[model._meta.label] = model._base_manager.count()
    return counts


@pytest.fixture
def demo(db):
    load_demo()


def test_loading_the_demo_twice_creates_nothing_new(demo):
    first = row_counts()
    assert first["users"] == len(USERS)
    assert first["people.Person"] > 0 and first["people.Contact"] > 0
    load_demo()
    assert row_counts() == first


def test_the_command_loads_the_demo_and_can_run_again(db, capsys):
    call_command("load_demo")
    people = Person.objects.count()
    call_command("load_demo")
    assert Person.objects.count() == people
    assert "Demo data ready" in capsys.readouterr().out


@override_settings(PRODUCTION=True, DEMO=False)
def test_the_command_refuses_in_production(db):
    with pytest.raises(CommandError, match="never in production"):
        call_command("load_demo")
    assert not Person.objects.exists()


@override_settings(DEMO=False)
def test_the_command_refuses_outside_demo_mode(db):
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_every_personal_number_is_a_valid_test_number(demo):
    numbers = list(
        Person.objects.exclude(personal_number=None).values_list("personal_number", flat=True)
    )
    assert len(numbers) >= 15
    for number in numbers:
        # Birth numbers 980–999: Skatteverket's series for test numbers, nobody real.
        assert 980 <= int(number[8:11]) <= 999, number
        assert parse_identity_number(number).digits == number


def test_the_demo_has_the_people_a_demonstration_needs(demo):
    assert Person.objects.filter(protected_identity=True).exists()
    reserve = Person.objects.filter(personal_number=None)
    assert reserve.exists()
    assert all(p.reserve_number and p.number_kind == "reserve" for p in reserve)
    assert Case.objects.filter(status=CaseStatus.OPEN).exists()
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    assert closed.exists()
    assert all(case.closed_on for case in closed)
    assert Contact.objects.exists()


def test_the_demo_has_three_coordinators_in_two_teams(demo):
    coordinators = Membership.objects.filter(role=Role.COORDINATOR).select_related("unit")
    assert coordinators.values("user").distinct().count() == 3
    teams = {membership.unit for membership in coordinators}
    assert len(teams) == 2
    assert {team.kind for team in teams} == {UnitKind.TEAM}


def test_every_demo_account_is_flagged_and_has_the_demo_password(demo):
    users = get_user_model().objects.all()
    assert set(StaffFlag.objects.filter(is_demo=True).values_list("user", flat=True)) == {
        user.pk for user in users
    }
    assert all(user.check_password(DEMO_PASSWORD) for user in users)


def test_the_demo_roles_cover_every_role(demo):
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_the_login_page_lists_every_demo_user_in_demo_mode(client, settings):
    settings.DEMO = True
    content = client.get("/accounts/login/").content.decode()
    for username, *_ in USERS:
        assert username in content
    settings.DEMO = False
    assert "coordinator2" not in client.get("/accounts/login/").content.decode()


def test_demo_history_opens_no_extra_case_for_people_whose_case_is_closed(db):
    from demo.data import load_demo
    from people.models import Case

    load_demo()
    for person_cases in (
        Case.objects.filter(person__last_name=last) for last in ("Skenbar", "Påhitt", "Uppdiktad")
    ):
        assert person_cases.count() == 1
        assert person_cases.get().status == "closed"


def journey_dates(person) -> list[tuple[str, object]]:
    """The person's steps in the order the journey takes them, each with its date."""
    from decisions.models import Application, Decision
    from intake.models import AssessmentTalk, Intake
    from mapping.models import Mapping
    from provision.models import Closure, Order

    steps = []
    intakes = Intake.objects.filter(person=person)
    steps += [("intake", min(i.received_on for i in intakes))] if intakes else []
    talks = AssessmentTalk.objects.filter(person=person)
    steps += [("talk", min(t.held_on for t in talks))] if talks else []
    for mapping in Mapping.objects.filter(person=person):
        steps += [("mapping started", mapping.started_on)]
        steps += [("mapping ended", mapping.ended_on)] if mapping.ended_on else []
    applications = Application.objects.filter(person=person)
    steps += [("applied", min(a.applied_on for a in applications))] if applications else []
    decisions = Decision.objects.filter(application__person=person)
    steps += [("decided", min(d.decided_on for d in decisions))] if decisions else []
    orders = Order.objects.filter(person=person, accepted_on__isnull=False)
    steps += [("started", min(o.accepted_on for o in orders))] if orders else []
    steps += [("closed", c.closed_on) for c in Closure.objects.filter(person=person)]
    return steps


def test_every_demo_story_happens_in_the_order_of_the_journey(demo):
    """Intake, talk, mapping, application, decision, start and closure follow each other in
    time, and each case opens with its first step, so durations in the statistics are real."""
    import datetime

    today = datetime.date.today()
    for person in Person.objects.all():
        steps = journey_dates(person)
        dates = [day for _, day in steps]
        assert dates == sorted(dates), (person.first_name, steps)
        assert all(day <= today for day in dates), (person.first_name, steps)
        for case in person.cases.all():
            if steps:
                assert case.opened_on == steps[0][1], (person.first_name, case.opened_on, steps)
            if case.status == CaseStatus.CLOSED:
                assert case.closed_on == max(dates), (person.first_name, case.closed_on, steps)


def test_everyone_in_support_or_closed_after_support_has_a_granted_decision(demo):
    from decisions.models import Decision
    from provision.models import Order

    with_coordinator = Person.objects.filter(cases__staff_links__role="coordinator").distinct()
    for person in with_coordinator:
        granted = Decision.objects.filter(
            application__person=person, outcome__in=["grant", "partial"]
        )
        assert granted.exists(), person.first_name
        assert Order.objects.filter(person=person, accepted_on__isnull=False).exists(), (
            person.first_name
        )
