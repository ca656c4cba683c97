"""A fictional dataset of any size with the proportions of the review (docs/history.md).

People are made in batches: each batch is built in memory and written with bulk_create in FK
order, in one transaction. Personal numbers are Skatteverket's test series (birth numbers
980–999, then the same as coordination numbers); beyond those, reserve numbers `SYN-…`.
Every name is invented and every person carries the municipality "Syntetiska kommunen".
Randomness is seeded, so the same size and seed give the same dataset.

The shape follows the seeds (bench/README.md, "The synthetic data's shape"): intakes spread over
the last ten years, every row stamped with the day it was written (created, updated, last entry:
never "today" for what happened years ago), so that culling, follow-ups a year after closure and
old, replaced decisions all have rows; coordinators with 5–8 open cases each, two who took over a
leaver's caseload (15 and 50 open cases); teams under areas with a manager each, a manager of
the provider and one manager over everything.
"""

from __future__ import annotations

import datetime
import math
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from core.bulk import copy_rows
from decisions.models import (
    GRANTED,
    NO_END,
    Application,
    Decision,
    DecisionKind,
    LegalBasis,
    LetterDelivery,
    citing,
)
from delivery.models import Note, Visit, VisitKind, VisitStatus
from intake.models import Intake, IntakeStatus
from organisation.models import Membership, Role, SupportKind, Unit, UnitKind
from people.identity import sex_from_number
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus, Person, StaffPeriod
from provision.models import Closure, FollowUp, FollowUpPlace, Order, OrderStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MUNICIPALITY = "Syntetiska kommunen"
# Names as varied as a register's: 60 first names and 192 surnames made of a place word and a
# word saying the name is made up ("Bergpåhitt"), so that no real person is named. A full name is
# shared by about 90 people at a million (with 24 and 16 names it was 2,600, and the full-name
# search measured the data's sameness rather than a register's).
FIRST = "Alma Axel Bo Cleo Dag Edit Frans Greta Hjalmar Ines Joel Kaj Lova Malte Nea Otto Pim "
FIRST += "Rut Sixten Tyra Ulf Vera Wille Yrsa Agnes Algot Britt Casper Dora Elof Fanny Gunnar "
FIRST += "Hedda Ivar Jenny Kerstin Leo Majken Nils Oskar Pia Ragnar Saga Tage Ulla Valter Wilma "
FIRST += "Ylva Åke Östen Ebba Folke Gun Harald Irma Jon Klara Ludvig Märta Nore"
PLACES = "Ahl Berg Dal Ek Fjäll Gran Holm Ljung Moss Nord Rot Sjö Strand Tall Vik Ås"
MADE_UP = "fiktiv påhitt syntet exempel prov test dikt övning skenbar låtsas demo fantasi"
FIRST_NAMES = FIRST.split()
LAST_NAMES = [place + made_up for place in PLACES.split() for made_up in MADE_UP.split()]

