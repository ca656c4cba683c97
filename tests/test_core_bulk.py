"""core.bulk: `unsaved`, the instance `model(**values)` makes without Model.__init__'s cost;
the rows COPY writes, formatted when they are prepared."""

from __future__ import annotations

import datetime
import io
import json
import uuid

import pytest
from django.db import connection
from psycopg.copy import Copy, FileWriter

from core import bulk, ids
from core.bulk import unsaved
from core.ids import new_id
from history.models import ImportRun
from people.models import Case, CaseStatus, NumberKind, Person
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


def test_a_uuid_key_comes_from_new_id_and_other_defaults_as_before(db, org):
    assert Case._meta.pk.default is new_id
    before = len(ids._bits)
    case = unsaved(Case, authority_unit=org["authority"])
    assert len(ids._bits) in (before - 1, ids._IDS_READ - 1)
    assert case.id.version == 7
    assert case.status == CaseStatus.OPEN


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


# Text COPY would read wrongly if it were not escaped: its field and line ends, its escape
# character, its NULL (`\N` as text), the other escapes it knows, text outside ASCII.
AWKWARD = ("a\tb", "two\nlines\r\n", "back\\slash", "\\N", "\b\f\v", "Åsa Öström", "", " ")


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; elsewhere bulk_create writes the rows")


def test_rows_are_formatted_for_copy_as_psycopg_writes_them_row_by_row(db):
    """`copy_data` gives the bytes `Copy.write_row` sends for each kind of value the import
    writes: a UUID, a date, a time with its zone, a truth value, nothing, JSON text, a number,
    text with everything text COPY escapes."""
    _postgresql_only()
    at = datetime.datetime(2024, 3, 31, 1, 59, 58, 123456, tzinfo=datetime.UTC)
    rows = [
        (
            uuid.uuid4(),
            datetime.date(1999, 12, 31),
            at,
            flag,
            None,
            json.dumps({"k": text}),
            n,
            text,
        )
        for n, (flag, text) in enumerate(zip([True, False] * 4, AWKWARD, strict=True))
    ]
    sent = io.BytesIO()
    with (
        connection.cursor() as cursor,
        Copy(cursor.cursor, binary=False, writer=FileWriter(sent)) as copy,
    ):
        for row in rows:
            copy.write_row(row)
    assert bulk.copy_data(rows) == sent.getvalue()
    assert b"\\\\N" in sent.getvalue() and b"\\t" in sent.getvalue()  # escaped, as it must be


def test_awkward_values_copied_come_back_as_they_were(db, manager, monkeypatch):
    """Through COPY (every insert one here) and back: each text, time, number and JSON value as
    it was given, with `insert` and with `insert_values`."""
    _postgresql_only()
    monkeypatch.setattr(bulk, "COPY_FROM", 1)
    born = datetime.date(1961, 2, 28)
    people = [
        unsaved(
            Person,
            first_name=text,
            last_name=f"{n}",
            reserve_number=f"R\\{n}",
            number_kind=NumberKind.RESERVE,
            birth_date=born if n % 2 else None,
        )
        for n, text in enumerate(AWKWARD)
    ]
    prepared = bulk.prepare(Person, people)
    assert prepared.statement and prepared.data  # formatted when prepared
    bulk.insert_prepared(prepared)
    back = {p.pk: p for p in Person.objects.all()}
    for person in people:
        got = back[person.pk]
        assert (got.first_name, got.reserve_number) == (person.first_name, person.reserve_number)
        assert got.birth_date == person.birth_date
        assert (got.protected_identity, got.created_at) == (False, person.created_at)
    at = datetime.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
    names = ("source", "file_name", "file_sha256", "by_id", "at", "lines", "rejected")
    names += ("created", "changes")
    runs = [
        ("s", text, "0" * 64, manager.pk, at, n, 0, json.dumps({text: n}), json.dumps([text]))
        for n, text in enumerate(AWKWARD)
    ]
    bulk.insert_values(ImportRun, names, runs)
    stored = ImportRun.objects.order_by("lines").values_list(
        "file_name", "at", "created", "changes"
    )
    assert list(stored) == [(text, at, {text: n}, [text]) for n, text in enumerate(AWKWARD)]
