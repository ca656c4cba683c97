"""Demo: the provider's everyday work for three people with a coordinator: a plan with goals,
held visits whose homework was followed up, visits this week, signed notes, a correction and a
draft. Told through delivery.actions; idempotent: a person who already has a plan is left alone.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from delivery import actions
from delivery.models import Note, Visit, VisitKind, VisitStatus
from demo.journey import ensure_directory
from organisation.models import LifeArea
from people.models import Person

# person, coordinator, place of visits, whether the plan's follow-up date has passed
STORIES = [
    (("Elin", "Fiktiv"), "coordinator", "Hemma hos Elin", False),
    (("Ali", "Testsson"), "coordinator3", "Biblioteket", False),
    (("Oskar", "Låtsas"), "coordinator2", "Hemma hos Oskar", True),
]

GOALS = [
    (
        "hemliv",
        "Handla mat själv en gång i veckan",
        "Öva steg för steg, först med följe",
        "Samordnaren följer med de första gångerna",
        "Under våren",
        "Samordnaren och personen",
        ["Gå till affären en tid när det är lugnt"],
    ),
    (
        "relationer",
        "Träffa en vän utanför hemmet",
        "Planera en träff på en lugn plats",
        "Samtal om vad som känns tryggt",
        "Inom tre månader",
        "Personen, med stöd",
        [],
    ),
]

HOMEWORK = [
    "Gå en promenad runt kvarteret två gånger",
    "Skriv ner en vanlig dag i dagboken",
    "Ring vårdcentralen och boka en tid",
]


def load_delivery(users: dict, today: datetime.date) -> None:
    ensure_directory()
    for (first, last), username, place, overdue in STORIES:
        person = Person.objects.filter(first_name=first, last_name=last).first()
        if person is None or person.plans.exists():
            continue
        user = users[username]
        _plan(person, user, today, overdue)
        _visits(person, user, place, today)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def _plan(person, user, today: datetime.date, overdue: bool) -> None:
    agreed = today - datetime.timedelta(days=60)
    plan = actions.create_plan(
        user=user,
        person=person,
        visit_frequency="Varje vecka, sedan varannan vecka",
        agreed_on=agreed,
        agreed_how="Vid besök i hemmet; personen skrev under planen",
        next_follow_up=today + datetime.timedelta(days=-3 if overdue else 30),
    )
    areas = {area.code: area for area in LifeArea.objects.all()}
    for code, text, what, how, when, by_whom, subs in GOALS:
        goal = actions.add_goal(
            user=user,
            plan=plan,
            life_area=areas[code],
            text=text,
            what=what,
            how=how,
            when=when,
            by_whom=by_whom,
        )
        for sub in subs:
            actions.add_goal(user=user, plan=plan, life_area=areas[code], text=sub, parent=goal)
        actions.review_goal(
            user=user,
            goal=goal,
            reviewed_on=today - datetime.timedelta(days=14),
            outcome="partly",
            comment="Första stegen är tagna.",
        )


def _visits(person, user, place: str, today: datetime.date) -> None:
    held: list[Visit] = []
    for weeks_ago, text in zip((3, 2, 1), HOMEWORK, strict=True):
        day = today - datetime.timedelta(weeks=weeks_ago)
        visit = actions.plan_visit(
            user=user,
            person=person,
            planned_at=_at(day, 10),
            place=place,
            transport=weeks_ago == 3,
            status=VisitStatus.HELD,
        )
        if held:
            for homework in held[-1].homework.all():
                actions.follow_up_homework(
                    user=user,
                    homework=homework,
                    visit=visit,
                    result="done",
                    comment="Gick bättre än väntat.",
                )
        actions.give_homework(user=user, visit=visit, text=text)
        note = actions.create_note(
            user=user,
            person=person,
            happened_on=day,
            visit=visit,
            text=f"Besök. Vi gick igenom hemuppgiften och gav en ny: {text.lower()}.",
        )
        actions.sign_note(user=user, note=note)
        held.append(visit)
    # A missed visit, and a meeting with the person's network.
    actions.plan_visit(
        user=user,
        person=person,
        planned_at=_at(today - datetime.timedelta(days=4), 13),
        place=place,
        status=VisitStatus.NO_SHOW,
    )
    actions.plan_visit(
        user=user,
        person=person,
        planned_at=_at(today - datetime.timedelta(days=9), 11),
        place=place,
        status=VisitStatus.CANCELLED_BY_PERSON,
    )
    actions.plan_visit(
        user=user,
        person=person,
        kind=VisitKind.RELATIVES,
        planned_at=_at(today - datetime.timedelta(days=5), 15),
        place="Mötesrummet",
        participants="Personen, mamma, samordnaren",
        status=VisitStatus.HELD,
    )
    # Today's visit follows up last week's homework; then a tapering series.
    actions.plan_visit(user=user, person=person, planned_at=_at(today, 14), place=place)
    actions.plan_series(
        user=user,
        person=person,
        start=today + datetime.timedelta(days=7),
        time=datetime.time(10),
        steps=[(2, 1), (2, 2), (2, 3)],
        place=place,
    )
    _notes(person, user, held, today)


def _notes(person, user, held, today: datetime.date) -> None:
    wrong = actions.sign_note(
        user=user,
        note=actions.create_note(
            user=user,
            person=person,
            happened_on=today - datetime.timedelta(days=5),
            text="Nätverksmöte med mamma. Nästa möte om två veckor.",
        ),
    )
    correction = actions.create_note(
        user=user,
        person=person,
        happened_on=wrong.happened_on,
        corrects=wrong,
        text="Rättelse: nästa nätverksmöte är om fyra veckor, inte två.",
    )
    actions.sign_note(user=user, note=correction)
    actions.add_objection(
        user=user,
        note=held[0].notes.get(),
        given_on=today - datetime.timedelta(days=10),
        text="Personen vill lägga till att promenaden var hennes egen idé.",
    )
    draft = actions.create_note(
        user=user,
        person=person,
        happened_on=today - datetime.timedelta(days=2),
        text="Telefonsamtal: personen vill flytta nästa besök.",
    )
    # A draft left for two days, so the worklist reminds its author to sign it.
    Note.objects.filter(pk=draft.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