# The review's proportions (docs/history.md says where each comes from).
SOURCES = [
    ("psychiatry", 33),
    ("municipal", 17),
    ("relative", 17),
    ("health_centre", 12),
    ("self", 10),
    ("social_insurance", 8),
    ("school", 2),
    ("anonymous", 1),
]
CHANNELS = [("phone", 60), ("email", 15), ("web", 15), ("letter", 5), ("in_person", 5)]
INTAKE_OUTCOMES = [
    ("talk_offered", 55),
    ("not_target_group", 15),
    ("referred", 15),
    ("declined", 8),
    ("no_action", 7),
]
DECISION_OUTCOMES = [("grant", 75), ("partial", 10), ("rejection", 15)]
DELIVERY_METHODS = [("post", 60), ("digital", 25), ("handed_over", 10), ("service", 5)]
# The share of letters whose delivery was never recorded: the officer's "not sent" list.
UNRECORDED_DELIVERY = 0.005
CLOSURE_REASONS = [
    ("goals_reached", 45),
    ("other_support", 20),
    ("declined", 15),
    ("moved", 10),
    ("other", 10),
]
OCCUPATIONS = [("studies", 25), ("work", 20), ("other", 25), ("none", 30)]
ISOLATION = [("none", 35), ("partly", 45), ("as_before", 20)]
VISIT_STATUS = [("held", 82), ("cancelled_person", 9), ("cancelled_staff", 4), ("no_show", 5)]
MEAN_CONTACT_MONTHS = 19.0
SIGMA = 0.6  # lognormal spread of contact times
YEARS = 10  # history spread over the last ten years
# Open cases per coordinator: the seeds say 5–8 (drawn per coordinator); two coordinators took
# over the caseload of colleagues who left, and have 15 and 50 (when the run has enough people).
CASELOAD = (5, 8)
TAKEN_OVER = {1: 15, 2: 50}  # the run's coordinator number: open cases
TAKEN_OVER_FROM = 6  # their cases beyond the sixth came from a colleague who left
TAKEN_OVER_MIN_PEOPLE = 1500
# The share of people with an open case and a coordinator (measured on runs of 100,000): sizes
# the coordinators made up front; more are made when the open cases need them.
OPEN_SHARE = 0.07
TEAM_SIZE = 8
TEAMS_PER_AREA = 25
NOTES = [
    "Hembesök. Vi pratade om veckans rutiner och planerade en promenad till affären.",
    "Personen följde med till träffpunkten en kort stund. Hemuppgift: gå ut varje dag.",
    "Telefonsamtal inför besöket. Personen vill prova att åka buss nästa vecka.",
    "Uppföljning av hemuppgift: två promenader gjorda. Nästa steg: handla själv.",
]


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def fictitious_number(index: int, first_birth: datetime.date, days: int) -> tuple[str, str]:
    """(12 digits, kind) for person `index`: test personal numbers, then coordination numbers."""
    per_kind = days * 20
    kind, rest = divmod(index, per_kind)
    if kind > 1:
        return f"SYN-{index:012d}", "reserve"
    day, serial = divmod(rest, 20)
    birth = first_birth + datetime.timedelta(days=day)
    shown_day = birth.day + (60 if kind else 0)
    nine = f"{birth:%y%m}{shown_day:02d}{980 + serial:03d}"
    digits = f"{birth:%Y%m}{shown_day:02d}{980 + serial:03d}" + luhn.calc_check_digit(nine)
    return digits, "coordination" if kind else "personal"


@dataclass
class Setting:
    authority: Unit
    kind: SupportKind
    officer: User
    staffing: Staffing
    today: datetime.date
    laws: list = field(default_factory=lambda: list(LegalBasis.objects.all()))


@dataclass
class Batch:
    people: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    staff: list = field(default_factory=list)
    periods: list = field(default_factory=list)
    intakes: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    closures: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    responses: list = field(default_factory=list)

    def save(self) -> dict[str, int]:
        size = 5000
        order = [
            (Person, self.people),
            (Case, self.cases),
            (CaseStaff, self.staff),
            (StaffPeriod, self.periods),
            (Intake, self.intakes),
            (Application, self.applications),
            (Decision, self.decisions),
            (LetterDelivery, self.deliveries),
            (Order, self.orders),
            (Closure, self.closures),
            (FollowUp, self.follow_ups),
            (Visit, self.visits),
            (Note, self.notes),
        ]
        if self.responses:
            from instruments.models import Response

            order.append((Response, self.responses))
        _as_the_triggers_would(self.decisions, self.deliveries, self.orders, self.follow_ups)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _fast_session()
            for model, rows in order:
                if connection.vendor == "postgresql":
                    copy_rows(model, rows, keep_stamps=True)
                else:
                    # Decision.objects refuses bulk changes, not bulk inserts.
                    with _stamps_as_given(model):
                        model._base_manager.bulk_create(rows, batch_size=size)
            if connection.vendor == "postgresql":
                # The triggers that keep them were off (`_fast_session`).
                FollowUpPlace.rewrite(sorted({c.case_id for c in self.closures}))
        return {model.__name__: len(rows) for model, rows in order}


