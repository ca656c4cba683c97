"""The access log: every read and change is written, nothing can be changed, tampering shows."""

from __future__ import annotations

import datetime
import html
import json
import logging
import re
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.events import Access, log_access, log_accesses, log_list, verify_chain
from audit.models import (
    GENESIS_HASH,
    AccessLogEntry,
    Action,
    AppendOnlyError,
    ChainHead,
    chain_hash,
)
from audit.views import PAGE_SIZE
from demo.data import test_number as make_test_number
from people import actions
from people.access import grant_reasoned_access
from people.models import Case, CaseStaffRole
from tests.access_log import reads_of
from tests.editing import posted_as_shown
from tests.factories import CaseFactory, CaseStaffFactory, ContactFactory, PersonFactory


def person_url(person, name="detail", **kwargs):
    return reverse(f"people:{name}", kwargs={"pk": person.pk, **kwargs})


def entries_for(person, action=None):
    return reads_of(person, action=action) if action else reads_of(person)


def assert_recent(entry):
    assert abs(timezone.now() - entry.at) < datetime.timedelta(minutes=1)


# What is written


def test_reading_a_person_page_logs_who_when_which_person_and_which_record(
    login, coordinator, person
):
    login(coordinator).get(person_url(person))

    entry = entries_for(person, Action.READ).get()
    assert entry.user == coordinator
    assert entry.username == "coord"
    assert_recent(entry)
    assert entry.person_id == person.pk
    assert (entry.record_type, entry.record_id) == ("person", str(person.pk))
    assert entry.reason == ""


def test_changing_personal_details_logs_an_update_naming_the_changed_fields(login, officer, person):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "phone": "070-000 00 98",
        "municipality": person.municipality,
        "version": person.version,
    }
    login(officer).post(person_url(person, "edit"), data)

    entry = entries_for(person, Action.UPDATE).get()
    assert entry.user == officer
    assert (entry.record_type, entry.record_id) == ("person", str(person.pk))
    assert "phone" in entry.detail and entry.reason == ""


def test_a_person_update_logs_what_each_field_was_changed_from_and_to(login, officer, person):
    person.phone, person.city = "070-111 11 11", "Gamla staden"
    person.save()
    client = login(officer)
    data = posted_as_shown(
        client.get(person_url(person, "edit")),
        first_name="Elina",
        phone="070-000 00 98",
        city="Nya staden",
    )
    client.post(person_url(person, "edit"), data)

    changes = json.loads(entries_for(person, Action.UPDATE).get().detail)
    assert changes == {
        "first_name": {"from": "Elin", "to": "Elina"},
        "phone": {"from": "070-111 11 11", "to": "070-000 00 98"},
        "city": {"from": "Gamla staden", "to": "Nya staden"},
    }
    assert verify_chain() is None


def test_the_values_of_a_person_update_reach_neither_the_review_nor_the_application_log(
    login, officer, manager, person, caplog
):
    caplog.set_level(logging.DEBUG)
    person.phone = "070-111 11 11"
    person.save()
    client = login(officer)
    data = posted_as_shown(client.get(person_url(person, "edit")), phone="070-000 00 98")
    client.post(person_url(person, "edit"), data)
    assert "070-111 11 11" in entries_for(person, Action.UPDATE).get().detail

    page = login(manager).get("/atkomstlogg/", {"person": person.pk}).content.decode()
    assert "Elin Fiktiv" in page  # the manager sees who changed the record, not the values
    assert "070-111 11 11" not in page and "070-000 00 98" not in page
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "070-" not in logged


def test_opening_the_change_form_is_logged_as_a_read(login, officer, person):
    login(officer).get(person_url(person, "edit"))
    assert entries_for(person, Action.READ).get().user == officer


