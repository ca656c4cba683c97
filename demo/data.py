"""Fictional demo data: one service, its staff, and about twenty people at different stages.

Personal numbers are generated with birth numbers 980–999, the series Skatteverket uses for its
published test numbers, so they belong to no real person. Every name is invented.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from stdnum import luhn

from organisation.models import Delegation, Membership, Role, StaffFlag, SupportKind, Unit, UnitKind
from people import staffing
from people.identity import sex_from_number
from people.models import Case, CaseStaffRole, CaseStatus, Contact, ContactKind, Person

DEMO_PASSWORD = "demo"  # noqa: S105 - demo mode only; refused in production


def test_number(birth: datetime.date, serial: int) -> str:
    """A 12-digit number in Skatteverket's test series (birth number 980–999)."""
    assert 980 <= serial <= 999
    nine = birth.strftime("%y%m%d") + f"{serial:03d}"
    return birth.strftime("%Y%m%d") + f"{serial:03d}" + luhn.calc_check_digit(nine)


UNITS = [
    ("authority", "Myndighetsenheten socialpsykiatri", UnitKind.AUTHORITY, None),
    ("provider", "Boendestöd och öppna insatser", UnitKind.PROVIDER, None),
    ("north", "Team Norr – bryta isolering", UnitKind.TEAM, "provider"),
    ("south", "Team Syd – bryta isolering", UnitKind.TEAM, "provider"),
    ("tinget", "Träffpunkt Tinget", UnitKind.MEETING_PLACE, None),
]

# username, first name, last name, [(unit key, role)]
USERS = [
    ("officer", "Olivia", "Handläggare", [("authority", Role.OFFICER)]),
    ("coordinator", "Kim", "Koordinator", [("north", Role.COORDINATOR)]),
    ("coordinator2", "Sam", "Samordnare", [("south", Role.COORDINATOR)]),
    ("coordinator3", "Alva", "Stödjare", [("north", Role.COORDINATOR)]),
    ("manager", "Maria", "Enhetschef", [("authority", Role.MANAGER), ("provider", Role.MANAGER)]),
    ("analyst", "Anders", "Analytiker", [("authority", Role.ANALYST)]),
    ("admin", "Ada", "Administratör", [("authority", Role.ADMIN)]),
    ("meetingplace", "Mira", "Träffpunktsvärd", [("tinget", Role.MEETING_PLACE)]),
]

# first, last, birth date, serial, municipality, team key, coordinator, status, extra
# (first, last, birth, serial (None: a reserve number), team, coordinator, status, extra)
PEOPLE: list[
    tuple[str, str, tuple[int, int, int], int | None, str | None, str | None, str, dict[str, Any]]
] = [
    ("Elin", "Fiktiv", (1998, 3, 14), 982, "north", "coordinator", "open", {}),
    ("Jonas", "Påhittad", (2001, 7, 2), 981, "north", "coordinator", "open", {}),
    ("Sara", "Exempel", (1995, 11, 23), 984, "north", None, "open", {}),  # order not yet accepted
    ("Ali", "Testsson", (1999, 1, 30), 983, "north", "coordinator3", "open", {}),
    ("Hanna", "Demodotter", (2003, 5, 9), 986, "north", "coordinator3", "open", {}),
    ("Oskar", "Låtsas", (1993, 9, 17), 985, "south", "coordinator2", "open", {}),
    ("Maja", "Provsson", (2000, 12, 1), 988, "south", "coordinator2", "open", {}),
    ("Leo", "Fantasi", (1997, 4, 26), 987, "south", "coordinator2", "open", {}),
    ("Nora", "Diktad", (2002, 8, 8), 990, "south", "coordinator2", "open", {}),
    ("Viktor", "Uppdiktad", (1990, 2, 19), 989, "north", "coordinator", "closed", {}),
    ("Ella", "Skenbar", (1996, 6, 11), 992, "south", "coordinator2", "closed", {}),
    ("Adam", "Påhitt", (2004, 10, 4), 991, "north", "coordinator", "closed", {}),
    ("Wilma", "Övning", (1994, 3, 28), 994, None, None, "open", {}),
    ("Hugo", "Prövning", (2005, 1, 15), 993, None, None, "open", {}),
    ("Alice", "Låtsasdotter", (1992, 7, 21), 996, None, None, "open", {}),
    ("Liam", "Exempelsson", (1999, 9, 3), 995, None, None, "open", {}),
    ("Tilda", "Fiktivsson", (2001, 2, 27), 998, None, None, "open", {}),
    ("Noah", "Skyddad", (1997, 12, 12), 997, "north", "coordinator", "open", {"protected": True}),
    ("Freja", "Okänd", (2000, 5, 5), None, None, None, "open", {"reserve": "R20000505-DEMO01"}),
]