def _as_the_triggers_would(
    decisions: list[Decision],
    deliveries: list[LetterDelivery],
    orders: list[Order],
    follow_ups: list[FollowUp],
) -> None:
    """What the database's triggers write on an insert, written here: `_fast_session` turns
    every trigger off for the batch on PostgreSQL. Each case is as the batch leaves it (its story
    is over), and each application here has its one decision.

    - a decision's: `Application.decided` (decisions.0010), `Decision.case_ended_on` and
      `left_running_until` (decisions.0011), `letter_sent` (decisions.0014);
    - an order's decision date (provision.0013);
    - a follow-up's closure's case and that case's units (provision.0012)."""
    for decision in decisions:
        decision.application.decided = True
        case = decision.case
        closed = case.status == CaseStatus.CLOSED
        decision.case_ended_on = (case.closed_on or case.opened_on) if closed else None
        granted = closed and decision.outcome in GRANTED
        until = decision.period_to or NO_END
        # Null once passed, by the database's date (decisions.0012).
        running = granted and until >= timezone.now().date()
        decision.left_running_until = until if running else None
    for delivery in deliveries:
        delivery.decision.letter_sent = True
    for order in orders:
        order.decided_on = order.decision.decided_on
    for follow_up in follow_ups:
        case = follow_up.closure.case
        follow_up.case_id = case.pk
        follow_up.authority_unit_id = case.authority_unit_id
        follow_up.provider_unit_id = case.provider_unit_id


