"""The officer's "Decisions whose letter has not been sent", read through the mark the database
keeps on each decision (`Decision.letter_sent`, decisions.0014): a decision leaves the list, and
its "not sent" tag leaves the person page, once a delivery is recorded, however it is recorded,
and a write of a copy read before the delivery does not bring it back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from decisions import actions
from decisions.models import Decision, LetterDelivery
from decisions.sections import UNSENT, officer_worklist_rows
from tests.decisions.test_left_in_force import migration, run_sql, vendor_sql
from tests.decisions.test_sections import rendered_section
from tests.test_worklist_pages import _every_page

URL = "/arbetslista/beslut-utan-brev/"
TODAY = datetime.date(2026, 11, 23)


def unsent(officer) -> list[Decision]:
    return list(officer_worklist_rows(officer, TODAY)["unsent"])


def delivered(officer, decision: Decision) -> LetterDelivery:
    return actions.record_delivery(
        user=officer, decision=decision, method="post", sent_on=decision.decided_on
    )


@pytest.fixture
def decisions(decide, apply):
    """Three decisions of one person on three days, none of their letters sent."""
    return [
        decide(application=apply(), decided_on=datetime.date(2026, 3, day)) for day in (2, 3, 4)
    ]


def test_a_recorded_delivery_takes_the_decision_off_the_list_and_the_person_page(
    officer, person, decisions
):
    first = decisions[0]
    assert unsent(officer) == decisions
    assert rendered_section(officer, person).count("not sent") == 3
    delivered(officer, first)
    first.refresh_from_db()
    assert first.letter_sent
    assert unsent(officer) == decisions[1:]
    assert rendered_section(officer, person).count("not sent") == 2


def test_no_write_of_a_copy_read_before_the_delivery_unsends_the_letter(officer, decisions):
    stale = Decision.objects.get(pk=decisions[0].pk)
    delivered(officer, decisions[0])
    stale.participants = "Sekreterare"
    # As a correction writes decisions (decisions.actions), here with every field of the copy.
    fields = [f.name for f in Decision._meta.concrete_fields if not f.primary_key]
    Decision._base_manager.bulk_update([stale], fields)
    stale.refresh_from_db()
    assert stale.participants == "Sekreterare"
    assert stale.letter_sent
    assert decisions[0] not in unsent(officer)


def test_deliveries_inserted_in_bulk_mark_their_decisions(officer, decisions):
    LetterDelivery.objects.bulk_create(
        LetterDelivery(decision=d, method="post", sent_on=d.decided_on, recorded_by=officer)
        for d in decisions[:2]
    )
    marked = {d.pk: d.letter_sent for d in Decision.objects.all()}
    assert marked == {decisions[0].pk: True, decisions[1].pk: True, decisions[2].pk: False}
    assert unsent(officer) == decisions[2:]


def test_a_decision_recorded_from_an_earlier_system_is_never_listed(officer, decisions):
    Decision._base_manager.filter(pk=decisions[1].pk).update(from_history=True)
    assert unsent(officer) == [decisions[0], decisions[2]]


def test_the_list_page_pages_through_every_unsent_decision_in_order(login, officer, decide, apply):
    made = [
        decide(application=apply(), decided_on=datetime.date(2026, 3, 2) + datetime.timedelta(n))
        for n in range(27)
    ]
    for decision in made[::3]:
        delivered(officer, decision)
    rows = _every_page(login(officer), URL)
    expected = sorted(
        (d for n, d in enumerate(made) if n % 3), key=lambda d: (d.decided_on, d.number)
    )
    assert rows == expected
    assert len(rows) == 18


def test_the_migration_marks_the_decisions_already_delivered(officer, decisions):
    """Its backfill, run on decisions whose marks were lost (the triggers dropped meanwhile);
    the triggers made again keep the mark."""
    module = migration("0014_letter_sent")
    delivered(officer, decisions[1])
    run_sql(vendor_sql(module, "_REVERSE"))
    run_sql(["UPDATE decisions_decision SET letter_sent = false"])
    assert not Decision.objects.filter(letter_sent=True).exists()
    run_sql([module.BACKFILL, *vendor_sql(module)])
    assert list(Decision.objects.filter(letter_sent=True)) == [decisions[1]]
    run_sql(["UPDATE decisions_decision SET letter_sent = false"])
    assert list(Decision.objects.filter(letter_sent=True)) == [decisions[1]]
    delivered(officer, decisions[2])
    assert unsent(officer) == [decisions[0]]


def test_the_list_reads_the_unsent_from_their_own_index(officer, decisions):
    """On PostgreSQL the list is read from `decision_unsent_idx` in its order, not by testing
    every decision of the officer's cases for a delivery (bench/README.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan asked of PostgreSQL")
    query = UNSENT.rows(officer, TODAY).order_by(*UNSENT.keys)[:10]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "decision_unsent_idx" in plan, plan
    assert "decisions_letterdelivery" not in plan, plan


def test_the_statement_triggers_plan_a_probe_per_inserted_row(db):
    """Their plan, made once a session, stays nested loops (decisions.0014): a first insert of
    many rows must not leave later one-row inserts hashing the whole table."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's functions")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname IN "
            "('decisions_decision_letter_sent', 'decisions_application_decided')"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"decisions_decision_letter_sent", "decisions_application_decided"}
    for config in found.values():
        assert {"enable_hashjoin=off", "enable_mergejoin=off"} <= set(config)
