"""One entry per person (audit.events.one_entry_per_person, combined): what a block logs about
each person, one record at a time or in bulk, is written when it ends as one entry naming every
record in its detail; nothing when the block fails; the chain verifies."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from audit.events import (
    Access,
    append_accesses,
    combined,
    combined_items,
    log_access,
    log_list,
    one_entry_per_person,
    verify_chain,
)
from audit.models import AccessLogEntry, Action


class Failed(Exception):
    pass


def test_a_blocks_entries_are_one_per_person_naming_every_record(db, officer):
    anna, bo = uuid.uuid4(), uuid.uuid4()
    case, intake = uuid.uuid4(), uuid.uuid4()
    with transaction.atomic(), one_entry_per_person(user=officer, record_type="run", record_id=7):
        assert log_access(user=officer, person=anna, action=Action.CREATE, record_id=anna) is None
        log_access(
            user=officer, person=anna, action=Action.CREATE, record_type="case", record_id=case
        )
        append_accesses(
            user=officer,
            accesses=[
                Access(bo, "intake", intake, Action.CREATE),
                Access(bo, "intake", intake, Action.UPDATE, detail="closed with a reason"),
            ],
        )
        assert AccessLogEntry.objects.count() == 0  # written when the block ends
    entries = {e.person_id: e for e in AccessLogEntry.objects.all()}
    assert set(entries) == {anna, bo}
    for entry in entries.values():
        assert (entry.record_type, entry.record_id, entry.action) == ("run", "7", "create")
        assert entry.username == officer.username
    assert sorted(combined_items(entries[anna].detail)) == [
        ("case", str(case), "create", ""),
        ("person", str(anna), "create", ""),
    ]
    assert combined_items(entries[bo].detail) == [
        ("intake", str(intake), "create", ""),
        ("intake", str(intake), "update", "closed with a reason"),
    ]
    assert verify_chain() is None


def test_a_failed_block_logs_nothing_and_a_list_is_logged_as_a_list(db, officer):
    person = uuid.uuid4()
    with pytest.raises(Failed), one_entry_per_person(user=officer, record_type="run"):
        log_access(user=officer, person=person, action=Action.CREATE)
        raise Failed
    assert AccessLogEntry.objects.count() == 0
    with one_entry_per_person(user=officer, record_type="run"):
        log_list(user=officer, record_type="person", people=[person])
        assert AccessLogEntry.objects.get().people == (str(person),)


def test_an_inner_block_is_gathered_by_the_outer_one(db, officer):
    person = uuid.uuid4()
    with one_entry_per_person(user=officer, record_type="run", record_id=1):
        log_access(user=officer, person=person, action=Action.READ)
        with one_entry_per_person(user=officer, record_type="other", record_id=2):
            log_access(user=officer, person=person, action=Action.UPDATE, record_type="case")
    entry = AccessLogEntry.objects.get()
    assert (entry.record_type, entry.action) == ("run", "update")
    assert len(combined_items(entry.detail)) == 2


def test_the_same_accesses_in_another_order_make_the_same_entries():
    people = [uuid.uuid4(), str(uuid.uuid4())]
    accesses = [
        Access(people[0], "decision", "d1", Action.CREATE),
        Access(None, "intake", "i1", Action.CREATE),
        Access(people[1], "order", "o1", Action.UPDATE, reason="asked by the court"),
        Access(people[0], "order", "o2", Action.DELETE),
        Access(uuid.UUID(people[1]), "order", "o1", Action.READ),
    ]
    made = combined(accesses, record_type="run", record_id=3)
    again = combined(list(reversed(accesses)), record_type="run", record_id=3)
    assert sorted(made, key=str) == sorted(again, key=str)
    by_person = {a.person_id: a for a in made}
    # One per person, a str and a UUID of the same id alike, and the unidentified apart.
    assert set(by_person) == {people[0], uuid.UUID(people[1]), None}
    assert by_person[people[0]].action == Action.DELETE
    assert by_person[uuid.UUID(people[1])].action == Action.UPDATE
    assert by_person[uuid.UUID(people[1])].reason == "asked by the court"
    assert by_person[None].action == Action.CREATE