def _fast_session() -> None:
    """Skip the per-row foreign-key triggers and the wait for the disk, for this transaction.

    The rows are consistent by construction (the same code runs on SQLite, which checks every
    key, in tests/history/test_synthetic.py). The triggers that keep stored marks are off too:
    `_as_the_triggers_would` writes those. Needs a superuser; without one, the normal checks
    run and it is only slower.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _stamped(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


@contextmanager
def _stamps_as_given(model) -> Iterator[None]:
    """bulk_create keeping the created/updated times the story gave (backdated), not now."""
    fields = [f for f in model._meta.concrete_fields if _stamped(f)]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, (now, add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add


def setting(people: int, today: datetime.date, seed: int = 1) -> Setting:
    """The organisation the people belong to: made once, reused by later runs."""
    authority, _ = Unit.objects.get_or_create(
        name="Syntetisk myndighet", defaults={"kind": UnitKind.AUTHORITY}
    )
    provider, _ = Unit.objects.get_or_create(
        name="Syntetisk utförare", defaults={"kind": UnitKind.PROVIDER}
    )
    kind, _ = SupportKind.objects.get_or_create(
        code="syntetisk-bryta-isolering",
        defaults={
            "name": "Syntetiskt stöd för att bryta isolering",
            "needs_decision": True,
            "places": max(20, people // 12),
            "follow_up_places": max(5, people // 50),
        },
    )
    total = Person.objects.filter(municipality=MUNICIPALITY).count() + people
    if kind.places < total // 12:  # places grow with the population, about 8 % in support
        SupportKind.objects.filter(pk=kind.pk).update(
            places=total // 12, follow_up_places=max(5, total // 50)
        )
    officer = _user("syn-officer", authority, Role.OFFICER)
    Membership.objects.get_or_create(user=officer, unit=authority, role=Role.MANAGER)
    _user("syn-manager-provider", provider, Role.MANAGER)
    everything = _user("syn-manager-all", provider, Role.MANAGER)
    Membership.objects.get_or_create(user=everything, unit=authority, role=Role.MANAGER)
    staffing = Staffing(provider, kind, random.Random(f"staff-{seed}"))
    staffing.taken_over = TAKEN_OVER if people >= TAKEN_OVER_MIN_PEOPLE else {}
    # A little fewer than the open cases will need, so that nobody is left without a caseload.
    open_cases = people * OPEN_SHARE - sum(staffing.taken_over.values())
    staffing.hire(max(1, math.floor(open_cases / (sum(CASELOAD) / 2) * 0.9)))
    return Setting(authority, kind, officer, staffing, today)


def _user(username: str, unit: Unit, role: str):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Syntetisk", "last_name": username}
    )
    if created:
        user.set_password("synthetic")  # noqa: S106 - fictional bench users only
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return user


@dataclass
class Coordinator:
    user: Any
    team: Unit
    caseload: int  # open cases this coordinator takes
    taken: int = 0
    left_by: Any = None  # the colleague whose cases they took over


class Staffing:
    """Coordinators in teams of eight, teams in areas of 25 with a manager each, under the
    provider. Each run's coordinators are numbered after the earlier runs'; each takes 5–8 open
    cases (two take 15 and 50, see TAKEN_OVER), and more are made when the open cases need them.
    Closed cases go to any coordinator of the run."""

    def __init__(self, provider: Unit, kind: SupportKind, rng: random.Random):
        self.provider, self.kind, self.rng = provider, kind, rng
        self.users = get_user_model().objects
        self.first = self.users.filter(username__startswith="syn-coord-").count()
        self.coordinators: list[Coordinator] = []
        self.open_at = 0  # the coordinator taking the next open case
        self.team: Unit | None = None
        self.taken_over: dict[int, int] = {}
        self.password = make_password("synthetic")

    def hire(self, count: int) -> None:
        """`count` more coordinators, a team at a time (a few queries per team)."""
        while count > 0:
            number = self.first + len(self.coordinators)
            if number % TEAM_SIZE == 0 or self.team is None:
                self.team = self._team(number // TEAM_SIZE)
            in_team = min(count, TEAM_SIZE - number % TEAM_SIZE)
            made = self.users.bulk_create(
                [
                    self.users.model(
                        username=f"syn-coord-{number + n:05d}",
                        first_name="Koordinator",
                        last_name=f"{number + n}",
                        password=self.password,
                    )
                    for n in range(in_team)
                ]
            )
            if made[0].pk is None:  # a database that does not return the new ids
                made = list(
                    self.users.filter(username__in=[u.username for u in made]).order_by("username")
                )
            Membership.objects.bulk_create(
                Membership(user=u, unit=self.team, role=Role.COORDINATOR) for u in made
            )
            for user in made:
                self.coordinators.append(Coordinator(user, self.team, self.rng.randint(*CASELOAD)))
            count -= in_team

    def _team(self, index: int) -> Unit:
        area, _ = Unit.objects.get_or_create(
            name=f"Syntetiskt område {index // TEAMS_PER_AREA + 1}",
            parent=self.provider,
            defaults={"kind": UnitKind.PROVIDER},
        )
        _user(f"syn-manager-area-{index // TEAMS_PER_AREA + 1}", area, Role.MANAGER)
        team, _ = Unit.objects.get_or_create(
            name=f"Syntetiskt team {index + 1}", parent=area, defaults={"kind": UnitKind.TEAM}
        )
        self.kind.provider_units.add(team)
        return team

    def for_open_case(self) -> tuple[Coordinator, Any]:
        """The coordinator with room for one more open case (in order: caseloads fill up), and
        the colleague who had the case before them if it was taken over (else None)."""
        while True:
            if self.open_at == len(self.coordinators):
                self.hire(1)
            c = self.coordinators[self.open_at]
            c.caseload = self.taken_over.get(self.open_at, c.caseload)
            if c.taken < c.caseload:
                c.taken += 1
                if c.taken > TAKEN_OVER_FROM and self.open_at in self.taken_over:
                    c.left_by = c.left_by or self._leaver(c)
                    return c, c.left_by
                return c, None
            self.open_at += 1

    def for_closed_case(self, rng: random.Random) -> Coordinator:
        return rng.choice(self.coordinators)

    def _leaver(self, c: Coordinator):
        """A colleague of `c` who left (inactive, no role left): their cases went to `c`."""
        user, _ = self.users.get_or_create(
            username=f"syn-left-{c.user.last_name}",
            defaults={
                "first_name": "Slutat",
                "last_name": c.user.last_name,
                "password": self.password,
                "is_active": False,
            },
        )
        return user


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """When something written on `day` was saved (Swedish time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Story:
    """One person's journey, built as unsaved model instances into a batch. Every row carries
    the day it was written (created, updated, signed), and the case its last entry."""

    def __init__(self, rng: random.Random, s: Setting, batch: Batch, responses: bool):
        self.rng, self.s, self.b, self.responses = rng, s, batch, responses
        self.last: datetime.date = s.today  # set by person(): the newest entry so far

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def entry(self, day: datetime.date) -> datetime.datetime:
        """The time of an entry on `day`, which the case's last entry then covers."""
        self.last = max(self.last, day)
        return _at(day)

    def person(self, index: int, number: str, kind: str) -> None:
        rng, s = self.rng, self.s
        values = {"personal_number": number} if kind != "reserve" else {"reserve_number": number}
        received = s.today - datetime.timedelta(days=rng.randint(0, YEARS * 365))
        self.last = received
        registered = _at(received)
        self.p = Person(
            **values,
            number_kind=kind,
            birth_date=_birth(number) if kind != "reserve" else None,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            sex=sex_from_number(number) if kind != "reserve" else "X",
            municipality=MUNICIPALITY,
            city=MUNICIPALITY,
            created_at=registered,
            updated_at=registered,
        )
        self.b.people.append(self.p)
        self.case = Case(
            person=self.p, authority_unit=s.authority, opened_on=received, provider_unit=None
        )
        self.b.cases.append(self.case)
        self.b.staff.append(
            CaseStaff(case=self.case, user=s.officer, role=CaseStaffRole.OFFICER, since=received)
        )
        self.officer_period = StaffPeriod(
            case=self.case, user=s.officer, role=CaseStaffRole.OFFICER, valid_from=received
        )
        self.b.periods.append(self.officer_period)
        self.intake(received)
        self.case.last_entry_at = min(_at(self.last, 16), timezone.now())

    def intake(self, received: datetime.date) -> None:
        rng, s = self.rng, self.s
        outcome = pick(rng, INTAKE_OUTCOMES)
        closed = min(received + datetime.timedelta(days=rng.randint(3, 30)), s.today)
        self.entry(closed)
        self.b.intakes.append(
            Intake(
                unit=s.authority,
                received_on=received,
                channel=pick(rng, CHANNELS),
                source=pick(rng, SOURCES),
                person=self.p,
                case=self.case,
                status=IntakeStatus.CLOSED,
                outcome=outcome,
                outcome_reason="Syntetiskt utfall.",
                closed_on=closed,
                closed_by=s.officer,
                created_by=s.officer,
                created_at=_at(received),
            )
        )
        if outcome == "talk_offered" and rng.random() < 0.8:
            decided = closed + datetime.timedelta(days=rng.randint(20, 80))
            if decided <= s.today:
                self.decisions(decided)
                return
        self.case.status, self.case.closed_on = CaseStatus.CLOSED, closed

    def decide(self, decided, outcome, start=None, end=None, replaces=None) -> Decision:
        s = self.s
        applied = decided - datetime.timedelta(days=14)
        application = Application(
            person=self.p,
            case=self.case,
            support_kind=s.kind,
            applied_on=applied,
            form="written",
            what="Stöd för att bryta isolering.",
            communication_exemption="" if outcome == "grant" else "Syntetiskt.",
            created_by=s.officer,
            created_at=_at(applied),
        )
        decision = Decision(
            number=f"S-{uuid.uuid4().hex[:20]}",
            application=application,
            person=self.p,
            case=self.case,
            support_kind=s.kind,
            kind=DecisionKind.RENEWAL if replaces else DecisionKind.NEW,
            replaces=replaces,
            decided_on=decided,
            outcome=outcome,
            content="Syntetiskt beslut.",
            period_from=start,
            period_to=end,
            **citing(decided, bases=s.laws),
            reasons="" if outcome == "grant" else "Syntetisk motivering.",
            decided_by=s.officer,
            created_at=self.entry(decided),
        )
        self.b.applications.append(application)
        self.b.decisions.append(decision)
        self.deliver(decision)
        return decision

    def deliver(self, decision: Decision) -> None:
        """The letter's delivery, recorded within a few days of the decision: for all but a
        few letters, and not yet for a decision of the last days."""
        rng, s = self.rng, self.s
        sent = decision.decided_on + datetime.timedelta(days=rng.randint(0, 4))
        if sent > s.today or rng.random() < UNRECORDED_DELIVERY:
            return
        method = pick(rng, DELIVERY_METHODS)
        arrived = sent + datetime.timedelta(days=rng.randint(1, 4) if method == "post" else 0)
        received = arrived if arrived <= s.today else None
        self.b.deliveries.append(
            LetterDelivery(
                decision=decision,
                method=method,
                sent_on=sent,
                received_on=received,
                recorded_by=s.officer,
                # Recorded once the day it reached the person was known.
                recorded_at=self.entry(received or sent),
            )
        )

    def decisions(self, decided: datetime.date) -> None:
        rng, s = self.rng, self.s
        outcome = pick(rng, DECISION_OUTCOMES)
        if outcome == "rejection":
            self.decide(decided, outcome)
            self.case.status, self.case.closed_on = CaseStatus.CLOSED, decided
            return
        start = decided + datetime.timedelta(days=rng.randint(3, 60))
        mu = math.log(MEAN_CONTACT_MONTHS) - SIGMA**2 / 2
        months = max(1.0, rng.lognormvariate(mu, SIGMA))
        end = start + datetime.timedelta(days=round(months * 30.44))
        decision = self.decide(decided, outcome, start, start + relativedelta(months=12))
        ended = end <= s.today
        if start > s.today or ended:
            coordinator, before = s.staffing.for_closed_case(rng), None
        else:
            coordinator, before = s.staffing.for_open_case()
        self.coordinator, self.team = coordinator.user, coordinator.team
        self.case.provider_unit = self.team
        if start > s.today:
            self.order(decision, None, OrderStatus.NEW)
            return
        self.staff(start, end if ended else None, before)
        if ended:
            self.officer_period.valid_to = max(end, self.officer_period.valid_from)
        renewal = start + relativedelta(months=12)
        renewed = renewal < min(end, s.today)  # longer than a year (about half the people)
        status = OrderStatus.ENDED if ended else OrderStatus.ACCEPTED
        first = self.order(decision, start, OrderStatus.ENDED if renewed else status)
        if renewed:
            again = self.decide(
                renewal - datetime.timedelta(days=10),
                "grant",
                renewal,
                renewal + relativedelta(months=12),
                replaces=decision,
            )
            # The renewal's order takes over from the first: one order in force at a time.
            self.order(again, renewal, status, replaces=first)
        self.delivery(start, min(end, s.today))
        if ended:
            self.close(end)

    def staff(self, start: datetime.date, end: datetime.date | None, before) -> None:
        """The coordinator from `start` (after `before`, who left, if the case was taken over)."""
        since = start
        if before is not None:
            since = max(start, self.s.today - datetime.timedelta(days=self.rng.randint(30, 120)))
            if since > start:
                self.b.periods.append(
                    StaffPeriod(
                        case=self.case,
                        user=before,
                        role=CaseStaffRole.COORDINATOR,
                        valid_from=start,
                        valid_to=since,
                    )
                )
        self.entry(since)
        self.b.staff.append(
            CaseStaff(
                case=self.case, user=self.coordinator, role=CaseStaffRole.COORDINATOR, since=since
            )
        )
        self.b.periods.append(
            StaffPeriod(
                case=self.case,
                user=self.coordinator,
                role=CaseStaffRole.COORDINATOR,
                valid_from=since,
                valid_to=end,
            )
        )

    def order(self, decision, accepted, status, replaces=None) -> Order:
        s = self.s
        order = Order(
            decision=decision,
            person=self.p,
            case=self.case,
            support_kind=s.kind,
            provider_unit=self.team,
            period_from=decision.period_from,
            period_to=decision.period_to,
            status=status,
            accepted_on=accepted,
            created_by=s.officer,
            replaces=replaces,
            created_at=decision.created_at,
        )
        if accepted:
            self.entry(accepted)
        self.b.orders.append(order)
        return order

    def close(self, closed: datetime.date) -> None:
        rng = self.rng
        reason = pick(rng, CLOSURE_REASONS)
        consent = rng.random() < 0.6
        closure = Closure(
            case=self.case,
            person=self.p,
            closed_on=closed,
            reason=reason,
            reason_text="Syntetiskt." if reason == "other" else "",
            occupation=pick(rng, OCCUPATIONS),
            isolation=pick(rng, ISOLATION),
            follow_up_consent=consent,
            closed_by=self.coordinator,
            created_at=self.entry(closed),
        )
        self.b.closures.append(closure)
        self.case.status, self.case.closed_on = CaseStatus.CLOSED, closed
        if consent:
            for months in (6, 12):
                due = closed + relativedelta(months=months)
                done = due <= self.s.today and rng.random() < 0.7
                if done:
                    self.entry(due)
                self.b.follow_ups.append(
                    FollowUp(
                        closure=closure,
                        person=self.p,
                        months=months,
                        due_on=due,
                        status="done" if done else "pending",
                        done_on=due if done else None,
                        occupation=pick(rng, OCCUPATIONS) if done else "",
                        isolation=pick(rng, ISOLATION) if done else "",
                        recorded_by=self.coordinator if done else None,
                    )
                )
        self.response("closure", closed)

    def delivery(self, start: datetime.date, end: datetime.date) -> None:
        """About two visits a month of support (at most 24 kept), a note for most held ones."""
        rng = self.rng
        months = max((end - start).days / 30.44, 0.5)
        count = min(24, max(1, round(months * 2)))
        for _n in range(count):
            day = self.day_between(start, end)
            status = pick(rng, VISIT_STATUS)
            at = _at(day, 9 + rng.randint(0, 7))
            visit = Visit(
                person=self.p,
                kind=VisitKind.VISIT,
                planned_at=at,
                place="Hemma",
                status=status,
                created_by=self.coordinator,
                created_at=self.entry(max(start, day - datetime.timedelta(days=7))),
            )
            self.b.visits.append(visit)
            if status == VisitStatus.HELD and rng.random() < 0.7:
                self.entry(day)
                self.b.notes.append(
                    Note(
                        person=self.p,
                        visit=visit,
                        happened_on=day,
                        text=rng.choice(NOTES),
                        written_by=self.coordinator,
                        signed_by=self.coordinator,
                        signed_at=at,
                        created_at=at,
                        updated_at=at,
                    )
                )
        self.response("start", start)

    def response(self, occasion: str, day: datetime.date) -> None:
        """A MADRS-S rating at start and at closure (improving on average)."""
        if not self.responses:
            return
        from instruments.models import Response

        rng = self.rng
        level = rng.randint(14, 34) if occasion == "start" else rng.randint(4, 30)
        answers = _madrs_answers(rng, level)
        total = float(sum(answers.values()))
        written = self.entry(day)
        self.b.responses.append(
            Response(
                person=self.p,
                case=self.case,
                code="madrs-s",
                version="1",
                occasion=occasion,
                administered_on=day,
                status="complete",
                answers=answers,
                total=total,
                computable=True,
                score={"total": total, "synthetic": True},
                created_by=self.coordinator,
                created_at=written,
                updated_at=written,
            )
        )


def _madrs_answers(rng: random.Random, total: int) -> dict[str, int]:
    """Nine items 0–6 summing to `total` (MADRS-S has nine items scored 0–6)."""
    answers = [0] * 9
    for _n in range(min(total, 54)):
        free = [i for i in range(9) if answers[i] < 6]
        answers[rng.choice(free)] += 1
    return {f"q{i + 1}": value for i, value in enumerate(answers)}


def _birth(number: str) -> datetime.date:
    day = int(number[6:8])
    return datetime.date(int(number[:4]), int(number[4:6]), day - 60 if day > 60 else day)


def _has_responses() -> bool:
    try:
        from instruments.models import Response  # noqa: F401
    except ImportError:
        return False
    return True


def generate(
    people: int,
    *,
    seed: int = 1,
    batch_size: int = 2000,
    today: datetime.date | None = None,
    progress: Callable[[int, int, dict], None] | None = None,
) -> dict[str, int]:
    """Add `people` synthetic people (after any made before) with their history."""
    today = today or timezone.localdate()
    s = setting(people, today, seed)
    rng = random.Random(seed)
    first_birth, last_birth = datetime.date(1961, 1, 1), datetime.date(2007, 12, 31)
    days = (last_birth - first_birth).days + 1
    offset = Person.objects.filter(municipality=MUNICIPALITY).count()
    responses = _has_responses()
    totals: dict[str, int] = {}
    done = 0
    index = offset
    while done < people:
        batch = Batch()
        wanted = min(batch_size, people - done)
        numbers = [fictitious_number(index + n, first_birth, days) for n in range(wanted * 2)]
        taken = _taken([n for n, _ in numbers])
        for number, kind in numbers:
            index += 1
            if number in taken:
                continue
            Story(rng, s, batch, responses).person(index, number, kind)
            if len(batch.people) == wanted:
                break
        for model, n in batch.save().items():
            totals[model] = totals.get(model, 0) + n
        totals["Response"] = totals.get("Response", 0) + len(batch.responses)
        done += len(batch.people)
        if progress:
            progress(done, people, totals)
    return totals


def _taken(numbers: list[str]) -> set[str]:
    personal = Person.objects.filter(personal_number__in=numbers).values_list(
        "personal_number", flat=True
    )
    reserve = Person.objects.filter(reserve_number__in=numbers).values_list(
        "reserve_number", flat=True
    )
    return set(personal) | set(reserve)
