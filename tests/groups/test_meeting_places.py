"""Meeting places: anonymous head counts only, and only under a recorded board decision."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from groups import actions
from groups.models import HeadCount, MeetingPlace, OpenActivity
from organisation.models import Role, UnitKind
from people.models import Person
from tests.factories import UnitFactory, UserFactory
from tests.test_role_matrix import DENIED, HIDDEN, LOGIN, MATRIX, PUBLIC, USERS

DAY = datetime.date(2026, 3, 4)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_head_count_holds_no_personal_data():
    for field in HeadCount._meta.get_fields():
        assert getattr(field, "related_model", None) is not Person
        assert not isinstance(field, (models.TextField, models.CharField)), field.name
        if getattr(field, "related_model", None) is not None:
            assert field.related_model is OpenActivity
    # Nothing that names a person may point at a head count either.
    assert not any(
        f.related_model is Person for f in OpenActivity._meta.get_fields() if f.is_relation
    )


def test_meeting_staff_record_a_head_count_with_age_bands(place, meeting_staff, login):
    activity = place.activities.get()
    response = login(meeting_staff).post(
        f"/traffpunkter/{place.pk}/",
        {"activity": activity.pk, "date": "2026-03-04", "count": 7, "age_18_24": 3, "age_25_34": 2},
    )
    assert response.status_code == 302
    count = HeadCount.objects.get()
    assert (count.count, count.age_18_24, count.age_25_34, count.age_35_49) == (7, 3, 2, None)
    # The same day again replaces the count instead of adding a second one.
    login(meeting_staff).post(
        f"/traffpunkter/{place.pk}/", {"activity": activity.pk, "date": "2026-03-04", "count": 9}
    )
    assert HeadCount.objects.get().count == 9


def test_age_bands_may_not_exceed_the_count(place, meeting_staff, login):
    activity = place.activities.get()
    response = login(meeting_staff).post(
        f"/traffpunkter/{place.pk}/",
        {"activity": activity.pk, "date": "2026-03-04", "count": 2, "age_18_24": 3},
    )
    assert response.status_code == 200
    assert not HeadCount.objects.exists()


def test_without_a_board_decision_head_counts_are_refused(place, meeting_staff, login):
    MeetingPlace.objects.filter(pk=place.pk).update(
        board_decision_reference="", board_decision_date=None
    )
    place.refresh_from_db()
    activity = place.activities.get()
    client = login(meeting_staff)

    page = client.get(f"/traffpunkter/{place.pk}/")
    assert "board-decision-missing" in page.content.decode()
    assert "2025:400" in page.content.decode()
    assert "form" not in page.context
    client.post(
        f"/traffpunkter/{place.pk}/", {"activity": activity.pk, "date": "2026-03-04", "count": 5}
    )
    assert not HeadCount.objects.exists()
    with pytest.raises(actions.BoardDecisionMissing):
        actions.record_head_count(
            user=meeting_staff, place=place, activity=activity, date=DAY, count=5, bands={}
        )


def test_a_manager_of_the_place_records_the_board_decision(place, org, login):
    MeetingPlace.objects.filter(pk=place.pk).update(
        board_decision_reference="", board_decision_date=None
    )
    boss = UserFactory(roles=[(org["meeting_place"], Role.MANAGER)])
    client = login(boss)
    response = client.post(
        f"/traffpunkter/{place.pk}/namndbeslut/",
        {
            "board_decision_reference": "SN 2026/7",
            "board_decision_date": "2026-01-15",
            "version": place.version,
        },
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.has_board_decision and place.board_decision_reference == "SN 2026/7"


def test_meeting_staff_may_not_record_the_board_decision(place, meeting_staff, login):
    response = login(meeting_staff).post(
        f"/traffpunkter/{place.pk}/namndbeslut/",
        {"board_decision_reference": "SN 2026/7", "board_decision_date": "2026-01-15"},
    )
    assert response.status_code == 403


def test_meeting_staff_see_only_their_own_meeting_places(place, meeting_staff, login):
    elsewhere = UnitFactory(name="Annan träffpunkt", kind=UnitKind.MEETING_PLACE)
    other = MeetingPlace.objects.create(
        name="Andra stället",
        unit=elsewhere,
        board_decision_reference="SN 1",
        board_decision_date=DAY,
    )
    client = login(meeting_staff)
    listing = client.get("/traffpunkter/").content.decode()
    assert place.name in listing and other.name not in listing
    assert client.get(f"/traffpunkter/{other.pk}/").status_code == 404
    assert other.name not in client.get("/").content.decode()


def test_meeting_staff_use_the_meeting_place_pages_and_nothing_else():
    """The role matrix: apart from the shell, every route refuses meeting-place staff."""
    shell = {
        "home",
        "accessibility",
        "login",
        "logout",
        "set_language",
        "public:form",
        "public:thanks",
    }
    column = USERS.index("meeting_staff")
    assert column >= 0
    for key, (_method, _url, _data, expected) in MATRIX.items():
        if key in shell:
            continue
        if key.startswith(("meeting_places:", "api_tokens:")) or expected == PUBLIC:
            # Their own API keys serve the same meeting-place pages through the API.
            continue  # public pages (the intake form, a self-rating link) serve anyone
        assert expected["meeting_staff"] in (DENIED, HIDDEN, LOGIN), key
    assert MATRIX["meeting_places:list"][3]["meeting_staff"] == 200
    assert MATRIX["meeting_places:detail"][3]["meeting_staff"] == 200


def test_meeting_places_keep_a_constant_number_of_queries(place, meeting_staff, login):
    activity = place.activities.get()
    client = login(meeting_staff)
    HeadCount.objects.create(activity=activity, date=DAY, count=3)
    urls = [f"/traffpunkter/{place.pk}/", "/traffpunkter/", "/"]
    few = {url: _queries(client, url) for url in urls}
    evening = OpenActivity.objects.create(meeting_place=place, name="Kväll")
    for n in range(1, 40):
        for act in (activity, evening):
            HeadCount.objects.create(activity=act, date=DAY - datetime.timedelta(n), count=n)
    assert {url: _queries(client, url) for url in urls} == few
