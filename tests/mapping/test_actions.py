"""The rules of a mapping, tried on the actions themselves (the views call the same functions)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import AccessLogEntry, Action
from mapping import actions
from mapping.models import Extent, InterruptedBy, Mapping, MappingStatus, Need
from people.models import CaseStatus
from tests.factories import CaseFactory, MappingFactory, PersonFactory

DAY = datetime.date(2025, 3, 10)


def add_session(mapping, user, staff, day=DAY):
    return actions.add_session(user=user, mapping=mapping, held_on=day, staff=staff, notes="")


def test_a_session_led_by_one_staff_member_is_refused(mapping, coordinator):
    with pytest.raises(ValidationError) as refused:
        add_session(mapping, coordinator, [coordinator])

    assert "staff" in refused.value.message_dict
    assert not mapping.sessions.exists()


def test_naming_the_same_staff_member_twice_does_not_make_two(mapping, coordinator):
    with pytest.raises(ValidationError):
        add_session(mapping, coordinator, [coordinator, coordinator])


def test_a_session_led_by_two_staff_is_recorded_and_logged(mapping, coordinator, teammate):
    session = add_session(mapping, coordinator, [coordinator, teammate])

    assert set(session.staff.all()) == {coordinator, teammate}
    assert AccessLogEntry.objects.filter(
        action=Action.CREATE, record_type="mapping_session", record_id=str(session.pk)
    ).exists()


def test_a_mapping_has_at_most_five_sessions(mapping, coordinator, teammate):
    for day in range(5):
        add_session(mapping, coordinator, [coordinator, teammate], DAY + datetime.timedelta(day))

    with pytest.raises(ValidationError, match="at most 5 sessions"):
        add_session(mapping, coordinator, [coordinator, teammate])
    assert mapping.sessions.count() == 5


def test_needs_are_saved_once_per_life_area_on_the_icf_scale(mapping, coordinator, life_areas):
    home = life_areas[0]
    actions.save_need(
        user=coordinator, mapping=mapping, life_area=home, extent=Extent.SEVERE, description="a"
    )
    actions.save_need(
        user=coordinator, mapping=mapping, life_area=home, extent=Extent.MODERATE, description="b"
    )

    need = Need.objects.get(mapping=mapping)
    assert (need.life_area, need.extent, need.description) == (home, 2, "b")
    logged = AccessLogEntry.objects.filter(record_type="need", record_id=str(need.pk))
    assert sorted(logged.values_list("action", flat=True)) == [Action.CREATE, Action.UPDATE]


@pytest.mark.parametrize("extent", [5, 6, 7, 10, -1])
def test_an_extent_outside_the_icf_scale_is_refused(mapping, coordinator, life_areas, extent):
    with pytest.raises(ValidationError) as refused:
        actions.save_need(
            user=coordinator,
            mapping=mapping,
            life_area=life_areas[0],
            extent=extent,
            description="",
        )

    assert "extent" in refused.value.message_dict
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("who", "why", "fields"),
    [
        ("", "Vill inte fortsätta.", {"interrupted_by"}),
        ("someone", "Vill inte fortsätta.", {"interrupted_by"}),
        (InterruptedBy.PERSON, "   ", {"interruption_reason"}),
        ("", "", {"interrupted_by", "interruption_reason"}),
    ],
)
def test_an_interruption_says_who_chose_and_why(mapping, coordinator, who, why, fields):
    with pytest.raises(ValidationError) as refused:
        actions.interrupt_mapping(user=coordinator, mapping=mapping, interrupted_by=who, reason=why)

    assert set(refused.value.message_dict) == fields
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.ONGOING


def test_an_interrupted_mapping_records_who_why_and_when(mapping, coordinator):
    actions.interrupt_mapping(
        user=coordinator, mapping=mapping, interrupted_by=InterruptedBy.BOTH, reason=" Flyttar. "
    )

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.INTERRUPTED
    assert (mapping.interrupted_by, mapping.interruption_reason) == ("both", "Flyttar.")
    assert mapping.ended_on is not None


@pytest.mark.parametrize(
    ("account", "recommendation", "fields"),
    [
        ("", "Ansök om stöd.", {"needs_account"}),
        ("Behov av stöd i hemliv.", " ", {"recommendation"}),
        ("", "", {"needs_account", "recommendation"}),
    ],
)
def test_completion_needs_an_account_of_needs_and_a_recommendation(
    mapping, coordinator, teammate, account, recommendation, fields
):
    add_session(mapping, coordinator, [coordinator, teammate])

    with pytest.raises(ValidationError) as refused:
        actions.complete_mapping(
            user=coordinator, mapping=mapping, needs_account=account, recommendation=recommendation
        )

    assert set(refused.value.message_dict) == fields
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.ONGOING


def test_completion_needs_at_least_one_session(mapping, coordinator):
    with pytest.raises(ValidationError, match="at least one mapping session"):
        actions.complete_mapping(
            user=coordinator, mapping=mapping, needs_account="a", recommendation="b"
        )


def test_an_ended_mapping_cannot_be_changed(mapping, coordinator, teammate, life_areas):
    add_session(mapping, coordinator, [coordinator, teammate])
    actions.complete_mapping(
        user=coordinator, mapping=mapping, needs_account="Behov.", recommendation="Ansök."
    )

    attempts = [
        lambda: add_session(mapping, coordinator, [coordinator, teammate]),
        lambda: actions.save_need(
            user=coordinator, mapping=mapping, life_area=life_areas[0], extent=1, description=""
        ),
        lambda: actions.interrupt_mapping(
            user=coordinator, mapping=mapping, interrupted_by="person", reason="x"
        ),
        lambda: actions.complete_mapping(
            user=coordinator, mapping=mapping, needs_account="x", recommendation="y"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="has ended"):
            attempt()
    mapping.refresh_from_db()
    assert (mapping.status, mapping.needs_account) == (MappingStatus.COMPLETED, "Behov.")
    assert mapping.sessions.count() == 1
    assert not mapping.needs.exists()


def test_a_stale_copy_of_an_ended_mapping_cannot_be_changed(mapping, coordinator, teammate):
    stale = Mapping.objects.get(pk=mapping.pk)
    actions.interrupt_mapping(
        user=coordinator, mapping=mapping, interrupted_by="person", reason="x"
    )

    with pytest.raises(ValidationError, match="has ended"):
        add_session(stale, coordinator, [coordinator, teammate])


def test_a_person_has_one_ongoing_mapping_at_a_time(mapping, person, coordinator):
    with pytest.raises(ValidationError, match="already has an ongoing mapping"):
        actions.start_mapping(user=coordinator, person=person, case=mapping.case, started_on=DAY)


def test_a_mapping_is_started_on_an_open_case_of_the_same_person(person, coordinator, org):
    others_case = CaseFactory(person=PersonFactory(), authority_unit=org["authority"])
    closed = CaseFactory(person=person, authority_unit=org["authority"], status=CaseStatus.CLOSED)

    for case in (others_case, closed):
        with pytest.raises(ValidationError) as refused:
            actions.start_mapping(user=coordinator, person=person, case=case, started_on=DAY)
        assert "case" in refused.value.message_dict
    assert not Mapping.objects.exists()


def test_starting_a_mapping_is_logged(person, coordinator):
    mapping = actions.start_mapping(
        user=coordinator, person=person, case=person.cases.get(), started_on=DAY
    )

    entry = AccessLogEntry.objects.get(record_type="mapping", record_id=str(mapping.pk))
    assert (entry.action, entry.person_id, entry.user) == (Action.CREATE, person.pk, coordinator)


def test_a_new_mapping_may_follow_an_ended_one(person, coordinator):
    first = MappingFactory(person=person, status=MappingStatus.INTERRUPTED, created_by=coordinator)

    second = actions.start_mapping(user=coordinator, person=person, case=first.case, started_on=DAY)

    assert second.status == MappingStatus.ONGOING
