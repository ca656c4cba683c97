"""Long lists come a keyset page at a time, with "Nästa"/"Föregående" links and no count of
the whole list; counts that could scan everything stop at a bound and say so (issue 17)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from audit.events import Access, log_accesses
from audit.models import Action
from core.pagination import bounded_count, keyset_page
from intake.models import Intake, IntakeStatus
from organisation.models import Membership, Role
from people.models import CaseStaff, CaseStaffRole, Person
from tests.factories import UserFactory
from tests.test_queries import add_people, assert_same_queries, queries_for

NEXT = re.compile(r'<a href="\?([^"]*)" rel="next">Nästa</a>')
PREVIOUS = re.compile(r'<a href="\?([^"]*)" rel="prev">Föregående</a>')


def link(pattern, response, name=None):
    """The query string of the first such link, or of the one moving the list `name`."""
    for found in pattern.finditer(response.content.decode()):
        query = unescape(found.group(1))
        if name is None or re.search(rf"(^|&){name}(efter|fore)=", query):
            return query
    return None


def people_on(response):
    return [p.pk for p in response.context["page"].rows]


def test_the_person_list_pages_through_everyone_in_order_and_back(org, login, manager):
    add_people(120, org["authority"])
    client = login(manager)
    everyone = list(
        Person.objects.order_by("last_name", "first_name", "id").values_list("pk", flat=True)
    )
    first = client.get("/personer/")
    assert people_on(first) == everyone[:50]
    assert link(PREVIOUS, first) is None
    second = client.get(f"/personer/?{link(NEXT, first)}")
    assert people_on(second) == everyone[50:100]
    third = client.get(f"/personer/?{link(NEXT, second)}")
    assert people_on(third) == everyone[100:]
    assert link(NEXT, third) is None  # the last page
    back = client.get(f"/personer/?{link(PREVIOUS, third)}")
    assert people_on(back) == everyone[50:100]
    assert people_on(client.get(f"/personer/?{link(PREVIOUS, back)}")) == everyone[:50]
    # No "page 1 of 3": nothing counts the whole list.
    assert "Sida" not in first.content.decode()


def test_the_search_is_kept_when_paging(org, login, manager):
    add_people(60, org["authority"], first_name="Kim")
    add_people(10, org["authority"], first_name="Alva")
    client = login(manager)
    first = client.get("/personer/", {"q": "Kim"})
    assert "q=Kim" in link(NEXT, first)
    second = client.get(f"/personer/?{link(NEXT, first)}")
    assert len(second.context["page"].rows) == 10
    assert {p.first_name for p in second.context["page"].rows} == {"Kim"}


@pytest.mark.parametrize("cursor", ["x", "!!!", "WyJhIl0", "bnVsbA"])
def test_a_cursor_edited_by_hand_gives_the_first_page(org, login, manager, cursor):
    add_people(60, org["authority"])
    client = login(manager)
    for name in ("efter", "fore"):
        response = client.get("/personer/", {name: cursor})
        assert response.status_code == 200
        assert len(response.context["page"].rows) == 50


def test_a_manager_sees_more_than_a_thousand_open_cases_as_such(org, login, manager):
    add_people(1001, org["authority"])
    page = login(manager).get("/").content.decode()
    assert "Visar de 10 äldsta av fler än 1\xa0000 öppna ärenden." in page


def test_bounded_count_counts_exactly_below_the_bound(org):
    add_people(7, org["authority"])
    assert str(bounded_count(Person.objects.all(), 10)) == "7"
    count = bounded_count(Person.objects.all(), 5)
    assert (count.value, count.more) == (5, True)


def test_keyset_pages_descending_keys(rf, org):
    add_people(7, org["authority"])
    ids = list(Person.objects.order_by("-last_name", "-id").values_list("pk", flat=True))
    page = keyset_page(rf.get("/"), Person.objects.all(), ("-last_name", "-id"), 3)
    assert [p.pk for p in page.rows] == ids[:3]
    page = keyset_page(
        rf.get(f"/?{page.next_query}"), Person.objects.all(), ("-last_name", "-id"), 3
    )
    assert [p.pk for p in page.rows] == ids[3:6]


def _open_intakes(count, unit):
    Intake.objects.bulk_create(
        [
            Intake(
                unit=unit,
                received_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
                channel="phone",
                source="self",
                status=IntakeStatus.OPEN,
                # Due on the day received: both lists are full. (A page of 100 distinct people:
                # tests/test_access_log_lists.py.)
                callback_due=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
            )
            for n in range(count)
        ]
    )


def test_the_intake_inbox_is_paged_and_keeps_its_queries(org, login, officer):
    client = login(officer)
    _open_intakes(5, org["authority"])
    client.get("/aktualiseringar/")
    few = queries_for(client, "/aktualiseringar/")
    _open_intakes(120, org["authority"])
    many = queries_for(client, "/aktualiseringar/")
    assert_same_queries(few, many)
    first = client.get("/aktualiseringar/")
    assert len(first.context["intakes"]) == 50
    assert len(first.context["callbacks_due"]) == 50
    second = client.get(f"/aktualiseringar/?{link(NEXT, first, '')}")
    shown = {i.pk for i in first.context["intakes"]} | {i.pk for i in second.context["intakes"]}
    assert len(shown) == 100
    received = [i.received_on for i in first.context["intakes"] + second.context["intakes"]]
    assert received == sorted(received)


def test_the_log_review_is_paged_newest_first(org, login, manager, officer):
    people = add_people(60, org["authority"])
    log_accesses(user=officer, accesses=[Access(p.pk, "person", p.pk, Action.READ) for p in people])
    client = login(manager)
    first = client.get("/atkomstlogg/")
    second = client.get(f"/atkomstlogg/?{link(NEXT, first)}")
    ids = [e.pk for e in first.context["rows"]] + [e.pk for e in second.context["rows"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids) >= 60


def test_the_capacity_page_pages_its_coordinators(org, login, manager, coordinator):
    client = login(manager)
    client.get("/uppdrag/kapacitet/")
    few = queries_for(client, "/uppdrag/kapacitet/")
    for n in range(60):
        UserFactory(
            username=f"c{n:03d}", first_name=f"C{n:03d}", roles=[(org["north"], Role.COORDINATOR)]
        )
    many = queries_for(client, "/uppdrag/kapacitet/")
    assert_same_queries(few, many)
    first = client.get("/uppdrag/kapacitet/")
    assert len(first.context["coordinators"]) == 50
    second = client.get(f"/uppdrag/kapacitet/?{link(NEXT, first)}")
    names = [
        r.user.first_name for r in first.context["coordinators"] + second.context["coordinators"]
    ]
    assert names == sorted(names)
    assert len(names) == Membership.objects.filter(role=Role.COORDINATOR).count()


def test_the_reassignment_page_pages_the_leavers_cases_to_tick(
    org, login, manager, coordinator, colleague
):
    client = login(manager)
    add_people(3, org["authority"], provider=org["north"], staff=coordinator)
    url = f"/uppdrag/omfordela/?from_user={coordinator.pk}"
    client.get(url)
    few = queries_for(client, url)
    before_choosing = queries_for(client, "/uppdrag/omfordela/")
    add_people(150, org["authority"], provider=org["north"], staff=coordinator)
    add_people(60, org["authority"], provider=org["south"], staff=colleague)
    assert_same_queries(few, queries_for(client, url))
    assert_same_queries(before_choosing, queries_for(client, "/uppdrag/omfordela/"))
    first = client.get(url)
    assert len(first.context["form"].fields["cases"].choices) == 50
    pages = [first]
    while pages[-1].context["page"].has_next:
        pages.append(client.get(f"/uppdrag/omfordela/?{link(NEXT, pages[-1])}"))
    ticked = [key for page in pages for key, _label in page.context["form"].fields["cases"].choices]
    # Every one of the leaver's 153 people once, page by page, and nobody else's.
    assert len(pages) == 4 and len(ticked) == len(set(ticked)) == 153
    theirs = CaseStaff.objects.filter(user=coordinator, role=CaseStaffRole.COORDINATOR)
    assert set(ticked) == {str(pk) for pk in theirs.values_list("case_id", flat=True)}


@pytest.mark.parametrize("required", [False, True])
def test_a_quick_select_is_the_same_html_as_djangos(org, manager, coordinator, colleague, required):
    from django import forms
    from django.contrib.auth import get_user_model
    from django.test.html import parse_html

    from core.widgets import QuickSelect

    queryset = get_user_model().objects.order_by("username")

    class Slow(forms.Form):
        user = forms.ModelChoiceField(queryset=queryset, required=required)

    class Quick(forms.Form):
        user = forms.ModelChoiceField(queryset=queryset, required=required, widget=QuickSelect)

    for data in ({"user": str(coordinator.pk)}, None, {"user": "<b>"}):
        assert parse_html(str(Quick(data)["user"])) == parse_html(str(Slow(data)["user"]))
    data = {"user": str(coordinator.pk)}
    assert "selected" in str(Quick(data)["user"])


def test_the_log_review_still_shows_reads_of_a_record_merged_into_ones_case(
    org, login, manager, outsider_officer, person
):
    from tests.factories import PersonFactory

    old = PersonFactory(merged_into=person)
    stranger = PersonFactory()
    log_accesses(
        user=outsider_officer,
        accesses=[
            Access(old.pk, "person", old.pk, Action.READ),
            Access(stranger.pk, "person", stranger.pk, Action.READ),
        ],
    )
    rows = login(manager).get("/atkomstlogg/").context["rows"]
    assert {e.person_id for e in rows if e.username == "outsider"} == {old.pk}
