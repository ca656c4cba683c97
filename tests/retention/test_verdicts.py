"""The daily culling does not assess again a person whose records an earlier verdict keeps,
until something that verdict rests on changes (issue 17: culling at scale)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Case, Person
from retention import actions, rules
from retention.models import CullRecord, RetentionVerdict
from tests.retention.conftest import set_all_dates

D = datetime.date
TODAY = D(2026, 1, 1)


@pytest.fixture
def assessed(monkeypatch):
    """The ids of the people `assess` looked at, run by run."""
    seen: list = []
    real = rules.assess_many

    def counting(people, today, **kw):
        seen.extend(person.pk for person in people)
        return real(people, today, **kw)

    monkeypatch.setattr(actions, "assess_many", counting)
    return seen


def test_a_person_kept_for_research_is_assessed_once_then_kept_without_assessing(
    make_person, assessed
):
    kept = make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10))
    actions.cull(TODAY)
    assert assessed == [kept.pk]
    assert RetentionVerdict.objects.get(person_id=kept.pk).rule == "research_birth_day"

    assessed.clear()
    assert actions.cull(TODAY) == []
    assert assessed == []
    assert actions.kept_without_assessing(TODAY) == 1
    assert Person.objects.filter(pk=kept.pk).exists()


def test_a_change_to_the_person_s_details_makes_them_assessed_again(make_person, assessed):
    person = make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10))
    actions.cull(TODAY)
    # The birth date was wrong: the person was born on the 16th, not a research day.
    Person.objects.filter(pk=person.pk).update(
        birth_date=D(1980, 6, 16),
        personal_number=person.personal_number[:6] + "16" + person.personal_number[8:],
        updated_at=datetime.datetime(2018, 1, 11, tzinfo=datetime.UTC),
    )
    # (A change today would make the person's record not due for five years; the change is
    # dated a day after the verdict's stamp, so that only "something changed" decides.)
    assessed.clear()
    (culled,) = actions.cull(TODAY)
    assert set(assessed) == {person.pk} and culled.person_id == person.pk
    assert not RetentionVerdict.objects.filter(person_id=person.pk).exists()


def test_a_change_to_a_case_makes_a_kept_person_assessed_again(make_person, assessed):
    person = make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10))
    actions.cull(TODAY)
    stored = RetentionVerdict.objects.get(person_id=person.pk)
    assert stored.stamp == datetime.datetime(2018, 1, 10, 11, tzinfo=datetime.UTC)  # 12:00 CET
    assessed.clear()
    assert actions.cull(TODAY) == [] and assessed == []

    # A case saved after the verdict (here: reopened and closed again, back in 2019).
    Case.objects.filter(person=person).update(
        last_entry_at=datetime.datetime(2019, 3, 1, tzinfo=datetime.UTC)
    )
    assert actions.cull(TODAY) == []  # still born on the 15th: kept, but assessed again
    assert assessed == [person.pk]
    stored.refresh_from_db()
    assert stored.stamp == datetime.datetime(2019, 3, 1, tzinfo=datetime.UTC)
    assessed.clear()
    assert actions.cull(TODAY) == [] and assessed == []


def test_a_withdrawn_exception_ends_the_verdict_and_the_records_go(make_person, manager, assessed):
    person = make_person(last_entry=D(2018, 1, 10))
    exception = actions.mark_exception(user=manager, case=person.cases.get(), reason="Tvist")
    set_all_dates(person.pk, D(2018, 1, 10))
    assert actions.cull(TODAY) == []
    assessed.clear()
    assert actions.cull(TODAY) == [] and assessed == []

    actions.withdraw_exception(user=manager, exception=exception)
    (culled,) = actions.cull(TODAY)
    assert culled.person_id == person.pk


def test_a_closed_case_ends_the_open_case_verdict(make_person, assessed):
    person = make_person(last_entry=D(2018, 1, 10), open_case=True)
    assert actions.cull(TODAY) == []
    assessed.clear()
    assert actions.cull(TODAY) == [] and assessed == []

    Case.objects.filter(person=person).update(status="closed", closed_on=D(2018, 1, 10))
    set_all_dates(person.pk, D(2018, 1, 10))
    (culled,) = actions.cull(TODAY)
    assert culled.person_id == person.pk


def test_a_not_yet_due_verdict_waits_for_its_day(make_person, assessed):
    # Changed five years ago, but an entry of 1 June 2020 keeps the record until 1 June 2025.
    person = make_person(last_entry=D(2020, 6, 1))
    assert actions.plan_culling(D(2025, 5, 31)) == []
    stored = RetentionVerdict.objects.get(person_id=person.pk)
    assert (stored.rule, stored.due_on) == ("not_due", D(2025, 6, 1))

    assessed.clear()
    assert actions.plan_culling(D(2025, 5, 31)) == [] and assessed == []
    (verdict,) = actions.plan_culling(D(2025, 6, 1))
    assert verdict.cull and assessed == [person.pk]


def test_a_dry_run_stores_no_verdict(make_person):
    from django.core.management import call_command

    make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10))
    call_command("cull", "--dry-run", "--today", "2026-01-01")
    assert not RetentionVerdict.objects.exists()


def test_a_daily_run_over_kept_people_costs_the_same_queries_however_many_they_are(
    make_person,
):
    make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10))
    actions.cull(TODAY)
    with CaptureQueriesContext(connection) as one:
        actions.cull(TODAY)
    for day in (5, 25, 15):
        make_person(birth=D(1981, 2, day), last_entry=D(2018, 1, 10))
    actions.cull(TODAY)
    with CaptureQueriesContext(connection) as four:
        actions.cull(TODAY)
    assert len(four) == len(one)


# Many people at once: the first culling of a long history


def test_people_assessed_together_get_each_the_verdict_and_rows_they_get_alone(
    full_record, make_person
):
    from retention.graph import collect

    other = make_person(birth=D(1975, 3, 9))
    people = [full_record, other] + [
        make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10)),
        make_person(last_entry=D(2018, 1, 10)),
        make_person(last_entry=D(2018, 1, 10), open_case=True),
        make_person(last_entry=D(2024, 5, 1)),
    ]
    set_all_dates(other.pk, D(2019, 2, 1))
    for today in (TODAY, D(2030, 1, 1)):
        together = {v.person_id: v for v in rules.assess_many(people, today)}
        for person in people:
            alone = rules.assess(person, today)
            both = together[person.pk]
            assert (both.rule, both.last_entry_on, both.due_on, both.case_ids) == (
                alone.rule,
                alone.last_entry_on,
                alone.due_on,
                alone.case_ids,
            )
            alone_rows = {m: pks for m, pks in collect([person.pk]).rows.items() if pks}
            assert {m: pks for m, pks in both.record.rows.items() if pks} == alone_rows


def test_a_first_culling_reads_the_same_number_of_queries_for_more_people(make_person):
    def first_cull(count, born):
        for _ in range(count):
            make_person(birth=D(1980, 3, born), last_entry=D(2018, 1, 10))
        with CaptureQueriesContext(connection) as queries:
            culled = actions.cull(TODAY)
        assert len(culled) == count
        return len(queries)

    one = first_cull(1, 12)
    assert first_cull(6, 13) == one


# Assessed once, under the lock that culls (bench/README.md, "Culling, set-based")


def test_a_real_run_assesses_each_person_it_culls_once(make_person, assessed):
    going = [make_person(last_entry=D(2018, 1, 10)) for _ in range(3)]
    kept = make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10))
    culled = actions.cull(TODAY)
    assert {c.person_id for c in culled} == {p.pk for p in going}
    # Once each: a second assessment of the culled people (as before, in a plan and again
    # under the lock) would list them twice.
    assert sorted(assessed, key=str) == sorted([p.pk for p in going + [kept]], key=str)
    assert RetentionVerdict.objects.get(person_id=kept.pk).rule == "research_birth_day"


def test_the_cull_command_assesses_each_person_once(make_person, assessed):
    from django.core.management import call_command

    person = make_person(last_entry=D(2018, 1, 10))
    call_command("cull", stdout=io.StringIO())
    assert assessed == [person.pk]
    assert not Person.objects.filter(pk=person.pk).exists()


def test_an_entry_written_while_an_earlier_batch_is_culled_keeps_the_person(
    make_person, coordinator, assessed, monkeypatch
):
    """The candidates are chosen at the start; each batch is assessed only once it is locked,
    so an entry written meanwhile is seen (no window between the assessment and the lock)."""
    from delivery.actions import create_note

    first, second = sorted(
        (make_person(last_entry=D(2018, 1, 10)) for _ in range(2)), key=lambda p: p.pk
    )
    monkeypatch.setattr(actions, "CULL_BATCH", 1)
    real = actions.cull_people

    def culling(ids, today, **kw):
        done = real(ids, today, **kw)
        if ids == [first.pk]:  # the first batch is culled: the second person gets a note
            create_note(user=coordinator, person=second, happened_on=D(2025, 12, 30), text="Ny")
        return done

    monkeypatch.setattr(actions, "cull_people", culling)
    (culled,) = actions.cull(TODAY)
    assert culled.person_id == first.pk
    assert Person.objects.filter(pk=second.pk).exists()
    assert RetentionVerdict.objects.get(person_id=second.pk).rule == "not_due"
    assert sorted(assessed, key=str) == [first.pk, second.pk]


def test_a_person_changed_between_a_plan_and_its_culling_is_assessed_again_and_kept(
    make_person, assessed
):
    person = make_person(last_entry=D(2018, 1, 10))
    (verdict,) = actions.plan_culling(TODAY)
    assert verdict.cull
    # The number was wrong: born on the 15th, a research day (the person's details changed).
    Person.objects.filter(pk=person.pk).update(
        birth_date=D(1990, 3, 15),
        personal_number=person.personal_number[:6] + "15" + person.personal_number[8:],
        updated_at=datetime.datetime(2018, 1, 11, tzinfo=datetime.UTC),
    )
    assert actions.cull_planned([verdict], TODAY) == []
    assert assessed == [person.pk, person.pk]  # in the plan, and again under the lock
    assert Person.objects.filter(pk=person.pk).exists()
    assert RetentionVerdict.objects.get(person_id=person.pk).rule == "research_birth_day"


def test_culling_a_batch_deletes_with_one_statement_per_kind_of_record(make_person):
    """The deletes are set-based: more people in a batch, not more DELETE statements."""

    def deletes(count, born):
        for _ in range(count):
            make_person(birth=D(1980, 3, born), last_entry=D(2018, 1, 10))
        with CaptureQueriesContext(connection) as queries:
            assert len(actions.cull(TODAY)) == count
        return [q["sql"] for q in queries if q["sql"].startswith("DELETE")]

    one = deletes(1, 12)
    assert one and len(deletes(5, 13)) == len(one)


@pytest.mark.django_db(transaction=True)
def test_batches_culled_side_by_side_give_what_one_worker_gives(make_person, monkeypatch):
    """`cull --workers 2`: each batch in its own thread and connection; the same people go,
    each once, and the kept ones keep their verdicts."""
    from django.core.management import call_command

    monkeypatch.setattr(actions, "CULL_BATCH", 2)
    going = [make_person(last_entry=D(2018, 1, 10)) for _ in range(5)]
    kept = [make_person(birth=D(1980, 6, 15), last_entry=D(2018, 1, 10)) for _ in range(2)]
    call_command("cull", "--workers", "2", stdout=io.StringIO())
    assert set(Person.objects.values_list("pk", flat=True)) == {p.pk for p in kept}
    culled = CullRecord.objects.values_list("person_id", flat=True)
    assert sorted(culled, key=str) == sorted((p.pk for p in going), key=str)
    assert RetentionVerdict.objects.count() == 2
