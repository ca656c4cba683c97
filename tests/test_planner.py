"""core/planner.py: a block planned without parallel workers or with index lookups, and the
connection as before after it, also when the block fails (a kept connection serves the next
request)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from core.planner import index_lookups, without_parallel_workers


def _workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        return cursor.fetchone()[0]


def test_a_block_is_planned_without_parallel_workers_and_the_setting_comes_back(db):
    if connection.vendor != "postgresql":
        with without_parallel_workers():
            pass  # nothing to set elsewhere, and nothing fails
        return
    before = _workers()
    with without_parallel_workers():
        assert _workers() == "0"
    assert _workers() == before
    with pytest.raises(RuntimeError), without_parallel_workers():
        raise RuntimeError("the block failed")
    assert _workers() == before


def test_a_query_failing_in_a_transaction_raises_its_own_error_and_the_setting_comes_back(db):
    if connection.vendor != "postgresql":
        pytest.skip("the setting is PostgreSQL's")
    before = _workers()
    with (
        pytest.raises(DatabaseError, match="division by zero"),
        transaction.atomic(),
        without_parallel_workers(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert _workers() == before


def test_the_search_outside_own_cases_finds_the_same_people(org, login, officer):
    from tests.test_queries import add_people

    add_people(3, org["other_authority"], first_name="Kim", last_name="Fiktiv")
    add_people(2, org["other_authority"], first_name="Kim", last_name="Annan")
    response = login(officer).get("/personer/", {"q": "Kim Fiktiv"})
    assert len(response.context["outside"]) == 3
    assert {p.last_name for p in response.context["outside"]} == {"Fiktiv"}


def _plan(cursor, query: str, params=()) -> str:
    cursor.execute(f"EXPLAIN {query}", params)
    return "\n".join(row[0] for row in cursor.fetchall())


def test_a_table_the_planner_takes_for_small_is_read_by_index_in_the_block(db):
    """As in a transaction filling tables: statistics of a few rows, and a lookup by key."""
    if connection.vendor != "postgresql":
        with index_lookups():
            pass  # nothing to set elsewhere, and nothing fails
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE growing (id int PRIMARY KEY, name text)")
        cursor.execute("INSERT INTO growing SELECT n, 'x' FROM generate_series(1, 5) n")
        cursor.execute("ANALYZE growing")
        lookup = "SELECT name FROM growing WHERE id = %s"
        assert "Seq Scan" in _plan(cursor, lookup, [3])
        with index_lookups():
            assert "Index Scan" in _plan(cursor, lookup, [3])
            # A query no index serves still reads the table.
            assert "Seq Scan" in _plan(cursor, "SELECT id FROM growing WHERE name = 'x'")
        assert "Seq Scan" in _plan(cursor, lookup, [3])


def _seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        return cursor.fetchone()[0]


def test_index_lookups_end_with_the_block_also_when_it_fails(db):
    if connection.vendor != "postgresql":
        pytest.skip("the setting is PostgreSQL's")
    with transaction.atomic():
        with index_lookups():
            assert _seqscan() == "off"
        assert _seqscan() == "on"
        with pytest.raises(RuntimeError), index_lookups():
            raise RuntimeError("the block failed")
        assert _seqscan() == "on"
    with (
        pytest.raises(DatabaseError, match="division by zero"),
        transaction.atomic(),
        index_lookups(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert _seqscan() == "on"
