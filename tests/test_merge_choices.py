"""Issue 20: a merge shows where the two records differ and lets the user keep what is right;
it never leaves two open cases in one unit; its log names people, not usernames."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from people import actions
from people.identity import RESERVE
from people.models import Case, CaseStaff, CaseStaffRole, CaseStatus


@pytest.fixture(autouse=True)
def _swedish(settings):
    settings.LANGUAGE_CODE = "sv"


@pytest.fixture
def reserve(officer, org):
    """The same Elin, registered again on a reserve number, with her own open case."""
    data = {
        "number_kind": RESERVE,
        "birth_date": None,
        "first_name": "Elin",
        "last_name": "Fiktiv",
        "phone": "070-000 00 22",
        "email": "elin@example.invalid",
    }
    return actions.register_person(user=officer, unit=org["authority"], data=data)


def _url(person):
    return reverse("people:merge", kwargs={"pk": person.pk})


def _compare(client, person, other):
    return client.post(_url(person), {"other_number": other.reserve_number})


def _merge(client, person, other, compared, **choices):
    data = {
        "other_number": other.reserve_number,
        "step": "merge",
        "opened": compared.context["opened"],
        "confirm": "on",
    }
    return client.post(_url(person), {**data, **choices})


def test_the_merge_shows_the_differences_side_by_side_before_anything_moves(
    login, officer, person, reserve
):
    person.phone = "070-000 00 11"
    person.save()

    compared = _compare(login(officer), person, reserve)

    assert compared.status_code == 200
    page = compared.content.decode()
    assert "Där akterna skiljer sig åt" in page
    assert "070-000 00 11" in page and "070-000 00 22" in page  # both phone numbers, to choose
    assert 'name="field_phone" value="keep"' in page
    assert 'name="field_phone" value="other"' in page
    assert "elin@example.invalid" in page and "tas över, den här akten saknar uppgiften" in page
    reserve.refresh_from_db()
    assert reserve.merged_into is None


def test_the_user_keeps_the_other_records_phone_number(login, officer, person, reserve):
    person.phone = "070-000 00 11"
    person.city = "Provstad"
    person.save()
    reserve.city = "Exempelby"
    reserve.save()
    client = login(officer)
    compared = _compare(client, person, reserve)

    response = _merge(client, person, reserve, compared, field_phone="other", field_city="keep")

    assert response.status_code == 302, response.context["choices"].errors
    person.refresh_from_db()
    assert person.phone == "070-000 00 22"
    assert person.city == "Provstad"
    assert person.email == "elin@example.invalid"


def test_two_open_cases_in_one_unit_become_the_one_the_user_chooses(
    login, officer, coordinator, person, reserve, org
):
    mine = person.cases.get()
    theirs = reserve.cases.get()
    Case.objects.filter(pk=theirs.pk).update(opened_on=datetime.date(2025, 1, 2))
    client = login(officer)
    compared = _compare(client, person, reserve)
    page = compared.content.decode()
    assert "Öppna ärenden i samma enhet" in page
    assert f'value="{theirs.pk}"' in page and f'value="{mine.pk}"' in page

    _merge(client, person, reserve, compared, **{f"case_{org['authority'].pk}": str(theirs.pk)})

    open_cases = Case.objects.filter(
        person=person, status=CaseStatus.OPEN, authority_unit=org["authority"]
    )
    assert list(open_cases) == [theirs]
    assert not Case.objects.filter(pk=mine.pk).exists()
    continuing = open_cases.get()
    assert continuing.opened_on == datetime.date(2025, 1, 2)
    assert continuing.provider_unit == org["north"]  # from the case that moved into it
    link = CaseStaff.objects.get(case=continuing, user=coordinator)
    assert link.role == CaseStaffRole.COORDINATOR


def test_a_merge_from_anywhere_never_leaves_two_open_cases_in_one_unit(officer, person, reserve):
    actions.merge_people(user=officer, keep=person, other=reserve)

    assert person.cases.filter(status=CaseStatus.OPEN).count() == 1


def test_a_record_changed_after_the_comparison_is_compared_again(login, officer, person, reserve):
    client = login(officer)
    compared = _compare(client, person, reserve)
    reserve.phone = "070-000 00 33"
    reserve.version += 1
    reserve.save()

    response = _merge(client, person, reserve, compared)

    assert response.status_code == 200
    assert "jämför dem igen" in response.content.decode()
    reserve.refresh_from_db()
    assert reserve.merged_into is None


def test_the_merge_is_logged_with_the_names_of_people(login, officer, manager, person, reserve):
    officer.first_name, officer.last_name = "Olga", "Handläggare"
    officer.save()
    client = login(officer)
    compared = _compare(client, person, reserve)
    _merge(client, person, reserve, compared)
    assert AccessLogEntry.objects.filter(action=Action.MERGE, user=officer).exists()

    page = login(manager).get(reverse("people:detail", kwargs={"pk": person.pk}))
    text = page.content.decode()
    assert f"Elin Fiktiv ({reserve.reserve_number}), sammanslagen med den här akten" in text
    assert "av Olga Handläggare" in text

    log = login(manager).get(reverse("audit:review")).content.decode()
    assert "<td>Olga Handläggare</td>" in log
    assert "<td>off</td>" not in log
    assert ">Olga Handläggare</option>" in log