CONTACTS = {
    ("Elin", "Fiktiv"): [
        ("relative", "Eva Fiktiv", "mamma", "", "070-000 00 01", True, "Samtycke muntligt"),
        ("professional", "Per Boendestöd", "boendestödjare", "Boendestödet Norr", "", True, ""),
    ],
    ("Oskar", "Låtsas"): [
        ("relative", "Bo Låtsas", "pappa", "", "070-000 00 02", False, "Vill inte att vi ringer"),
    ],
}


def _law_in_force() -> None:
    """The legal bases a letter cites come with the data migration; a database emptied since
    (a test server's, between tests) gets them again from the same migration (idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("decisions.migrations.0004_legal_bases").seed(apps, None)


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> dict:
    """Create the demo organisation, users and people; running it twice changes nothing."""
    today = today or datetime.date.today()
    _law_in_force()
    units = _units()
    users = _users(units)
    _support_kinds(units, users)
    people = _people(units, users, today)
    from demo.journey import load_journey  # it builds on this module's people

    load_journey(units, users, today)
    _decisions(units, users, today)
    from demo.provision import load_closure

    load_closure(users, today)
    from demo.groups import load_groups

    load_groups(units, users, today)
    from demo.sso import load_sso

    load_sso(units)
    from demo.delivery import load_delivery

    load_delivery(users, today)
    from demo.timeline import backdate_registrations

    backdate_registrations()
    from demo.instruments import load_instruments

    load_instruments(users, today)
    from demo.retention import load_retention

    load_retention(users, today)
    _align_cases()
    return {"units": len(units), "users": len(users), "people": people}


def _align_cases() -> None:
    """Each case opens with the person's first intake and closes with the closure."""
    from intake.models import Intake
    from provision.models import Closure

    for case in Case.objects.select_related("person"):
        first = Intake.objects.filter(person=case.person).order_by("received_on").first()
        closure = Closure.objects.filter(case=case).order_by("-closed_on").first()
        opened_on = first.received_on if first else case.opened_on
        closed_on = closure.closed_on if closure else case.closed_on
        if (opened_on, closed_on) != (case.opened_on, case.closed_on):
            Case.objects.filter(pk=case.pk).update(opened_on=opened_on, closed_on=closed_on)


def _units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for key, name, kind, parent in UNITS:
        units[key], _ = Unit.objects.get_or_create(
            name=name,
            parent=units.get(parent) if parent else None,
            defaults={"kind": kind, "municipality": "Exempelby"},
        )
    return units


def _users(units: dict[str, Unit]) -> dict:
    user_model = get_user_model()
    users = {}
    for username, first, last, memberships in USERS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffFlag.objects.update_or_create(user=user, defaults={"is_demo": True})
        for unit_key, role in memberships:
            Membership.objects.get_or_create(user=user, unit=units[unit_key], role=role)
        users[username] = user
    return users


