"""Issue 20: moving a leaving coordinator's cases shows first, person by person, what is
unfinished and what happens to it; the leaver's unsigned note stays theirs to sign."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from delivery import actions as delivery
from delivery.models import Note
from people.models import CaseStaff, CaseStaffRole
from tests.factories import CaseFactory, CaseStaffFactory, PersonFactory

URL = "/uppdrag/omfordela/"


@pytest.fixture(autouse=True)
def _swedish(settings):
    settings.LANGUAGE_CODE = "sv"


def _at(days, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def leavers_work(person, coordinator, org):
    """Elin Fiktiv (team North, `coordinator`): an old draft, a coming visit, a past visit
    without outcome, and homework given at a held visit; a second person with nothing."""
    draft = delivery.create_note(
        user=coordinator, person=person, happened_on=timezone.localdate(), text="Utkast."
    )
    Note.objects.filter(pk=draft.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    coming = delivery.plan_visit(user=coordinator, person=person, planned_at=_at(2), place="Hemma")
    past = delivery.plan_visit(user=coordinator, person=person, planned_at=_at(-2), place="Hemma")
    held = delivery.plan_visit(user=coordinator, person=person, planned_at=_at(-9), place="Hemma")
    delivery.update_visit(user=coordinator, visit=held, status="held")
    homework = delivery.give_homework(user=coordinator, visit=held, text="Gå till affären.")
    other = PersonFactory(first_name="Nils", last_name="Påhittad")
    case = CaseFactory(person=other, authority_unit=org["authority"], provider_unit=org["north"])
    CaseStaffFactory(case=case, user=coordinator, role=CaseStaffRole.COORDINATOR)
    return {"draft": draft, "coming": coming, "past": past, "homework": homework, "other": other}


def _choice(coordinator, colleague, **extra):
    return {"from_user": coordinator.pk, "to_user": colleague.pk, **extra}


def test_the_move_shows_what_is_unfinished_before_anything_moves(
    leavers_work, person, coordinator, colleague, manager, login
):
    response = login(manager).post(URL, _choice(coordinator, colleague))

    assert response.status_code == 200
    assert CaseStaff.objects.get(case__person=person, role="coordinator").user == coordinator
    page = response.content.decode()
    leaver = coordinator.get_full_name()
    successor = colleague.get_full_name()
    assert f"Ärendena för 2 personer flyttas från {leaver} till {successor}." in page
    # The unsigned note: its author alone signs it, and keeps it after the move.
    assert f"{leaver} har 1 osignerad anteckning hos dessa personer" in page
    assert f"1 osignerad anteckning av {leaver}" in page
    assert f"stannar hos {leaver} för signering" in page
    # Visits and homework follow the case.
    assert f"1 planerat besök (nästa {leavers_work['coming'].planned_at:%Y}" in page
    assert f"flyttas till {successor}" in page
    assert "1 besök vars tid har passerat utan utfall" in page
    assert "1 hemuppgift som inte följts upp" in page
    assert f"{successor} följer upp vid nästa besök" in page
    # The other person has nothing unfinished; both move from team North to team South.
    assert "Inget ofärdigt." in page
    assert page.count("Byter från Team Norr till Team Syd") == 2
    assert "Utförarteamet byts" in page


def test_confirming_the_preview_moves_and_says_so_in_plain_words(
    leavers_work, person, coordinator, colleague, manager, login
):
    client = login(manager)
    previewed = client.post(URL, _choice(coordinator, colleague)).context["previewed"]

    response = client.post(
        URL, _choice(coordinator, colleague, confirm="1", previewed=previewed), follow=True
    )

    assert CaseStaff.objects.get(case__person=person, role="coordinator").user == colleague
    text = response.content.decode()
    assert f"Ärendena för 2 personer har flyttats till {colleague.get_full_name()}." in text
    assert "fördelningar har flyttats" not in text


def test_a_changed_choice_is_shown_again_before_it_moves(
    leavers_work, person, coordinator, colleague, manager, login
):
    client = login(manager)
    previewed = client.post(URL, _choice(coordinator, colleague)).context["previewed"]
    only_one = _choice(
        coordinator,
        colleague,
        cases=[str(person.cases.get().pk)],
        confirm="1",
        previewed=previewed,
    )

    response = client.post(URL, only_one)

    assert response.status_code == 200
    assert "Ärendet för 1 person flyttas" in response.content.decode()
    assert CaseStaff.objects.get(case__person=person, role="coordinator").user == coordinator


def test_after_the_move_the_leaver_still_signs_their_note_from_the_start_page(
    leavers_work, person, coordinator, colleague, manager, login
):
    client = login(manager)
    previewed = client.post(URL, _choice(coordinator, colleague)).context["previewed"]
    client.post(URL, _choice(coordinator, colleague, confirm="1", previewed=previewed))
    draft = leavers_work["draft"]

    client = login(coordinator)
    start = client.get("/").content.decode()
    link = f"/genomforande/anteckning/{draft.pk}/signera/"
    assert f'href="{link}"' in start
    page = client.get(link)
    assert page.status_code == 200
    assert "utanför dina ärenden" not in page.content.decode()
    assert "Utkast." in page.content.decode()
    # The journal is no longer theirs: cancel and the result lead back to the start page.
    assert 'href="/"' in page.content.decode()

    response = client.post(link, {"confirm": "1"})

    assert response.status_code == 302 and response["Location"] == "/"
    draft.refresh_from_db()
    assert draft.is_signed and draft.signed_by == coordinator
    assert f'href="{link}"' not in client.get("/").content.decode()


def test_nobody_but_the_author_signs_the_moved_draft(
    leavers_work, coordinator, colleague, manager, login
):
    client = login(manager)
    previewed = client.post(URL, _choice(coordinator, colleague)).context["previewed"]
    client.post(URL, _choice(coordinator, colleague, confirm="1", previewed=previewed))
    draft = leavers_work["draft"]

    response = login(colleague).post(
        f"/genomforande/anteckning/{draft.pk}/signera/", {"confirm": "1"}
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.is_signed
