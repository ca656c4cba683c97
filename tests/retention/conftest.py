"""A person with every kind of record, and a way to move a whole record back in time."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import models
from django.utils import timezone

from demo.data import test_number
from retention.graph import collect
from tests import test_role_matrix as matrix
from tests.factories import (
    AttachmentFactory,
    CaseFactory,
    CaseStaffFactory,
    ContactFactory,
    PersonFactory,
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.BRYGGA_RETENTION_YEARS = 5
    settings.BRYGGA_RETENTION_DEADLINE_YEARS = 1
    settings.BRYGGA_RESEARCH_MUNICIPALITY = False
    settings.BRYGGA_RESEARCH_BIRTH_DAYS = (5, 15, 25)
    settings.BRYGGA_ACCESS_LOG_RETENTION_YEARS = 5


def set_all_dates(person_id, day: datetime.date) -> None:
    """Give every date of every row of the person's record this day (birth date aside).

    Bypasses the models' guards on purpose, like a record written years ago.
    """
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    record = collect([person_id])
    for model, pks in record.rows.items():
        for f in model._meta.concrete_fields:
            if f.name == "birth_date" or not isinstance(f, models.DateField):
                continue
            value = when if isinstance(f, models.DateTimeField) else day
            # A date not set (a withdrawal, a signature) stays unset.
            models.QuerySet(model=model).filter(
                pk__in=list(pks), **{f"{f.attname}__isnull": False}
            ).update(**{f.attname: value})


_serials = itertools.cycle(range(980, 1000))


def born(day: datetime.date, *, coordination: bool = False) -> str:
    number = test_number(day, next(_serials))
    if coordination:
        number = number[:6] + f"{day.day + 60:02d}" + number[8:]
    return number


@pytest.fixture
def make_person(org, coordinator):
    """make_person(birth=date, last_entry=date, coordination=False, open_case=False) -> a person
    with a case, closed unless `open_case` (culling never takes an open case)."""

    def _make(
        *,
        birth=datetime.date(1990, 3, 12),
        last_entry=None,
        coordination=False,
        open_case=False,
        **kw,
    ):
        person = PersonFactory(
            personal_number=born(birth, coordination=coordination),
            number_kind="coordination" if coordination else "personal",
            birth_date=birth,
            **kw,
        )
        case = CaseFactory(
            person=person,
            authority_unit=org["authority"],
            provider_unit=org["north"],
            **({} if open_case else {"status": "closed", "closed_on": datetime.date.today()}),
        )
        CaseStaffFactory(case=case, user=coordinator)
        ContactFactory(person=person)
        if last_entry:
            set_all_dates(person.pk, last_entry)
        return person

    return _make


def build_full_record(person, coordinator, officer, manager) -> dict:
    """One of every kind of record about `person`, through the apps' actions where they exist."""
    from decisions.models import LetterDelivery
    from delivery.models import GoalReview, Objection
    from groups.models import Attendance, GroupParticipant
    from instruments.models import HomeLink, Response, RiskAlert
    from intake.models import AssessmentTalk, Intake, IntakeNote, Referral
    from mapping.models import MappingSession, Need
    from organisation.models import LifeArea
    from people.access import grant_reasoned_access
    from provision.models import AssignmentEvent
    from retention import actions
    from tests.factories import MappingFactory

    ctx = {"person": person, "coordinator": coordinator}
    matrix._decision_objects(ctx)
    matrix._group_objects(ctx)
    matrix._delivery_objects(ctx)
    matrix._provision_objects(ctx)
    case = person.cases.first()
    day = datetime.date(2026, 3, 2)
    now = timezone.now()
    area, _ = LifeArea.objects.get_or_create(code="hemliv", defaults={"name": "Hemliv"})

    intake = Intake.objects.create(
        unit=case.authority_unit,
        person=person,
        case=case,
        channel="phone",
        source="relative",
        notifier_name="Ulla Anmälare",
        notifier_contact="070-1111111",
        description="Sonen går inte ut",
    )
    IntakeNote.objects.create(
        intake=intake, happened_at=now, channel="phone", text="Ringde", written_by=officer
    )
    talk = AssessmentTalk.objects.create(
        person=person, intake=intake, held_on=day, place="premises", created_by=officer
    )
    talk.staff.add(officer)
    service = Referral._meta.get_field("service").related_model.objects.create(
        name="Vuxenpsykiatrin", organisation="region"
    )
    Referral.objects.create(person=person, origin="talk", service=service, created_by=officer)
    mapping = MappingFactory(person=person, created_by=coordinator)
    session = MappingSession.objects.create(mapping=mapping, held_on=day, created_by=coordinator)
    session.staff.add(coordinator)
    Need.objects.create(mapping=mapping, life_area=area, extent=2)
    LetterDelivery.objects.create(
        decision=ctx["decision"], method="post", sent_on=day, recorded_by=officer
    )
    GoalReview.objects.create(
        goal=ctx["goal"], reviewed_on=day, outcome="partly", reviewed_by=coordinator
    )
    Objection.objects.create(
        note=ctx["signed_note"], given_on=day, text="Jag håller inte med", recorded_by=coordinator
    )
    AssignmentEvent.objects.create(
        kind=AssignmentEvent._meta.get_field("kind").choices[0][0],
        case=case,
        person=person,
        role="coordinator",
        to_user=coordinator,
        by=manager,
    )
    GroupParticipant.objects.create(group=ctx["group"], person=person, added_by=coordinator)
    Attendance.objects.create(
        session=ctx["session"], person=person, present=True, recorded_by=coordinator
    )
    response = Response.objects.create(
        person=person, case=case, code="madrs-s", version="1", administered_on=day,
        created_by=coordinator,
    )  # fmt: skip
    HomeLink.objects.create(
        response=response,
        token_hash="f" * 64,
        expires_at=now + datetime.timedelta(days=7),
        created_by=coordinator,
    )
    RiskAlert.objects.create(
        response=response, person=person, flag_code="item9", label="Suicidtankar"
    )
    AttachmentFactory(person=person, case=case, uploaded_by=coordinator)
    grant_reasoned_access(user=officer, person=person, reason="Handläggning av överklagande")
    actions.mark_exception(user=manager, case=case, reason="Pågående skadeståndsanspråk")
    actions.record_extract(
        user=manager,
        person=person,
        requested_by="person",
        requester_name="",
        requested_on=day,
    )
    ContactFactory(person=person, name="Eva Anhörig", phone="070-2222222")
    return ctx


@pytest.fixture
def full_record(person, coordinator, officer, manager):
    build_full_record(person, coordinator, officer, manager)
    return person