def _support_kinds(units: dict[str, Unit], users: dict) -> None:
    hikikomori, _ = SupportKind.objects.get_or_create(
        code="bryta-isolering",
        defaults={
            "name": "Stöd för att bryta isolering",
            "needs_decision": True,
            "places": 20,
            "follow_up_places": 5,
        },
    )
    hikikomori.provider_units.add(units["north"], units["south"])
    housing, _ = SupportKind.objects.get_or_create(
        code="boendestod",
        defaults={
            "name": "Boendestöd",
            "needs_decision": True,
            "places": 60,
            "follow_up_places": 0,
        },
    )
    housing.provider_units.add(units["provider"])
    meeting, _ = SupportKind.objects.get_or_create(
        code="traffpunkt",
        defaults={
            "name": "Träffpunkt",
            "needs_decision": False,
            "places": 0,
            "follow_up_places": 0,
        },
    )
    meeting.provider_units.add(units["tinget"])
    for kind in (hikikomori, housing):
        Delegation.objects.get_or_create(
            user=users["officer"],
            support_kind=kind,
            defaults={
                "valid_from": datetime.date(2024, 1, 1),
                "reference": "Delegationsordning 2024:1",
            },
        )


def _people(units: dict[str, Unit], users: dict, today: datetime.date) -> int:
    for index, (first, last, born, serial, team, coordinator, status, extra) in enumerate(PEOPLE):
        birth = datetime.date(*born)
        if serial is None:
            lookup = {"reserve_number": extra["reserve"]}
            defaults = {"number_kind": "reserve", "sex": "X"}
        else:
            number = test_number(birth, serial)
            lookup = {"personal_number": number}
            defaults = {"number_kind": "personal", "sex": sex_from_number(number)}
        person, created = Person.objects.get_or_create(
            **lookup,
            defaults={
                **defaults,
                "first_name": first,
                "last_name": last,
                "birth_date": birth,
                "municipality": "Exempelby",
                "city": "Exempelby",
                "protected_identity": extra.get("protected", False),
                "phone": "" if extra.get("protected") else f"070-000 10 {index:02d}",
            },
        )
        if not created:
            continue
        opened = today - datetime.timedelta(days=30 + index * 23)
        case = Case.objects.create(
            person=person,
            authority_unit=units["authority"],
            provider_unit=units[team] if team else None,
            status=CaseStatus.CLOSED if status == "closed" else CaseStatus.OPEN,
            opened_on=opened,
            closed_on=today - datetime.timedelta(days=10 + index) if status == "closed" else None,
        )
        staffing.name(case, users["officer"], CaseStaffRole.OFFICER, opened)
        if coordinator:
            staffing.name(case, users[coordinator], CaseStaffRole.COORDINATOR, opened)
        if case.closed_on:
            staffing.end_all(case, case.closed_on)
        for kind, name, relation, org, phone, may, note in CONTACTS.get((first, last), []):
            Contact.objects.create(
                person=person,
                kind=ContactKind(kind),
                name=name,
                relation=relation,
                organisation=org,
                phone=phone,
                may_contact=may,
                consent_note=note,
            )
    return Person.objects.count()


# The authority journey, one person at each step. Each entry: person (first, last, birth,
# serial) and the steps to take, in days before today; decided by `officer`, who has delegation.
KIND = "bryta-isolering"


def _decisions(units: dict[str, Unit], users: dict, today: datetime.date) -> None:
    """Applications, decisions, letters, appeals and orders; skipped for anyone who has one."""
    from decisions.models import Application

    officer = users["officer"]
    for (first, last), steps in DECISION_STORIES.items():
        born, serial = next((p[2], p[3]) for p in PEOPLE if (p[0], p[1]) == (first, last))
        assert serial is not None  # the decision stories are about people with a personal number
        person = Person.objects.get(personal_number=test_number(datetime.date(*born), serial))
        if Application.objects.filter(person=person).exists():
            continue
        steps(_Story(person, officer, units, today))


