"""Follow-ups due found by the copies of their case's units (provision.0012): the same rows as the
case itself gives, kept right when a case moves, and for rows inserted in bulk."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from core.sections import first_rows
from decisions.sections import _in_my_cases
from organisation.models import Role
from people import access
from people.models import Case, CaseStaffRole
from provision import sections
from provision.models import Closure, FollowUp, FollowUpStatus
from provision.sections import FOLLOW_UPS, follow_ups_due
from tests.factories import CaseFactory, CaseStaffFactory, PersonFactory, UserFactory

TODAY = datetime.date(2026, 6, 1)


def _computed_way(user, today):
    """The list as it was read before the copies: each follow-up's case through its closure."""
    pending = FollowUp.objects.filter(status=FollowUpStatus.PENDING, due_on__lte=today)
    return _in_my_cases(pending, user, "closure__person").order_by("due_on", "id")


def _listed(user, today=TODAY):
    return list(follow_ups_due(user, today).order_by("due_on", "id"))


def _closure(case: Case, closed_by) -> Closure:
    """An unsaved closure of the case, 200 days ago, its goals reached, with consent to follow
    up."""
    return Closure(
        case=case,
        person=case.person,
        closed_on=TODAY - datetime.timedelta(days=200),
        reason="goals_reached",
        occupation="studies",
        isolation="partly",
        follow_up_consent=True,
        closed_by=closed_by,
    )


def _closed_case(authority, team, *, protected=False, named=None, days_ago=30, status="pending"):
    person = PersonFactory(protected_identity=protected)
    case = CaseFactory(person=person, authority_unit=authority, provider_unit=team)
    if named is not None:
        CaseStaffFactory(case=case, user=named, role=CaseStaffRole.COORDINATOR)
    closure = _closure(case, UserFactory())
    closure.save()
    due = TODAY - datetime.timedelta(days=days_ago)
    FollowUp.objects.create(closure=closure, person=person, months=6, due_on=due, status=status)
    FollowUp.objects.create(
        closure=closure, person=person, months=12, due_on=due + datetime.timedelta(days=180)
    )
    return case


def _copies_match() -> bool:
    """Every follow-up holds its closure's case and that case's units."""
    return (
        not FollowUp.objects.exclude(
            case_id=F("closure__case_id"),
            authority_unit_id=F("closure__case__authority_unit_id"),
            provider_unit_id=F("closure__case__provider_unit_id"),
        )
        .exclude(
            # `exclude` of a null equal to a null: a case without a provider team yet.
            case_id=F("closure__case_id"),
            authority_unit_id=F("closure__case__authority_unit_id"),
            provider_unit__isnull=True,
            closure__case__provider_unit__isnull=True,
        )
        .exists()
    )


@pytest.fixture
def team_manager(org):
    return UserFactory(username="north-boss", roles=[(org["north"], Role.MANAGER)])


@pytest.fixture
def world(org, coordinator, colleague):
    """Follow-ups of every kind of case the list must tell apart."""
    north, south, authority = org["north"], org["south"], org["authority"]
    return {
        "north": _closed_case(authority, north),
        "south": _closed_case(authority, south, days_ago=5),
        "no team": _closed_case(authority, None, days_ago=60),
        "other authority": _closed_case(org["other_authority"], north, days_ago=10),
        "protected, coordinator named": _closed_case(
            authority, north, protected=True, named=coordinator
        ),
        "protected, no one named": _closed_case(authority, south, protected=True),
        "named only": _closed_case(org["other_authority"], None, named=colleague, days_ago=20),
        "done": _closed_case(authority, north, status=FollowUpStatus.DONE),
        "not yet due": _closed_case(authority, north, days_ago=-3),
    }


@pytest.mark.parametrize("named_many", [access.NAMED_MANY, 0])
def test_each_user_is_listed_the_same_follow_ups_as_their_cases_give(
    named_many,
    monkeypatch,
    world,
    coordinator,
    colleague,
    officer,
    outsider_officer,
    manager,
    team_manager,
    analyst,
):
    # 0: everyone's named cases tested per row, as for someone named on over 1,000.
    monkeypatch.setattr(access, "NAMED_MANY", named_many)
    assert _copies_match()
    for user in (
        coordinator,
        colleague,
        officer,
        outsider_officer,
        manager,
        team_manager,
        analyst,
    ):
        assert _listed(user) == list(_computed_way(user, TODAY)), user.username
    # What each sees, told apart: the team's own, the named one, never another's protected.
    assert {f.closure.case for f in _listed(coordinator)} == {
        world["north"],
        world["other authority"],
        world["protected, coordinator named"],
    }
    assert {f.closure.case for f in _listed(colleague)} == {world["south"], world["named only"]}
    assert world["protected, no one named"] not in {f.closure.case for f in _listed(manager)}
    assert len(_listed(manager)) == 4  # north, south, no team, other authority (north)