def test_adding_changing_and_removing_a_contact_are_each_logged(login, coordinator, person):
    client = login(coordinator)
    data = {"kind": "relative", "name": "Eva Fiktiv", "may_contact": "on"}
    client.post(person_url(person, "contact_create"), data)
    contact = person.contacts.get()
    edit = person_url(person, "contact_edit", contact_pk=contact.pk)
    client.get(edit)
    client.post(edit, {**data, "name": "Eva Fiktiv-Ny", "version": contact.version})
    client.post(person_url(person, "contact_delete", contact_pk=contact.pk))

    logged = [
        (e.action, e.record_type, e.record_id, e.user_id)
        for e in entries_for(person).order_by("id")
    ]
    record = str(contact.pk)
    assert logged == [
        (Action.CREATE, "contact", record, coordinator.pk),
        (Action.READ, "contact", record, coordinator.pk),
        (Action.UPDATE, "contact", record, coordinator.pk),
        (Action.DELETE, "contact", record, coordinator.pk),
    ]


def test_searching_logs_everyone_shown_in_and_outside_ones_cases(
    login, coordinator, colleague, person, org
):
    other = CaseFactory(
        person=PersonFactory(first_name="Elin", last_name="Annan"),
        authority_unit=org["authority"],
        provider_unit=org["south"],
    ).person
    unrelated = PersonFactory(first_name="Karl", last_name="Annan")

    login(coordinator).get("/personer/", {"q": "Elin Annan"})
    login(coordinator).get("/personer/", {"q": "Elin Fiktiv"})

    assert entries_for(person, Action.SEARCH).get().user == coordinator  # in own cases
    assert entries_for(other, Action.SEARCH).get().user == coordinator  # outside, findable
    assert not entries_for(unrelated).exists()
    assert not AccessLogEntry.objects.filter(user=colleague).exists()


def test_registering_logs_the_new_person_and_the_new_case(login, officer):
    number = make_test_number(datetime.date(1994, 2, 3), 990)
    login(officer).post(
        "/personer/ny/",
        {
            "identity": "number",
            "number": number,
            "first_name": "Ny",
            "last_name": "Person",
            "sex": "X",
        },
    )

    case = Case.objects.get(person__personal_number=number)
    logged = {(e.action, e.record_type, e.record_id) for e in entries_for(case.person)}
    assert logged == {
        (Action.CREATE, "person", str(case.person_id)),
        (Action.CREATE, "case", str(case.pk)),
    }
    assert all(e.user == officer for e in entries_for(case.person))


def test_merging_logs_a_merge_entry_for_both_records(login, officer, org, person):
    other = actions.register_person(
        user=officer,
        unit=org["authority"],
        data={"number_kind": "reserve", "first_name": "Elin", "last_name": "Fiktiv"},
    )
    actions.merge_people(user=officer, keep=person, other=other)

    kept = entries_for(person, Action.MERGE).filter(record_type="person").get()
    merged = entries_for(other, Action.MERGE).get()
    assert (kept.user, merged.user) == (officer, officer)
    assert kept.detail == f"merged from {other.pk}"
    assert merged.detail == f"merged into {person.pk}"
    assert merged.record_id == str(other.pk)


def test_giving_a_reason_is_logged_with_the_reason_and_later_reads_carry_it(
    login, colleague, person
):
    client = login(colleague)
    reason = "Kim är sjuk; jag tar dagens besök."
    client.post(person_url(person, "reason"), {"reason": reason})
    client.get(person_url(person))

    given = entries_for(person, Action.REASON).get()
    assert (given.user, given.reason, given.record_type) == (colleague, reason, "person")
    read = entries_for(person, Action.READ).get()
    assert read.user == colleague
    assert read.reason == reason


def test_a_refused_reason_logs_nothing(login, colleague, person):
    login(colleague).post(person_url(person, "reason"), {"reason": "kort"})
    assert not entries_for(person).exists()


def test_a_read_in_ones_own_cases_needs_no_reason(login, coordinator, colleague, person):
    grant_reasoned_access(user=colleague, person=person, reason="Annan persons skäl, inte Kims.")
    login(coordinator).get(person_url(person))
    assert entries_for(person, Action.READ).get().reason == ""


def test_log_access_accepts_a_person_id_in_any_spelling(db, officer):
    person_id = uuid.uuid4()
    log_access(user=officer, person=str(person_id).upper(), action=Action.READ)
    log_access(user=officer, person=person_id.hex, action=Action.READ)
    assert {e.person_id for e in AccessLogEntry.objects.all()} == {person_id}
    assert {e.record_id for e in AccessLogEntry.objects.all()} == {
        str(person_id).upper(),
        person_id.hex,
    }
    assert verify_chain() is None


