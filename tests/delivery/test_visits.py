"""Visits: tapering series, homework carried to the next visit and followed up there,
network contacts recorded like visits."""

from __future__ import annotations

import datetime
import re

import pytest

from delivery import actions
from delivery.models import Homework, Visit, VisitKind, VisitStatus
from delivery.schedule import tapering_dates
from tests.delivery.conftest import MONDAY, at
from tests.resent import assert_answered_with_the_first, send_twice, token_on

D = datetime.date


def test_tapering_dates_by_a_hand_computed_example():
    # 3 weekly from Monday 5 January 2026, then 2 every second week, then 2 every third week.
    dates = tapering_dates(D(2026, 1, 5), [(3, 1), (2, 2), (2, 3)])
    assert dates == [
        D(2026, 1, 5),
        D(2026, 1, 12),
        D(2026, 1, 19),
        D(2026, 2, 2),
        D(2026, 2, 16),
        D(2026, 3, 9),
        D(2026, 3, 30),
    ]


def test_tapering_dates_skip_empty_steps_and_refuse_nonsense():
    assert tapering_dates(D(2026, 1, 5), [(0, 1), (2, 3)]) == [D(2026, 1, 5), D(2026, 1, 26)]
    assert tapering_dates(D(2026, 1, 5), []) == []
    with pytest.raises(ValueError):
        tapering_dates(D(2026, 1, 5), [(2, 0)])


def test_a_series_is_planned_through_the_page_and_a_date_adjusted(person, coordinator, login):
    client = login(coordinator)
    response = client.post(
        f"/genomforande/person/{person.pk}/besok/serie/",
        {
            "start": "2026-01-05",
            "time": "10:00",
            "place": "Hemma",
            "transport": "on",
            "weekly": "2",
            "every_second": "1",
            "every_third": "1",
        },
    )
    assert response.status_code == 302
    visits = list(Visit.objects.filter(person=person).order_by("planned_at"))
    days = [v.planned_at.date() for v in visits]
    assert days == [D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 26), D(2026, 2, 16)]
    assert len({v.series for v in visits}) == 1 and all(v.transport for v in visits)
    moved = visits[1]
    client.post(
        f"/genomforande/besok/{moved.pk}/andra/",
        {
            "kind": "visit",
            "day": "2026-01-13",
            "time": "14:00",
            "place": "Biblioteket",
            "status": "planned",
            "version": moved.version,
        },
    )
    moved.refresh_from_db()
    assert moved.planned_at.date() == D(2026, 1, 13) and moved.place == "Biblioteket"


def _visit(person, user, day, status=VisitStatus.PLANNED, kind=VisitKind.VISIT):
    return actions.plan_visit(
        user=user, person=person, planned_at=at(day), place="Hemma", status=status, kind=kind
    )


def test_homework_is_shown_again_at_the_next_visit_and_followed_up_there(
    person, coordinator, login
):
    first = _visit(person, coordinator, MONDAY, VisitStatus.HELD)
    _visit(person, coordinator, MONDAY + datetime.timedelta(days=3), kind=VisitKind.RELATIVES)
    cancelled = _visit(
        person, coordinator, MONDAY + datetime.timedelta(days=5), VisitStatus.CANCELLED_BY_PERSON
    )
    second = _visit(person, coordinator, MONDAY + datetime.timedelta(days=7))
    client = login(coordinator)
    client.post(f"/genomforande/besok/{first.pk}/hemuppgift/", {"text": "Handla själv"})
    homework = Homework.objects.get(given_at=first)

    # Neither a cancelled visit nor a network meeting is "the next visit".
    assert actions.homework_to_follow_up(cancelled) == []
    assert actions.homework_to_follow_up(second) == [homework]
    page = client.get(f"/genomforande/besok/{second.pk}/").content.decode()
    assert "Handla själv" in page

    response = client.post(
        f"/genomforande/hemuppgift/{homework.pk}/uppfoljning/",
        {"result": "partly", "comment": "Gick halvvägs", "version": homework.version},
    )
    assert response.status_code == 302
    homework.refresh_from_db()
    assert homework.result == "partly" and homework.followed_up_at == second
    assert homework.followed_up_by == coordinator


def test_homework_cannot_be_followed_up_at_any_other_visit(person, coordinator):
    first = _visit(person, coordinator, MONDAY, VisitStatus.HELD)
    second = _visit(person, coordinator, MONDAY + datetime.timedelta(days=7))
    third = _visit(person, coordinator, MONDAY + datetime.timedelta(days=14))
    homework = actions.give_homework(user=coordinator, visit=first, text="Ring en vän")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.follow_up_homework(user=coordinator, homework=homework, visit=third, result="done")
    actions.follow_up_homework(user=coordinator, homework=homework, visit=second, result="done")


def test_a_network_contact_is_recorded_like_a_visit(person, coordinator, login):
    response = login(coordinator).post(
        f"/genomforande/person/{person.pk}/besok/nytt/",
        {
            "kind": "authority",
            "day": "2026-03-04",
            "time": "13:00",
            "place": "Myndigheten",
            "participants": "Handläggare, samordnare",
            "status": "held",
        },
    )
    assert response.status_code == 302
    contact = Visit.objects.get(person=person)
    assert contact.kind == VisitKind.AUTHORITY and contact.participants


def test_the_visit_forms_labels_begin_with_a_capital_letter(person, coordinator, login):
    client = login(coordinator)
    visit = _visit(person, coordinator, MONDAY, VisitStatus.HELD)
    _visit(person, coordinator, MONDAY + datetime.timedelta(days=7))
    homework = actions.give_homework(user=coordinator, visit=visit, text="Promenad")
    for url in (
        f"/genomforande/person/{person.pk}/besok/nytt/",
        f"/genomforande/person/{person.pk}/besok/serie/",
        f"/genomforande/besok/{visit.pk}/andra/",
        f"/genomforande/hemuppgift/{homework.pk}/uppfoljning/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        labels = re.findall(r"<(?:label|legend)[^>]*>\s*([^<\s][^<]*)", page)
        assert labels, url
        assert [label for label in labels if label[0].islower()] == [], url


def test_a_visit_form_sent_twice_registers_one_visit(person, coordinator, login):
    client = login(coordinator)
    url = f"/genomforande/person/{person.pk}/besok/nytt/"
    data = {"kind": "visit", "day": "2026-03-04", "time": "13:00", "place": "Hemma"}
    token = token_on(client.get(url))
    first, second = send_twice(client, url, {**data, "status": "planned"}, token)
    assert Visit.objects.filter(person=person).count() == 1
    assert_answered_with_the_first(client, first, second)
