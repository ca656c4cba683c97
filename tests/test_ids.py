"""core.ids.new_id: every record's UUID key is time-ordered (version 7), random in the rest."""

from __future__ import annotations

import os
import uuid

import pytest
from django.apps import apps
from django.db import connection, models

from core import ids
from core.ids import new_id
from people.models import Person
from tests.factories import PersonFactory


def test_ids_are_version_7_with_74_random_bits_read_many_at_a_time(monkeypatch):
    reads = []
    real = ids.os.urandom
    monkeypatch.setattr(ids.os, "urandom", lambda n: reads.append(n) or real(n))
    monkeypatch.setattr(ids, "_bits", [])  # a fresh pool (the fork handler clears the real one)
    made = [new_id() for _ in range(3 * ids._IDS_READ)]
    assert len(set(made)) == len(made)
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in made)
    assert reads == [10 * ids._IDS_READ] * 3  # one read per 256 ids, not one each
    # The low 80 bits, version and variant set aside, are random: every one of them varies.
    varying = 0
    for made_id in made:
        varying |= (made_id.int ^ made[0].int) & ((1 << 80) - 1)
    assert bin(varying).count("1") == 74


def test_ids_carry_the_millisecond_they_were_made_in(monkeypatch):
    monkeypatch.setattr(ids, "_clock", lambda: 1_796_000_000_123_456_789)
    made = new_id()
    assert made.int >> 80 == 1_796_000_000_123
    monkeypatch.setattr(ids, "_clock", lambda: 1_796_000_000_124_000_000)
    assert new_id() > made  # a later millisecond sorts after, whatever the random bits


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_hands_out_none_of_its_parents_random_bits():
    new_id()  # the parent's pool is filled
    parent_left = {bits & ids._RANDOM for bits in ids._bits}
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.close(read)
        os.write(write, new_id().bytes)
        os._exit(0)
    os.close(write)
    got = os.read(read, 16)
    os.waitpid(child, 0)
    os.close(read)
    assert uuid.UUID(bytes=got).int & ids._RANDOM not in parent_left


def test_every_uuid_key_and_uuid_default_of_ours_is_made_by_new_id():
    ours = [
        field
        for model in apps.get_models()
        if not model.__module__.startswith("django")
        for field in model._meta.concrete_fields
        if isinstance(field, models.UUIDField) and field.has_default()
    ]
    assert len(ours) > 30
    assert {field.default for field in ours} == {new_id}, [
        f"{field.model.__name__}.{field.name}" for field in ours if field.default is not new_id
    ]


def test_people_registered_one_after_another_sort_in_that_order_in_the_database(db, monkeypatch):
    clock = iter(range(1_796_000_000_000_000_000, 1_796_000_100_000_000_000, 1_000_000))
    monkeypatch.setattr(ids, "_clock", lambda: next(clock))
    made = [PersonFactory().id for _ in range(20)]
    assert (
        list(Person.objects.filter(id__in=made).order_by("id").values_list("id", flat=True)) == made
    )
    if connection.vendor == "postgresql":  # uuid's own ordering, as the index keeps it
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM people_person WHERE id = ANY(%s) ORDER BY id", [made])
            assert [row[0] for row in cursor.fetchall()] == made