def test_an_anonymous_entry_has_no_user(db):
    entry = log_accesses(user=None, accesses=[Access(None, "intake", "1", Action.CREATE)])[0]
    entry = AccessLogEntry.objects.get(pk=entry.pk)
    assert (entry.user, entry.username, entry.person_id) == (None, "", None)
    assert verify_chain() is None


# Nothing can be changed or removed through the application


@pytest.fixture
def entry(db, officer, person):
    return log_access(user=officer, person=person, action=Action.READ)


def test_an_entry_cannot_be_saved_again(entry):
    entry.reason = "efterhandskonstruktion"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AccessLogEntry.objects.get(pk=entry.pk).reason == ""


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_log_cannot_be_updated_or_deleted_in_bulk(entry):
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.update(reason="x")
    entry.reason = "x"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessLogEntry.objects.bulk_update([entry], ["reason"])
    assert AccessLogEntry.objects.get(pk=entry.pk).reason == ""


def test_not_even_djangos_internal_manager_can_change_the_log(entry):
    with pytest.raises(AppendOnlyError):
        AccessLogEntry._base_manager.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry._base_manager.all().delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).reason == ""


def test_a_user_with_log_entries_cannot_be_deleted(entry, officer):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        officer.delete()


# The chain


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def logged(db, officer, coordinator, person):
    """Five entries by two users."""
    for user, action in [
        (officer, Action.READ),
        (coordinator, Action.READ),
        (officer, Action.UPDATE),
        (coordinator, Action.SEARCH),
        (officer, Action.READ),
    ]:
        log_access(user=user, person=person, action=action)
    return list(AccessLogEntry.objects.order_by("id"))