class _Story:
    """Small helpers so each person's story below reads as what happened, in order."""

    def __init__(self, person: Person, officer, units: dict[str, Unit], today: datetime.date):
        self.person, self.officer, self.units, self.today = person, officer, units, today
        self.kind = SupportKind.objects.get(code=KIND)

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def apply(self, days_ago: int, what: str, form: str = "written"):
        from decisions.actions import create_application

        case = self.person.cases.order_by("-opened_on").first()
        assert case is not None  # every demo person has a case
        return create_application(
            user=self.officer,
            person=self.person,
            case=case,
            support_kind=self.kind,
            applied_on=self.day(days_ago),
            form=form,
            what=what,
        )

    def communicate(self, application, days_ago: int, method: str, response: str):
        from decisions.actions import record_communication

        record_communication(
            user=self.officer,
            application=application,
            communicated_on=self.day(days_ago),
            method=method,
            response_by=self.day(days_ago - 10),
            response=response,
        )

    def decide(self, application, days_ago: int, outcome: str, content: str, **extra):
        from decisions.actions import issue_decision

        return issue_decision(
            officer=self.officer,
            application=application,
            outcome=outcome,
            content=content,
            decided_on=self.day(days_ago),
            presented_by=self.officer,
            **extra,
        )

    def grant(self, application, days_ago: int, months: int, **extra):
        start = self.day(days_ago - 3)
        case = self.person.cases.first()
        assert case is not None  # every demo person has a case
        return self.decide(
            application,
            days_ago,
            "grant",
            "Stöd för att bryta isolering beviljas: hembesök en gång i veckan, "
            "stöd att ta sig ut och att delta i gruppverksamhet.",
            goals=extra.pop(
                "goals", "Att på egen hand ta sig till affären och till en träffpunkt."
            ),
            period_from=start,
            period_to=start + datetime.timedelta(days=months * 30),
            provider_unit=case.provider_unit,
            **extra,
        )

    def send(self, decision, days_ago: int, received_days_ago: int | None = None):
        from decisions.actions import record_delivery

        received = received_days_ago if received_days_ago is not None else days_ago - 2
        record_delivery(
            user=self.officer,
            decision=decision,
            method="post",
            sent_on=self.day(days_ago),
            received_on=self.day(received),
        )

    def accept_order(self, decision) -> None:
        from audit.events import Access, log_accesses
        from audit.models import Action
        from provision.models import Order, OrderStatus

        order = Order.objects.filter(decision=decision).first()
        if order is None or order.status == OrderStatus.ACCEPTED:
            return
        Order.objects.filter(pk=order.pk).update(
            status=OrderStatus.ACCEPTED, accepted_on=decision.decided_on + datetime.timedelta(3)
        )
        # Logged as the provision action logs it: the timeline's registration time of acceptance.
        manager = get_user_model().objects.get(username="manager")
        log_accesses(
            user=manager, accesses=[Access(order.person_id, "order", order.pk, Action.UPDATE)]
        )

    def end_order(self, decision) -> None:
        from provision.models import Order, OrderStatus

        Order.objects.filter(decision=decision).update(status=OrderStatus.ENDED)


def _waiting(story: _Story) -> None:
    story.apply(
        12,
        "Hugo vill ha stöd för att komma ut ur lägenheten och börja träffa andra. "
        "Kartläggningen är avslutad.",
    )


def _granted_letter_not_sent(story: _Story) -> None:
    application = story.apply(40, "Sara ansöker om stöd för att bryta isoleringen.")
    # A full grant: no communication is needed before it (FL 25 §), and no appeal instruction.
    story.grant(application, 3, 12, participants="Kim Koordinator")


def _rejected_and_appealed(story: _Story) -> None:
    from decisions.actions import register_appeal, update_appeal

    application = story.apply(
        90, "Liam ansöker om hembesök två gånger i veckan för att bryta isoleringen."
    )
    story.communicate(
        application,
        70,
        "brev med utredningen",
        "Liam skriver att han inte klarar Tingets kvällar utan någon som följer med.",
    )
    decision = story.decide(
        application,
        55,
        "rejection",
        "Ansökan om stöd för att bryta isolering avslås.",
        reasons=(
            "Av utredningen framgår att Liam sedan i höstas deltar i Tingets kvällsverksamhet "
            "varje vecka och själv tar sig till vårdcentralen. Nämnden bedömer att hans behov "
            "av stöd att bryta isoleringen tillgodoses genom den öppna verksamheten, som inte "
            "kräver beslut. Liams synpunkt att han behöver sällskap dit har beaktats; Tinget "
            "erbjuder att en värd möter honom vid entrén."
        ),
    )
    story.send(decision, 54, 52)
    appeal = register_appeal(
        user=story.officer,
        decision=decision,
        received_on=story.day(40),
        decision_received_on=story.day(52),
        content="Liam vill att förvaltningsrätten beviljar hembesök. Han bifogar ett intyg "
        "från vårdcentralen.",
    )
    update_appeal(
        user=story.officer,
        appeal=appeal,
        status="forwarded",
        forwarded_on=story.day(33),
        court="Förvaltningsrätten i Exempelstad",
        notes="Nämnden har omprövat beslutet utan att ändra det.",
    )


