"""The real cull on PostgreSQL walks, dates and removes the records inside the database
(`graph.DatabaseWalk`, `rules.entry_date_sql`): it must find what the walk in Python finds, and
remove every row of a culled person and nothing of a kept one (bench/README.md, "Culling,
set-based")."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, models, transaction
from django.utils import timezone

from people.models import Case, Person
from retention import actions, rules
from retention.graph import collect
from retention.models import CullRecord
from tests.retention.conftest import set_all_dates

D = datetime.date
TODAY = D(2026, 1, 1)
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the walk in the database is PostgreSQL's"
)


def _existing(record) -> dict[str, set]:
    """Of the record's rows, those still in the database, per model."""
    return {
        model._meta.label: set(
            models.QuerySet(model=model).filter(pk__in=list(pks)).values_list("pk", flat=True)
        )
        for model, pks in record.rows.items()
        if pks
    }


def _moved_back(person, manager, day=None):
    """The full record as if written long ago, its exception withdrawn and its cases closed."""
    from retention.models import RetentionException

    day = day or D(2019, 4, 1)
    for exception in RetentionException.objects.filter(case__person=person):
        actions.withdraw_exception(user=manager, exception=exception)
    Case.objects.filter(person=person).update(status="closed", closed_on=day)
    set_all_dates(person.pk, day)


@postgresql_only
def test_the_walk_in_the_database_gives_the_verdicts_and_counts_of_the_walk_in_python(
    full_record, make_person
):
    from delivery.models import Note

    # Dates at the edges of the rule: a time late in the evening (UTC) is the next day in
    # Stockholm, and an entry ahead of today never counts.
    set_all_dates(full_record.pk, D(2019, 6, 30))
    note = Note.objects.filter(person=full_record).first()
    late = datetime.datetime(2019, 6, 30, 23, 30, tzinfo=datetime.UTC)
    models.QuerySet(model=Note).filter(pk=note.pk).update(created_at=late)  # signed: no guard
    ahead = timezone.now() + datetime.timedelta(days=40)
    Person.objects.filter(pk=full_record.pk).update(
        personal_number="198003129801", birth_date=D(1980, 3, 12)
    )
    merged = make_person(last_entry=D(2018, 1, 10))
    Person.objects.filter(pk=merged.pk).update(merged_into=full_record)
    people = [full_record, merged] + [
        make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10)),
        make_person(last_entry=D(2018, 1, 10)),
        make_person(last_entry=D(2018, 1, 10), open_case=True),
        make_person(last_entry=D(2024, 5, 1)),
        make_person(),
    ]
    models.QuerySet(model=Case).filter(person=people[-1]).update(
        last_entry_at=ahead, opened_on=ahead.date()
    )
    for today in (TODAY, D(2030, 1, 1)):
        with transaction.atomic():
            in_python = rules.assess_many(people, today)
            in_database = rules.assess_many(people, today, in_database=True)
        assert in_python[0].last_entry_on == D(2019, 7, 1)
        for python, database in zip(in_python, in_database, strict=True):
            assert (python.person_id, python.rule, python.last_entry_on, python.case_ids) == (
                database.person_id,
                database.rule,
                database.last_entry_on,
                database.case_ids,
            )
            assert python.record.counts() == database.record.counts()


@postgresql_only
def test_a_batch_walked_in_the_database_costs_the_same_queries_however_many_people(make_person):
    from django.test.utils import CaptureQueriesContext

    def walk(count):
        people = [make_person(last_entry=D(2018, 1, 10)) for _ in range(count)]
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            rules.assess_many(people, TODAY, in_database=True)
        return len(queries)

    assert walk(1) == walk(4)


@pytest.mark.parametrize("full_record_goes", [True, False])
def test_a_cull_removes_every_row_of_a_culled_person_and_nothing_of_a_kept_one(
    full_record, manager, make_person, full_record_goes
):
    """A person with every kind of record and one with a few: one goes, the other is kept. On
    PostgreSQL the cull walks in the database, on SQLite in Python; both must leave exactly
    the kept record, row by row."""
    _moved_back(full_record, manager)
    birth_day = 12 if full_record_goes else 15  # the 15th: kept for research
    Person.objects.filter(pk=full_record.pk).update(
        personal_number=f"198003{birth_day}9801", birth_date=D(1980, 3, birth_day)
    )
    other = make_person(last_entry=D(2022, 4, 1) if full_record_goes else D(2018, 1, 10))
    going, kept = (full_record, other) if full_record_goes else (other, full_record)
    going_rows, kept_rows = collect([going.pk]), collect([kept.pk])
    assert len(collect([full_record.pk]).counts()) > 20

    (culled,) = actions.cull(TODAY)

    assert culled.person_id == going.pk
    assert culled.counts == going_rows.counts()
    assert all(not pks for pks in _existing(going_rows).values())
    assert _existing(kept_rows) == {m._meta.label: pks for m, pks in kept_rows.rows.items() if pks}
    assert CullRecord.objects.count() == 1