def test_the_chain_holds_for_an_untouched_log(logged, capsys):
    call_command("verify_access_log")
    assert "holds (5 entries)" in capsys.readouterr().out
    assert logged[0].prev_hash == GENESIS_HASH
    for before, after in zip(logged, logged[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert ChainHead.objects.get().last_hash == logged[-1].entry_hash


def test_an_empty_log_verifies(db, capsys):
    call_command("verify_access_log")
    assert "holds (0 entries)" in capsys.readouterr().out


def test_a_reason_changed_with_raw_sql_is_detected_and_the_entry_named(logged):
    target = logged[2]
    _raw("UPDATE audit_accesslogentry SET reason=%s WHERE id=%s", ["ändrat", target.id])

    with pytest.raises(CommandError, match=rf"entry {target.id}\b"):
        call_command("verify_access_log")
    assert verify_chain().id == target.id


def test_a_changed_user_or_time_is_detected(logged, colleague):
    _raw("UPDATE audit_accesslogentry SET user_id=%s WHERE id=%s", [colleague.pk, logged[1].id])
    assert verify_chain().id == logged[1].id


def test_a_changed_entry_whose_hash_was_recomputed_breaks_the_link_to_the_next(logged):
    target = logged[1]
    target.reason = "ändrat"
    new_hash = target.compute_hash()
    _raw(
        "UPDATE audit_accesslogentry SET reason=%s, entry_hash=%s WHERE id=%s",
        ["ändrat", new_hash, target.id],
    )
    assert verify_chain().id == logged[2].id


def test_deleting_the_last_entry_with_raw_sql_is_detected(logged):
    _raw("DELETE FROM audit_accesslogentry WHERE id=%s", [logged[-1].id])
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_access_log")


def test_deleting_an_entry_in_the_middle_is_detected_at_the_next_one(logged):
    _raw("DELETE FROM audit_accesslogentry WHERE id=%s", [logged[2].id])
    with pytest.raises(CommandError, match=rf"entry {logged[3].id}\b"):
        call_command("verify_access_log")


def test_deleting_every_entry_and_the_head_is_detected(logged):
    _raw("DELETE FROM audit_accesslogentry WHERE id>%s", [logged[0].id])
    _raw("DELETE FROM audit_chainhead WHERE id=%s", [0])
    with pytest.raises(CommandError):
        call_command("verify_access_log")


def test_the_chain_is_checked_across_batches(logged, officer, person):
    log_accesses(user=officer, accesses=[Access(person.pk, "person", person.pk, Action.READ)] * 12)
    assert verify_chain(batch_size=5) is None
    entries = list(AccessLogEntry.objects.order_by("id"))
    _raw("UPDATE audit_accesslogentry SET action=%s WHERE id=%s", ["delete", entries[11].id])
    assert verify_chain(batch_size=5).id == entries[11].id


def test_many_accesses_in_one_call_form_one_consistent_chain(db, officer, person):
    log_access(user=officer, person=person, action=Action.READ)
    accesses = [
        Access(person.pk, "contact", uuid.uuid4(), Action.SEARCH, f"{i}") for i in range(500)
    ]
    written = log_accesses(user=officer, accesses=accesses)
    log_access(user=officer, person=person, action=Action.READ)

    stored = list(AccessLogEntry.objects.order_by("id"))
    assert len(stored) == 502
    assert [e.entry_hash for e in stored[1:-1]] == [e.entry_hash for e in written]
    assert len({e.entry_hash for e in stored}) == 502
    assert [e.reason for e in stored[1:-1]] == [str(i) for i in range(500)]
    assert verify_chain() is None
    assert ChainHead.objects.get().last_hash == stored[-1].entry_hash


def test_a_rolled_back_action_leaves_no_entry_and_an_intact_chain(db, officer, person):
    log_access(user=officer, person=person, action=Action.READ)
    with pytest.raises(RuntimeError), transaction.atomic():
        log_access(user=officer, person=person, action=Action.UPDATE)
        raise RuntimeError("the action failed")
    log_access(user=officer, person=person, action=Action.READ)
    assert list(AccessLogEntry.objects.values_list("action", flat=True).order_by("id")) == [
        "read",
        "read",
    ]
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(officer, person):
    """Threads, each with its own connection, log at the same time; the head lock orders them."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    import threading

    from django.db import close_old_connections

    errors = []

    def write(n):
        try:
            for i in range(10):
                log_accesses(
                    user=officer,
                    accesses=[Access(person.pk, "person", person.pk, Action.READ, f"{n}-{i}")] * 3,
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AccessLogEntry.objects.count() == 8 * 10 * 3
    assert verify_chain() is None


# The manager's review


@pytest.fixture
def review_log(db, officer, coordinator, colleague, person, org):
    """Entries about `person` by officer and coordinator, a reason by colleague, and another
    person's read by officer."""
    other = CaseFactory(
        person=PersonFactory(first_name="Jonas", last_name="Påhittad"),
        authority_unit=org["authority"],
    ).person
    log_access(user=officer, person=person, action=Action.READ)
    log_access(user=coordinator, person=person, action=Action.UPDATE)
    grant_reasoned_access(user=colleague, person=person, reason="Vikarierar för Kim i dag.")
    log_access(user=officer, person=other, action=Action.READ)
    return {"other": other}


def review(client, **params):
    response = client.get("/atkomstlogg/", params)
    assert response.status_code == 200
    return response, list(response.context["rows"])


def test_manager_sees_the_log_of_one_person(login, manager, person, review_log):
    response, rows = review(login(manager), person=person.pk)

    assert {e.person_id for e in rows} == {person.pk}
    assert {(e.username, e.action) for e in rows} == {
        ("off", Action.READ),
        ("coord", Action.UPDATE),
        ("colleague", Action.REASON),
    }
    page = response.content.decode()
    assert "Elin Fiktiv" in page
    assert "Jonas" not in page


def test_manager_sees_the_log_of_one_user(login, manager, officer, person, review_log):
    _, rows = review(login(manager), user=officer.pk)
    assert {e.username for e in rows} == {"off"}
    assert {e.person_id for e in rows} == {person.pk, review_log["other"].pk}


def test_manager_sees_only_accesses_with_a_reason_when_asked(login, manager, review_log):
    _, rows = review(login(manager), only_reasons="on")
    assert [(e.username, e.reason) for e in rows] == [("colleague", "Vikarierar för Kim i dag.")]


def test_accesses_with_a_reason_are_highlighted(login, manager, colleague, person, review_log):
    response, _ = review(login(manager), person=person.pk)
    page = response.content.decode()
    assert page.count('class="highlight"') == 1
    highlighted = page.split('class="highlight"')[1].split("</tr>")[0]
    assert "Vikarierar för Kim i dag." in highlighted
    assert f"<td>{colleague.get_full_name()}</td>" in highlighted  # by name, not username
    assert "<td>colleague</td>" not in highlighted


def test_a_filter_for_someone_outside_the_managers_units_shows_nothing(
    login, manager, outsider_officer, review_log
):
    response, rows = review(login(manager), user=outsider_officer.pk)
    assert rows == []
    assert response.context["form"].errors["user"]


def test_manager_sees_nothing_by_other_units_about_people_outside_their_cases(
    login, manager, outsider_officer, org
):
    elsewhere = CaseFactory(authority_unit=org["other_authority"]).person
    log_access(user=outsider_officer, person=elsewhere, action=Action.READ)
    _, rows = review(login(manager))
    assert [e for e in rows if e.username == "outsider"] == []


def test_a_protected_identity_is_not_named_to_a_manager_not_on_the_case(
    login, manager, coordinator, person
):
    person.protected_identity = True
    person.save()
    log_access(user=coordinator, person=person, action=Action.READ)
    response, rows = review(login(manager))
    assert [e.person_id for e in rows if e.username == "coord"] == [person.pk]
    page = response.content.decode()
    assert "Fiktiv" not in page

    CaseStaffFactory(case=person.cases.get(), user=manager, role=CaseStaffRole.OTHER)
    response, _ = review(login(manager))
    assert "Elin Fiktiv" in response.content.decode()


def test_the_log_of_a_person_includes_the_records_merged_into_them(
    login, manager, officer, outsider_officer, person, org
):
    other = actions.register_person(
        user=outsider_officer,
        unit=org["other_authority"],
        data={"number_kind": "reserve", "first_name": "Elin", "last_name": "Fiktiv"},
    )
    log_access(user=outsider_officer, person=other, action=Action.READ)
    _, rows = review(login(manager), person=person.pk)
    assert other.pk not in {e.person_id for e in rows}

    actions.merge_people(user=officer, keep=person, other=other)
    _, rows = review(login(manager), person=person.pk)
    before = [e for e in rows if e.person_id == other.pk]
    assert {(e.username, e.action) for e in before} == {
        ("outsider", Action.CREATE),
        ("outsider", Action.READ),
        ("off", Action.MERGE),
    }


def test_the_review_is_itself_logged(login, manager, person, review_log):
    review(login(manager), person=person.pk)
    assert entries_for(person).filter(user=manager, record_type="access_log").exists()


def test_paging_keeps_the_filter(login, manager, officer, coordinator, person):
    log_accesses(
        user=officer,
        accesses=[Access(person.pk, "person", person.pk, Action.READ)] * (PAGE_SIZE + 20),
    )
    log_access(user=coordinator, person=person, action=Action.READ)
    response, rows = review(login(manager), user=officer.pk)
    assert len(rows) == PAGE_SIZE
    page = response.content.decode()
    pager = page.split('class="pager"')[1].split("</nav>")[0]
    assert f"user={officer.pk}" in pager
    # The next page is the one after the last row shown (a keyset page, core/pagination.py).
    after = html.unescape(re.search(r'href="\?([^"]*)" rel="next"', pager).group(1))
    response = login(manager).get(f"/atkomstlogg/?{after}")
    rows = response.context["rows"]
    assert len(rows) == 20
    assert {e.username for e in rows} == {"off"}


def test_the_review_query_count_does_not_grow_with_the_entries(
    login, manager, officer, org, django_assert_max_num_queries
):
    client = login(manager)
    people = [CaseFactory(authority_unit=org["authority"]).person for _ in range(2)]
    for p in people:
        log_access(user=officer, person=p, action=Action.READ)
    with CaptureQueriesContext(connection) as few:
        review(client)
    people += [CaseFactory(authority_unit=org["authority"]).person for _ in range(PAGE_SIZE)]
    for p in people * 2:
        log_access(user=officer, person=p, action=Action.READ)
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as many:
        _, rows = review(client)
    assert len(rows) == PAGE_SIZE
    assert len({e.person_id for e in rows}) == PAGE_SIZE
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "who", ["coordinator", "colleague", "officer", "analyst", "meeting_staff", "administrator"]
)
def test_only_managers_may_review_the_log(login, request, who):
    assert login(request.getfixturevalue(who)).get("/atkomstlogg/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_before_the_log(client, db):
    response = client.get("/atkomstlogg/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_contact_factory_contact_is_not_logged_by_itself(db):
    ContactFactory()
    assert not AccessLogEntry.objects.exists()


def test_an_entrys_hash_does_not_depend_on_the_time_zone_its_time_was_written_in(db):
    import datetime
    import zoneinfo

    at_utc = datetime.datetime(2026, 3, 1, 11, 0, tzinfo=datetime.UTC)
    at_stockholm = at_utc.astimezone(zoneinfo.ZoneInfo("Europe/Stockholm"))
    first = AccessLogEntry(at=at_utc, username="kim", record_type="person", action="read")
    second = AccessLogEntry(at=at_stockholm, username="kim", record_type="person", action="read")
    first.prev_hash = second.prev_hash = "0" * 64
    assert first.compute_hash() == second.compute_hash()


# --- one write for a page's reads ---------------------------------------------------------


def _inserts(queries) -> int:
    return sum('INSERT INTO "audit_accesslogentry"' in q["sql"] for q in queries.captured_queries)


def test_the_person_page_writes_all_its_reads_to_the_chain_at_once(login, coordinator, person):
    from delivery.models import Note

    Note.objects.create(
        person=person,
        happened_on=datetime.date(2026, 1, 5),
        text="Hembesök",
        written_by=coordinator,
        signed_by=coordinator,
        signed_at=timezone.now(),
    )
    client = login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/personer/{person.pk}/").status_code == 200

    assert _inserts(queries) == 1
    logged = set(
        AccessLogEntry.objects.filter(person_id=person.pk).values_list("record_type", "action")
    )
    assert {("person", "read"), ("journal_note", "read")} <= logged
    assert verify_chain() is None


def test_inside_one_write_a_change_is_logged_at_once_in_its_transaction(officer, person):
    from audit.events import one_write

    with one_write():
        log_access(user=officer, person=person, action=Action.READ)
        with transaction.atomic():
            log_access(user=officer, person=person, action=Action.UPDATE)
            assert entries_for(person, Action.UPDATE).count() == 1
        assert not entries_for(person, Action.READ).exists()  # written when the block ends
    assert entries_for(person, Action.READ).count() == 1
    assert verify_chain() is None


def test_reads_inside_one_write_are_logged_even_when_the_page_fails(officer, person):
    from audit.events import one_write

    with pytest.raises(RuntimeError), one_write():
        log_access(user=officer, person=person, action=Action.READ)
        with one_write():  # an inner block leaves the writing to the outer one
            log_access(user=officer, person=person, action=Action.READ, record_type="note")
        raise RuntimeError("the template failed")
    assert entries_for(person, Action.READ).count() == 2


# --- keyed hashes, rotation and the anchor outside the database (docs/access-log.md) ----------

OLD_KEY = {"old": b"o" * 32}
NEW_KEY = {"new": b"n" * 32}


def _rewrite(entries, *, key_id="unchanged", key=None):
    """What someone with write access to the database but without the key can do: change
    entries and recompute every hash from there, with the head moved to the new end."""
    prev = entries[0].prev_hash
    for entry in entries:
        entry.prev_hash = prev
        if key_id != "unchanged":
            entry.key_id = key_id
        entry.entry_hash = chain_hash(prev, entry.payload(), key)
        prev = entry.entry_hash
        _raw(
            "UPDATE audit_accesslogentry SET reason=%s, key_id=%s, prev_hash=%s, entry_hash=%s "
            "WHERE id=%s",
            [entry.reason, entry.key_id, entry.prev_hash, entry.entry_hash, entry.id],
        )
    _raw("UPDATE audit_chainhead SET last_hash=%s WHERE id=0", [prev])


def test_new_entries_are_keyed_with_the_first_key(logged):
    assert {e.key_id for e in logged} == {"dev"}
    plain = chain_hash(logged[0].prev_hash, logged[0].payload())
    assert logged[0].entry_hash != plain


@pytest.mark.parametrize(
    "how",
    [
        {"key": None},  # plain SHA-256, key id kept
        {"key": b"a guessed key of thirty-two bytes"},
        {"key": None, "key_id": None},  # the key id removed: as if written before keys
    ],
    ids=["plain-hash", "guessed-key", "key-id-removed"],
)
def test_an_edit_with_every_hash_recomputed_without_the_key_is_detected(logged, how):
    logged[1].reason = "ändrat i efterhand"
    _rewrite(logged[1:], **how)

    assert verify_chain().id == logged[1].id
    with pytest.raises(CommandError, match=rf"entry {logged[1].id}\b"):
        call_command("verify_access_log")


def test_entries_from_before_keys_still_verify_and_are_sealed_by_the_first_keyed_one(
    db, officer, person
):
    prev = GENESIS_HASH
    for reason in ["före", "också före"]:
        entry = AccessLogEntry(
            at=timezone.now(), username="off", record_type="person", action="read", reason=reason
        )
        entry.prev_hash = prev
        entry.entry_hash = entry.compute_hash()  # no key id: plain SHA-256, as before
        entry.save()
        prev = entry.entry_hash
    ChainHead.objects.update_or_create(pk=0, defaults={"last_hash": prev})
    log_access(user=officer, person=person, action=Action.READ)
    legacy = list(AccessLogEntry.objects.filter(key_id=None).order_by("id"))
    assert len(legacy) == 2
    assert verify_chain() is None

    legacy[0].reason = "ändrat"
    _rewrite(legacy)
    # The first keyed entry's HMAC covers the link to the old ones: it cannot be recomputed.
    assert verify_chain().id == AccessLogEntry.objects.get(key_id="dev").id


def test_entries_keyed_with_the_old_key_verify_after_a_new_key_is_added(
    db, settings, officer, person, capsys
):
    settings.BRYGGA_ACCESS_LOG_KEYS = OLD_KEY
    log_access(user=officer, person=person, action=Action.READ)
    settings.BRYGGA_ACCESS_LOG_KEYS = {**NEW_KEY, **OLD_KEY}
    log_access(user=officer, person=person, action=Action.UPDATE)

    keys = list(AccessLogEntry.objects.order_by("id").values_list("key_id", flat=True))
    assert keys == ["old", "new"]
    assert verify_chain() is None
    call_command("verify_access_log")
    assert "holds (2 entries" in capsys.readouterr().out

    settings.BRYGGA_ACCESS_LOG_KEYS = NEW_KEY  # the old key dropped too early
    with pytest.raises(CommandError, match="keyed with 'old', which is not in"):
        call_command("verify_access_log")


# The anchor


@pytest.fixture
def anchor(settings, tmp_path):
    path = tmp_path / "anchor" / "access-log.anchor"
    path.parent.mkdir()
    settings.BRYGGA_ACCESS_LOG_ANCHOR = str(path)
    return path


def test_without_an_anchor_the_verification_says_so(logged, capsys):
    call_command("verify_access_log")
    out = capsys.readouterr().out
    assert "No anchor outside the database is set (BRYGGA_ACCESS_LOG_ANCHOR)" in out
    assert "holds (5 entries)" in out


def test_anchoring_appends_the_head_with_its_hmac(logged, anchor, officer, person, capsys):
    call_command("anchor_access_log")
    log_access(user=officer, person=person, action=Action.READ)
    call_command("anchor_access_log")

    lines = [json.loads(line) for line in anchor.read_text().splitlines()]
    newest = AccessLogEntry.objects.order_by("-id").first()
    assert [line["heads"] for line in lines] == [
        {"0": [logged[-1].id, logged[-1].entry_hash]},
        {"0": [newest.id, newest.entry_hash]},
    ]
    assert {line["key"] for line in lines} == {"dev"}
    assert all(len(line["root"]) == 64 for line in lines)
    call_command("verify_access_log")
    assert "the 2 anchored heads match" in capsys.readouterr().out


def test_wiping_the_log_and_resetting_the_head_is_detected_by_the_anchor(logged, anchor):
    call_command("anchor_access_log")
    _raw("DELETE FROM audit_accesslogentry", [])
    _raw("UPDATE audit_chainhead SET last_hash=%s WHERE id=0", [GENESIS_HASH])

    assert verify_chain() is None  # what is left is a valid, empty chain
    with pytest.raises(CommandError, match=rf"entry {logged[-1].id}, anchored at"):
        call_command("verify_access_log")


def test_removing_the_newest_entries_is_detected_by_the_anchor(logged, anchor):
    call_command("anchor_access_log")
    _raw("DELETE FROM audit_accesslogentry WHERE id>%s", [logged[2].id])
    _raw("UPDATE audit_chainhead SET last_hash=%s WHERE id=0", [logged[2].entry_hash])

    assert verify_chain() is None
    with pytest.raises(CommandError, match=rf"entry {logged[-1].id}, anchored at"):
        call_command("verify_access_log")


def test_a_log_rewritten_wholly_without_keys_is_detected_by_the_anchor(logged, anchor):
    call_command("anchor_access_log")
    logged[1].reason = "ändrat"
    _rewrite(logged, key_id=None)  # every entry as if written before keys

    assert verify_chain() is None  # the chain alone cannot tell: that is what the anchor is for
    with pytest.raises(CommandError, match="anchored at"):
        call_command("verify_access_log")


def test_a_changed_anchor_line_is_detected(logged, anchor):
    call_command("anchor_access_log")
    line = json.loads(anchor.read_text())
    line["heads"]["0"] = [logged[2].id, logged[2].entry_hash]
    anchor.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="line 1 of the anchor was changed"):
        call_command("verify_access_log")


def test_a_missing_anchor_file_fails_the_verification(logged, anchor):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("verify_access_log")


def test_anchoring_refuses_a_head_that_does_not_verify(logged, anchor):
    _raw("UPDATE audit_accesslogentry SET reason=%s WHERE id=%s", ["ändrat", logged[-1].id])
    with pytest.raises(CommandError, match="nothing was anchored"):
        call_command("anchor_access_log")
    assert not anchor.exists()


def test_anchoring_needs_the_setting(logged):
    with pytest.raises(CommandError, match="BRYGGA_ACCESS_LOG_ANCHOR is not set"):
        call_command("anchor_access_log")


def test_a_manager_over_many_cases_sees_the_same_entries_tested_per_row(
    login, manager, outsider_officer, person, review_log, org, monkeypatch
):
    # Over MANY_CASES cases the manager's people are tested per entry instead of read into a
    # hash (people.access.works_with_many_cases): the same entries either way, lists too.
    elsewhere = CaseFactory(
        person=PersonFactory(first_name="Vera", last_name="Utanför"),
        authority_unit=org["other_authority"],
    ).person
    log_access(user=outsider_officer, person=elsewhere, action=Action.READ)
    log_list(user=outsider_officer, record_type="person", people=[person.pk, elsewhere.pk])
    log_list(user=outsider_officer, record_type="person", people=[elsewhere.pk])
    _, by_hash = review(login(manager))
    monkeypatch.setattr("people.access.MANY_CASES", 0)
    _, per_row = review(login(manager))

    def seen(rows):  # the review's own reads of the log aside
        return sorted((e.pk, e.username, e.action) for e in rows if e.username != "boss")

    assert seen(per_row) == seen(by_hash)
    assert {e.person_id for e in per_row} >= {person.pk, review_log["other"].pk}
    assert elsewhere.pk not in {e.person_id for e in per_row}
    lists = [e for e in per_row if e.person_id is None and e.username == "outsider"]
    assert len(lists) == 1  # the list naming the manager's person, not the one naming only Vera
