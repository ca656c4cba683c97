"""Culling: five years after the last entry, by the end of the following year, with exceptions."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from people.models import Case, Person
from retention import actions
from retention.graph import record_models
from retention.models import CullRecord
from retention.rules import add_years, deadline_for, due_on
from tests.retention.conftest import set_all_dates

D = datetime.date


def run_cull(*args) -> str:
    out = io.StringIO()
    call_command("cull", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {m._meta.label: models.QuerySet(model=m).count() for m in record_models()}


def verdict_rules(today) -> dict:
    """What the rules say today, without storing verdicts (as a dry run)."""
    return {v.person_id: v.rule for v in actions.plan_culling(today, remember=False)}


# The dates


@pytest.mark.parametrize(
    ("last_entry", "due", "deadline"),
    [
        (D(2020, 3, 10), D(2025, 3, 10), D(2026, 12, 31)),
        (D(2020, 12, 31), D(2025, 12, 31), D(2026, 12, 31)),
        (D(2021, 1, 1), D(2026, 1, 1), D(2027, 12, 31)),
        # 29 February: due on the last day of February five years later (lag (1930:173) 1 §).
        (D(2020, 2, 29), D(2025, 2, 28), D(2026, 12, 31)),
    ],
)
def test_due_five_years_after_the_last_entry_and_done_by_the_end_of_the_following_year(
    last_entry, due, deadline
):
    assert due_on(last_entry) == due
    assert deadline_for(due) == deadline


def test_both_periods_are_settings(settings):
    settings.BRYGGA_RETENTION_YEARS = 10
    settings.BRYGGA_RETENTION_DEADLINE_YEARS = 0
    assert due_on(D(2020, 3, 10)) == D(2030, 3, 10)
    assert deadline_for(D(2030, 3, 10)) == D(2030, 12, 31)


def test_a_record_is_kept_the_day_before_it_falls_due_and_listed_on_the_day(make_person):
    person = make_person(last_entry=D(2020, 3, 10))
    assert person.pk not in verdict_rules(D(2025, 3, 9))
    (verdict,) = actions.plan_culling(D(2025, 3, 10))
    assert (verdict.person_id, verdict.rule) == (person.pk, "retention_period")
    assert (verdict.last_entry_on, verdict.due_on, verdict.deadline) == (
        D(2020, 3, 10),
        D(2025, 3, 10),
        D(2026, 12, 31),
    )
    assert not verdict.overdue(D(2026, 12, 31))
    assert verdict.overdue(D(2027, 1, 1))


def test_the_newest_entry_of_any_record_counts_not_the_case_alone(make_person, coordinator):
    from delivery.actions import create_note

    person = make_person(last_entry=D(2019, 5, 2))
    note = create_note(user=coordinator, person=person, happened_on=D(2021, 8, 1), text="Besök")
    models.QuerySet(model=type(note)).filter(pk=note.pk).update(
        created_at=datetime.datetime(2021, 8, 1, 9, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2021, 8, 1, 9, tzinfo=datetime.UTC),
    )
    assert person.pk not in verdict_rules(D(2026, 7, 31))
    assert verdict_rules(D(2026, 8, 1))[person.pk] == "retention_period"


# The exceptions


@pytest.mark.parametrize("day", [5, 15, 25])
def test_people_born_on_the_5th_15th_or_25th_are_kept_for_research(make_person, day):
    person = make_person(birth=D(1985, 6, day), last_entry=D(2018, 1, 10))
    assert verdict_rules(D(2026, 1, 1))[person.pk] == "research_birth_day"
    run_cull()
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize(("day", "rule"), [(15, "research_birth_day"), (16, "retention_period")])
def test_a_coordination_numbers_day_has_sixty_added(make_person, day, rule):
    # 19850675... is born on the 15th; 19850676... on the 16th.
    person = make_person(birth=D(1985, 6, day), last_entry=D(2018, 1, 10), coordination=True)
    assert person.personal_number[6:8] == str(day + 60)
    assert verdict_rules(D(2026, 1, 1))[person.pk] == rule


def test_a_person_without_a_known_birth_day_is_kept_for_a_check_by_hand(org, make_person):
    person = make_person(last_entry=D(2018, 1, 10))
    Person.objects.filter(pk=person.pk).update(
        personal_number=None, reserve_number="R-2018-0001", number_kind="reserve", birth_date=None
    )
    assert verdict_rules(D(2026, 1, 1))[person.pk] == "birth_day_unknown"


def test_a_municipality_designated_for_research_keeps_everything(settings, make_person):
    person = make_person(last_entry=D(2015, 1, 10))
    settings.BRYGGA_RESEARCH_MUNICIPALITY = True
    assert verdict_rules(D(2026, 1, 1))[person.pk] == "research_municipality"
    out = run_cull()
    assert "nothing is culled" in out
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_case_marked_by_the_manager_keeps_the_records_until_withdrawn(make_person, manager):
    person = make_person(last_entry=D(2018, 1, 10))
    exception = actions.mark_exception(
        user=manager, case=person.cases.get(), reason="Pågående skadeståndsanspråk"
    )
    set_all_dates(person.pk, D(2018, 1, 10))  # marking is not an entry; this only pins dates
    assert verdict_rules(D(2026, 1, 1))[person.pk] == "case_exception"
    assert actions.cull(D(2026, 1, 1)) == []
    actions.withdraw_exception(user=manager, exception=exception)
    assert verdict_rules(D(2026, 1, 1))[person.pk] == "retention_period"


def test_marking_a_case_needs_a_reason(make_person, manager):
    from django.core.exceptions import ValidationError

    person = make_person()
    with pytest.raises(ValidationError):
        actions.mark_exception(user=manager, case=person.cases.get(), reason="  ")


# What a run removes


def test_the_dry_run_lists_exactly_what_the_real_run_removes(
    full_record, make_person, manager, settings
):
    from retention.models import RetentionException

    exception = RetentionException.objects.get(case__person=full_record)
    actions.withdraw_exception(user=manager, exception=exception)
    Case.objects.filter(person=full_record).update(status="closed", closed_on=D(2019, 4, 1))
    set_all_dates(full_record.pk, D(2019, 4, 1))
    Person.objects.filter(pk=full_record.pk).update(
        personal_number="198003129801", birth_date=D(1980, 3, 12)
    )
    recent = make_person()
    kept = make_person(birth=D(1970, 1, 25), last_entry=D(2019, 4, 1))

    out = run_cull("--dry-run", "--today", "2026-01-01")
    (going,) = [v for v in actions.plan_culling(D(2026, 1, 1)) if v.cull]
    planned = going.record.counts()
    assert f"CULL person {full_record.pk}" in out
    assert f"KEEP person {kept.pk}" in out and "research_birth_day" in out
    assert str(recent.pk) not in out
    for label, count in planned.items():
        assert f"{label} {count}" in out
    # Every kind of record the person had is going, the decisions and signed notes too.
    assert {"decisions.Decision", "delivery.Note", "documents.Attachment"} <= planned.keys()

    before = row_counts()
    actions.cull(D(2026, 1, 1))
    after = row_counts()
    removed = {
        label: before[label] - after[label] for label in before if before[label] != after[label]
    }
    assert removed == planned
    assert Person.objects.filter(pk__in=[recent.pk, kept.pk]).count() == 2

    culled = CullRecord.objects.get()
    assert culled.person_id == full_record.pk
    assert culled.counts == planned
    assert culled.rule == "retention_period"
    assert (culled.last_entry_on, culled.due_on, culled.deadline) == (
        D(2019, 4, 1),
        D(2024, 4, 1),
        D(2025, 12, 31),
    )
    assert "OVERDUE" in out  # 2026-01-01 is past the deadline of 2025-12-31


def test_running_again_removes_nothing_more(make_person):
    make_person(last_entry=D(2019, 4, 1))
    make_person(last_entry=D(2019, 4, 1))
    assert len(actions.cull(D(2026, 1, 1))) == 2
    before = row_counts()
    assert actions.cull(D(2026, 1, 1)) == []
    out = run_cull()
    assert "Culled 0 people." in out
    assert row_counts() == before
    assert CullRecord.objects.count() == 2


def test_a_person_with_a_new_entry_since_the_plan_is_not_culled(make_person, coordinator):
    from delivery.actions import create_note

    person = make_person(last_entry=D(2019, 4, 1))
    (verdict,) = actions.plan_culling(D(2026, 1, 1))
    create_note(user=coordinator, person=person, happened_on=D(2025, 12, 30), text="Ny kontakt")
    assert actions.cull_person(verdict.person_id, D(2026, 1, 1)) is None
    assert Person.objects.filter(pk=person.pk).exists()


def test_culling_writes_no_personal_data_to_the_log_or_the_output(make_person, caplog):
    person = make_person(last_entry=D(2019, 4, 1), first_name="Hemliga", last_name="Namnsson")
    with caplog.at_level(logging.DEBUG):
        out = run_cull("--dry-run", "--today", "2026-01-01") + run_cull()
    text = out + caplog.text
    for secret in ["Hemliga", "Namnsson", person.personal_number, person.personal_number[2:8]]:
        assert secret not in text
    assert str(person.pk) in out
    assert str(person.pk) not in caplog.text


def test_the_culling_is_in_the_access_log_and_the_cull_record_has_no_content(make_person):
    from audit.models import AccessLogEntry

    person = make_person(last_entry=D(2019, 4, 1), first_name="Hemliga")
    actions.cull(D(2026, 1, 1))
    entry = AccessLogEntry.objects.filter(person_id=person.pk, action="delete").get()
    assert (entry.user_id, entry.record_type, entry.detail) == (None, "person", "retention_period")
    culled = CullRecord.objects.get()
    stored = " ".join(str(getattr(culled, f.attname)) for f in CullRecord._meta.concrete_fields)
    assert "Hemliga" not in stored and person.personal_number not in stored


def test_a_real_run_refuses_a_future_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run_cull("--today", "2999-01-01")


def test_the_models_refusals_still_hold_outside_culling(full_record):
    from decisions.models import Decision, ImmutableError
    from delivery.models import Note, SignedNoteError

    with pytest.raises(ImmutableError):
        Decision.objects.filter(person=full_record).delete()
    with pytest.raises(SignedNoteError):
        Note.objects.filter(person=full_record).delete()
    assert apps.get_model("decisions", "Decision").objects.filter(person=full_record).exists()


def test_add_years_handles_the_leap_day():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), -4) == D(2020, 2, 29)


def test_a_last_entry_on_29_february_is_culled_on_28_february_five_years_later(make_person):
    person = make_person(last_entry=D(2020, 2, 29))
    assert person.pk not in verdict_rules(D(2025, 2, 27))
    assert verdict_rules(D(2025, 2, 28)) == {person.pk: "retention_period"}
    (culled,) = actions.cull(D(2025, 2, 28))
    assert culled.due_on == D(2025, 2, 28)
    assert not Person.objects.filter(pk=person.pk).exists()


# An open case


def test_culling_never_takes_an_open_case(make_person):
    person = make_person(last_entry=D(2019, 4, 1), open_case=True)
    assert verdict_rules(D(2026, 1, 1)) == {person.pk: "open_case"}
    out = run_cull("--today", "2026-01-01")
    assert f"KEEP person {person.pk}" in out and "open_case" in out
    assert actions.cull(D(2026, 1, 1)) == []
    assert Person.objects.filter(pk=person.pk).exists()
    assert not CullRecord.objects.exists()


def test_an_open_case_past_the_retention_period_is_shown_to_the_manager(
    make_person, login, manager
):
    from django.utils import timezone

    long_ago = add_years(timezone.localdate(), -6)
    forgotten = make_person(last_entry=long_ago, open_case=True, last_name="Glömdsson")
    make_person(last_entry=long_ago, last_name="Stängdsson")  # closed: culled, not shown
    make_person(open_case=True, last_name="Aktivsson")  # open and recent: not shown

    page = login(manager).get("/registerutdrag/").content.decode()

    assert "Open cases past the retention period" in page
    assert "Glömdsson" in page and f"/registerutdrag/person/{forgotten.pk}/" in page
    assert "Stängdsson" not in page and "Aktivsson" not in page
    person_page = login(manager).get(f"/registerutdrag/person/{forgotten.pk}/").content.decode()
    assert "A case is still open" in person_page


def test_culling_a_person_removes_the_extract_files_made_about_them(make_person, manager):
    from jobs.models import Job, JobFile

    person = make_person(last_entry=D(2019, 4, 1))
    job = Job.objects.create(kind="retention.extract", title="Registerutdrag", person_id=person.pk)
    JobFile.objects.create(
        job=job, name="registerutdrag.pdf", content_type="application/pdf", data=b"%PDF"
    )
    assert len(actions.cull(D(2026, 1, 1))) == 1
    assert not Job.objects.filter(pk=job.pk).exists() and not JobFile.objects.exists()