@pytest.mark.parametrize("many_due", [sections.MANY_DUE, 0])
def test_the_list_shows_the_same_rows_in_date_order_whichever_way_it_is_read(
    many_due, monkeypatch, world, coordinator, colleague, officer, manager, team_manager
):
    # 0: every user's follow-ups taken as many (walked by date); else as few (sorted).
    monkeypatch.setattr(sections, "MANY_DUE", many_due)
    for user in (coordinator, colleague, officer, manager, team_manager):
        shown = [f.pk for f in first_rows(FOLLOW_UPS, user, TODAY)]
        assert shown, user.username
        assert shown == [f.pk for f in _computed_way(user, TODAY)][: len(shown)], user.username


def test_a_case_moved_to_another_team_takes_its_follow_ups_along(
    world, org, coordinator, colleague, team_manager
):
    case = world["north"]
    case.provider_unit = org["south"]
    case.save(update_fields=["provider_unit"])
    assert _copies_match()
    assert case not in {f.closure.case for f in _listed(coordinator)}
    assert case not in {f.closure.case for f in _listed(team_manager)}
    assert case in {f.closure.case for f in _listed(colleague)}
    assert _listed(colleague) == list(_computed_way(colleague, TODAY))


def test_a_case_moved_in_bulk_to_another_authority_takes_its_follow_ups_along(
    world, org, officer, outsider_officer
):
    moved = Case.objects.filter(pk__in=[world["north"].pk, world["south"].pk])
    moved.update(authority_unit=org["other_authority"])
    assert _copies_match()
    for user in (officer, outsider_officer):
        assert _listed(user) == list(_computed_way(user, TODAY))
    assert world["north"] in {f.closure.case for f in _listed(outsider_officer)}
    assert world["north"] not in {f.closure.case for f in _listed(officer)}


def test_a_follow_up_read_before_its_case_moved_and_saved_after_keeps_the_new_team(
    world, org, colleague
):
    case = world["north"]
    follow_up = FollowUp.objects.get(closure__case=case, months=6)
    Case.objects.filter(pk=case.pk).update(provider_unit=org["south"])
    follow_up.comment = "Ringde."
    follow_up.save()  # its copy of the old team is written back, and corrected
    follow_up.refresh_from_db()
    assert follow_up.provider_unit_id == org["south"].pk
    assert follow_up in _listed(colleague)


def test_follow_ups_inserted_in_bulk_are_listed(world, org, coordinator):
    person = PersonFactory()
    case = CaseFactory(person=person, authority_unit=org["authority"], provider_unit=org["north"])
    with transaction.atomic():
        # The follow-up first, its closure after, as the keys checked at commit allow.
        closure = _closure(case, coordinator)
        FollowUp.objects.bulk_create(
            [FollowUp(closure=closure, person=person, months=6, due_on=TODAY)]
        )
        Closure.objects.bulk_create([closure])
    assert _copies_match()
    assert case in {f.closure.case for f in _listed(coordinator)}
    assert _listed(coordinator) == list(_computed_way(coordinator, TODAY))


def test_generated_follow_ups_hold_their_cases_units(db):
    # On PostgreSQL the generator turns the triggers off and writes the copies itself.
    call_command("generate_synthetic", "--people", "80", "--seed", "3", stdout=io.StringIO())
    assert FollowUp.objects.filter(case__isnull=False).exists()
    assert _copies_match()


def test_closures_inserted_in_bulk_after_their_follow_ups_give_each_its_case(org, coordinator):
    """Follow-ups first, their closures after in one statement: each follow-up takes its own
    closure's case and that case's units (one statement-level trigger on PostgreSQL,
    provision.0016)."""
    closures, follow_ups = [], []
    for authority, team in (
        (org["authority"], org["north"]),
        (org["authority"], org["south"]),
        (org["other_authority"], None),
    ):
        person = PersonFactory()
        case = CaseFactory(person=person, authority_unit=authority, provider_unit=team)
        closure = _closure(case, coordinator)
        closures.append(closure)
        follow_ups += [
            FollowUp(closure=closure, person=person, months=months, due_on=TODAY)
            for months in (6, 12)
        ]
    with transaction.atomic():
        FollowUp.objects.bulk_create(follow_ups)
        Closure.objects.bulk_create(closures)
    stored = FollowUp.objects.filter(pk__in=[f.pk for f in follow_ups])
    assert {(f.closure_id, f.case_id, f.authority_unit_id, f.provider_unit_id) for f in stored} == {
        (c.pk, c.case_id, c.case.authority_unit_id, c.case.provider_unit_id) for c in closures
    }
    assert stored.count() == 6
    assert _copies_match()
