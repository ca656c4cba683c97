"""core.bulk.unsaved: the instance `model(**values)` makes, without Model.__init__'s cost."""

from __future__ import annotations

import datetime
import os
import uuid

import pytest

from core import bulk
from core.bulk import unsaved
from people.models import Case, CaseStatus, Person
from provision.models import Order
from tests.factories import PersonFactory


def _state(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if k not in ("_state", "id")}


def test_an_unsaved_instance_is_the_one_the_constructor_makes(db, org):
    person = PersonFactory()
    values = {
        "person": person,
        "authority_unit": org["authority"],
        "status": CaseStatus.OPEN,
        "opened_on": datetime.date(2015, 3, 1),
    }
    made, quick = Case(**values), unsaved(Case, **values)
    assert _state(quick) == _state(made)
    assert quick.person is person and quick.authority_unit is org["authority"]
    assert quick._state.adding and quick._state.db is None
    assert quick.pk is not None and quick.pk != made.pk  # a default called for each


def test_a_one_to_one_is_cached_both_ways_and_an_id_may_be_given(db, org):
    first = unsaved(Order, person_id=PersonFactory().pk, provider_unit=org["north"])
    second = unsaved(Order, replaces=first, person_id=first.person_id)
    assert second.replaces is first and second.replaces_id == first.pk
    assert Order.replaces.field.remote_field.get_cached_value(first) is second


def test_an_unknown_field_is_refused_as_the_constructor_refuses_it(db):
    with pytest.raises(TypeError, match="nonsense"):
        unsaved(Case, nonsense=1)


def test_ids_are_random_version_4_uuids_read_many_at_a_time(monkeypatch):
    reads = []
    real = bulk.os.urandom
    monkeypatch.setattr(bulk.os, "urandom", lambda n: reads.append(n) or real(n))
    monkeypatch.setattr(bulk, "_ids", [])  # a fresh pool (the fork handler clears the real one)
    ids = [bulk.uuid4() for _ in range(3 * bulk._IDS_READ)]
    assert len(set(ids)) == len(ids)
    assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)
    assert reads == [16 * bulk._IDS_READ] * 3  # one read per 256 ids, not one each
    # The 122 random bits are the bytes read, as uuid.uuid4 keeps them.
    assert uuid.UUID(bytes=bytes(16), version=4).int == bulk._VERSION_4


def test_a_uuid_default_comes_from_the_pool_and_other_defaults_as_before(db, org):
    assert Case._meta.pk.default is uuid.uuid4
    before = len(bulk._ids)
    unsaved(Case, authority_unit=org["authority"])
    assert len(bulk._ids) in (before - 1, bulk._IDS_READ - 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_hands_out_none_of_its_parents_ids():
    bulk.uuid4()  # the parent's pool is filled
    parent_left = list(bulk._ids)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.close(read)
        os.write(write, bulk.uuid4().bytes)
        os._exit(0)
    os.close(write)
    got = os.read(read, 16)
    os.waitpid(child, 0)
    os.close(read)
    assert uuid.UUID(bytes=got).int not in {(b & bulk._KEEP) | bulk._VERSION_4 for b in parent_left}


def test_rows_prepared_together_have_one_time_stamp_set_as_pre_save_sets_it(db):
    people = [unsaved(Person, first_name="Ada", last_name=name) for name in ("Ek", "Al")]
    stamps = [
        f
        for f in Person._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    assert len(stamps) == 2  # created_at, updated_at
    statement, rows = bulk._copy_of(Person, people)
    names = [f.attname for f in Person._meta.concrete_fields]
    for field in stamps:
        column = rows[0][names.index(field.attname)]
        assert isinstance(column, datetime.datetime) and column.tzinfo is not None
        assert [row[names.index(field.attname)] for row in rows] == [column, column]
        assert all(getattr(person, field.attname) == column for person in people)
