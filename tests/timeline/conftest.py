"""A person's whole case, one record of every kind, each on its own day in a known order."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from decisions.models import Appeal, LetterDelivery
from delivery.models import Goal, GoalReview, Homework, Note, Objection, Plan, Visit, VisitKind
from documents.models import Attachment
from groups.models import Attendance, Group, GroupParticipant, GroupSession
from instruments.models import Response
from intake.models import AssessmentTalk, Intake, IntakeNote, Referral
from mapping.models import Mapping, MappingSession, MappingStatus
from organisation.models import LifeArea, Service
from provision.models import AssignmentEvent, Closure, FollowUp, Order
from tests import factories
from tests.factories import AttachmentFactory, SupportKindFactory

d = datetime.date
TZ = datetime.UTC


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    # Noon UTC is the same day in Stockholm, so the day shown is the day given.
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


# (kind, title fragment, day) in the order the timeline must show them.
EXPECTED = [
    ("intakes", "Intake received", d(2026, 1, 5)),
    ("intakes", "Intake note", d(2026, 1, 6)),
    ("intakes", "Intake closed", d(2026, 1, 7)),
    ("talks", "Assessment talk", d(2026, 1, 12)),
    ("mapping", "Mapping started", d(2026, 1, 20)),
    ("mapping", "Mapping session", d(2026, 1, 27)),
    ("ratings", "MADRS", d(2026, 1, 29)),
    ("mapping", "Mapping completed", d(2026, 2, 10)),
    ("applications", "Application for", d(2026, 2, 12)),
    ("decisions", "Decision T-1", d(2026, 2, 20)),
    ("letters", "Letter for decision T-1", d(2026, 2, 23)),
    ("appeals", "Appeal of decision T-1", d(2026, 3, 2)),
    ("orders", "Order to Team Norr", d(2026, 3, 4)),
    ("orders", "Order accepted", d(2026, 3, 5)),
    ("orders", "Coordinator assigned", d(2026, 3, 5)),
    ("plans", "Implementation plan version 1", d(2026, 3, 9)),
    ("visits", "Individual visit: held", d(2026, 3, 10)),
    ("homework", "Homework given", d(2026, 3, 10)),
    ("notes", "Journal note", d(2026, 3, 11)),
    ("notes", "objection", d(2026, 3, 12)),
    ("notes", "Correction of the journal note of 2026-03-11", d(2026, 3, 13)),
    ("groups", "Joined the group", d(2026, 3, 14)),
    ("groups", "Took part in", d(2026, 3, 16)),
    ("visits", "Individual visit: held", d(2026, 3, 17)),
    ("homework", "Homework followed up: done", d(2026, 3, 17)),
    ("network", "Meeting with relatives", d(2026, 3, 18)),
    ("referrals", "Referral to KBT via nätet", d(2026, 3, 20)),
    ("documents", "Signed consent", d(2026, 3, 25)),
    ("goal_reviews", "Goal reviewed: Achieved", d(2026, 4, 1)),
    ("plans", "Implementation plan version 2", d(2026, 4, 2)),
    ("closure", "Case closed: goals reached", d(2026, 6, 30)),
    ("follow_ups", "Follow-up 6 months after closure: done", d(2027, 1, 7)),
    ("follow_ups", "Follow-up 12 months after closure is due", d(2027, 6, 30)),
]


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read the English msgids, whatever Swedish translations exist by then."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def whole_case(person, coordinator, officer, org):
    """Build every kind of record for `person`; return a function that builds another round."""
    case = person.cases.get()
    kind = SupportKindFactory(name="Hikikomori-stöd")
    service, _ = Service.objects.get_or_create(name="KBT via nätet")
    area, _ = LifeArea.objects.get_or_create(code="hemliv", defaults={"name": "Hemliv"})
    group = Group.objects.create(
        name="Tisdagsgruppen",
        unit=org["north"],
        weekdays="01",
        start_time=datetime.time(13),
        created_by=coordinator,
    )
    rounds = {"n": 0}

    def build():
        rounds["n"] += 1
        n = rounds["n"]
        intake = Intake.objects.create(
            unit=org["authority"],
            received_on=d(2026, 1, 5),
            channel="phone",
            source="relative",
            person=person,
            case=case,
            status="closed",
            outcome="talk_offered",
            outcome_reason="Uppfyller målgruppen.",
            closed_on=d(2026, 1, 7),
            created_by=officer,
            closed_by=officer,
        )
        IntakeNote.objects.create(
            intake=intake,
            happened_at=at(d(2026, 1, 6)),
            channel="phone",
            text="Ringde upp.",
            written_by=officer,
        )
        AssessmentTalk.objects.create(
            intake=intake,
            person=person,
            held_on=d(2026, 1, 12),
            place="premises",
            created_by=officer,
        )
        mapping = Mapping.objects.create(
            person=person,
            case=case,
            started_on=d(2026, 1, 20),
            created_by=coordinator,
            status=MappingStatus.COMPLETED,
            ended_on=d(2026, 2, 10),
            recommendation="Stöd.",
        )
        MappingSession.objects.create(
            mapping=mapping, held_on=d(2026, 1, 27), created_by=coordinator
        )
        Response.objects.create(
            person=person,
            case=case,
            code="madrs-s",
            version="1",
            administered_on=d(2026, 1, 29),
            status="complete",
            created_by=coordinator,
        )
        Response.objects.create(  # a draft rating is not on the timeline
            person=person,
            case=case,
            code="madrs-s",
            version="1",
            administered_on=d(2026, 1, 29),
            created_by=coordinator,
        )
        application = factories.application(
            case, kind, officer, d(2026, 2, 12), what="Stöd i vardagen."
        )
        decision = factories.decision(
            case,
            kind,
            officer,
            d(2026, 2, 20),
            on=application,
            number=f"T-{n}",
            content="Bifall.",
            period_from=d(2026, 3, 1),
            period_to=d(2027, 2, 28),
        )
        LetterDelivery.objects.create(
            decision=decision, method="post", sent_on=d(2026, 2, 23), recorded_by=officer
        )
        Appeal.objects.create(
            decision=decision,
            received_on=d(2026, 3, 2),
            decision_received_on=d(2026, 2, 25),
            deadline=d(2026, 3, 18),
            in_time=True,
            registered_by=officer,
        )
        order = factories.order(
            decision, org["north"], officer, status="accepted", accepted_on=d(2026, 3, 5)
        )
        Order.objects.filter(pk=order.pk).update(created_at=at(d(2026, 3, 4)))
        event = AssignmentEvent.objects.create(
            kind="assigned",
            case=case,
            person=person,
            role="coordinator",
            to_user=coordinator,
            by=coordinator,
        )
        AssignmentEvent.objects.filter(pk=event.pk).update(at=at(d(2026, 3, 5), 11))
        first_version = Plan.objects.filter(person=person).count() + 1
        plan = Plan.objects.create(
            person=person,
            version=first_version,
            visit_frequency="varje vecka",
            agreed_on=d(2026, 3, 9),
            agreed_how="vid besök",
            next_follow_up=d(2026, 4, 1),
            created_by=coordinator,
        )
        goal = Goal.objects.create(plan=plan, life_area=area, text="Handla själv.")
        visit = Visit.objects.create(
            person=person,
            planned_at=at(d(2026, 3, 10)),
            place="Hemma",
            status="held",
            created_by=coordinator,
        )
        next_visit = Visit.objects.create(
            person=person,
            planned_at=at(d(2026, 3, 17)),
            place="Hemma",
            status="held",
            created_by=coordinator,
        )
        Homework.objects.create(
            given_at=visit,
            text="Gå till affären.",
            result="done",
            followed_up_at=next_visit,
            created_by=coordinator,
            followed_up_by=coordinator,
        )
        note = Note.objects.create(
            person=person,
            happened_on=d(2026, 3, 11),
            text="Samtal om veckan.",
            written_by=coordinator,
            signed_by=coordinator,
            signed_at=at(d(2026, 3, 11), 15),
        )
        Objection.objects.create(
            note=note, given_on=d(2026, 3, 12), text="Det var inte så.", recorded_by=coordinator
        )
        Note.objects.create(
            person=person,
            corrects=note,
            happened_on=d(2026, 3, 13),
            text="Rättelse.",
            written_by=coordinator,
            signed_by=coordinator,
            signed_at=at(d(2026, 3, 13), 15),
        )
        Note.objects.create(  # a draft is not yet documentation: never on the timeline
            person=person, happened_on=d(2026, 3, 13), text="Utkast.", written_by=coordinator
        )
        this_group = (
            group
            if n == 1
            else Group.objects.create(
                name=f"Grupp {n}",
                unit=org["north"],
                weekdays="0",
                start_time=datetime.time(13),
                created_by=coordinator,
            )
        )
        GroupParticipant.objects.create(
            group=this_group, person=person, added_by=coordinator, added_on=d(2026, 3, 14)
        )
        session = GroupSession.objects.create(
            group=this_group,
            date=d(2026, 3, 16),
            start_time=datetime.time(13),
            duration_minutes=60,
        )
        Attendance.objects.create(
            session=session, person=person, present=True, recorded_by=coordinator
        )
        Visit.objects.create(
            person=person,
            kind=VisitKind.RELATIVES,
            planned_at=at(d(2026, 3, 18), 14),
            place="Kontoret",
            status="held",
            participants="mamma",
            created_by=coordinator,
        )
        Referral.objects.create(
            person=person,
            origin="closure",
            service=service,
            referred_on=d(2026, 3, 20),
            created_by=coordinator,
        )
        attachment = AttachmentFactory(person=person, uploaded_by=coordinator)
        Attachment.objects.filter(pk=attachment.pk).update(uploaded_at=at(d(2026, 3, 25)))
        GoalReview.objects.create(
            goal=goal, reviewed_on=d(2026, 4, 1), outcome="achieved", reviewed_by=coordinator
        )
        Plan.objects.create(
            person=person,
            version=first_version + 1,
            visit_frequency="varannan vecka",
            agreed_on=d(2026, 4, 2),
            agreed_how="vid besök",
            next_follow_up=d(2026, 6, 1),
            created_by=coordinator,
        )
        closure = Closure.objects.create(
            case=case,
            person=person,
            closed_on=d(2026, 6, 30),
            reason="goals_reached",
            occupation="studies",
            isolation="partly",
            follow_up_consent=True,
            closed_by=coordinator,
        )
        FollowUp.objects.create(
            closure=closure,
            person=person,
            months=6,
            due_on=d(2026, 12, 30),
            status="done",
            done_on=d(2027, 1, 7),
            occupation="work",
            isolation="none",
            recorded_by=coordinator,
        )
        FollowUp.objects.create(closure=closure, person=person, months=12, due_on=d(2027, 6, 30))

    build()
    return build