def _partly_granted(story: _Story) -> None:
    application = story.apply(
        110,
        "Oskar ansöker om hembesök två gånger i veckan och taxi till gruppverksamheten.",
        form="oral",
    )
    story.communicate(
        application,
        95,
        "vid möte på kontoret",
        "Oskar tycker att bussen är svår men vill försöka med sällskap första gångerna.",
    )
    decision = story.decide(
        application,
        85,
        "partial",
        "Hembesök en gång i veckan beviljas. Taxi till gruppverksamheten avslås.",
        reasons=(
            "Oskar har behov av regelbundna hembesök, men ett besök i veckan bedöms räcka i "
            "början enligt kartläggningen. Resor till gruppverksamheten kan ordnas genom att "
            "koordinatorn följer med på bussen de första gångerna, vilket också tränar det "
            "Oskar vill klara själv."
        ),
        goals="Att ta bussen till gruppverksamheten på egen hand inom ett halvår.",
        period_from=story.day(80),
        period_to=story.day(80) + datetime.timedelta(days=180),
        provider_unit=story.units["south"],
        participants="Sam Samordnare",
    )
    story.send(decision, 84)
    story.accept_order(decision)


def _renewed(story: _Story) -> None:
    first_application = story.apply(400, "Elin ansöker om stöd för att bryta isoleringen.")
    first = story.grant(first_application, 395, 12)
    story.send(first, 394)
    story.accept_order(first)
    story.end_order(first)
    renewal_application = story.apply(
        60, "Elin ansöker om fortsatt stöd: hon har börjat gå till träffpunkten."
    )
    renewal = story.grant(
        renewal_application,
        34,  # the new period starts the day after the first one ends
        12,
        kind="renewal",
        replaces=first,
        goals="Att delta i gruppverksamheten varje vecka och pröva en praktikplats.",
    )
    story.send(renewal, 33)
    story.accept_order(renewal)


def _expiring(story: _Story) -> None:
    application = story.apply(350, "Jonas ansöker om stöd för att bryta isoleringen.")
    decision = story.grant(application, 340, 12)  # ends about three weeks from today
    story.send(decision, 339)
    story.accept_order(decision)


def _granted(applied_days_ago: int, decided_days_ago: int, *, ended: bool = False):
    """A plain story: applied, granted for a year, letter sent, order accepted (and ended)."""

    def story_of(story: _Story) -> None:
        first = story.person.first_name
        application = story.apply(
            applied_days_ago, f"{first} ansöker om stöd för att bryta isoleringen."
        )
        decision = story.grant(application, decided_days_ago, 12)
        story.send(decision, decided_days_ago - 1)
        story.accept_order(decision)
        if ended:
            story.end_order(decision)

    return story_of


DECISION_STORIES = {
    ("Hugo", "Prövning"): _waiting,
    ("Sara", "Exempel"): _granted_letter_not_sent,
    ("Liam", "Exempelsson"): _rejected_and_appealed,
    ("Oskar", "Låtsas"): _partly_granted,
    ("Elin", "Fiktiv"): _renewed,
    ("Jonas", "Påhittad"): _expiring,
    ("Ali", "Testsson"): _granted(230, 220),
    ("Hanna", "Demodotter"): _granted(140, 128),
    ("Maja", "Provsson"): _granted(190, 178),
    ("Leo", "Fantasi"): _granted(215, 205),
    ("Nora", "Diktad"): _granted(120, 110),
    ("Noah", "Skyddad"): _granted(260, 250),
    # Closed cases; their closures are in demo.provision.
    ("Viktor", "Uppdiktad"): _granted(530, 520, ended=True),
    ("Ella", "Skenbar"): _granted(350, 340, ended=True),
    ("Adam", "Påhitt"): _granted(310, 300, ended=True),
}
