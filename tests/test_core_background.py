"""core.background: work on the caller's connection in another thread, in its transaction."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, transaction

from organisation.models import Unit, UnitKind


def _add(name: str) -> tuple[str, int]:
    Unit.objects.create(name=name, kind=UnitKind.AUTHORITY)
    return threading.current_thread().name, Unit.objects.filter(name=name).count()


def test_work_runs_in_another_thread_inside_the_callers_transaction(db):
    from core.background import background

    with transaction.atomic(), background() as writer:
        writer.start(_add, "Bakgrundsenheten")
        thread, seen = writer.wait()
        assert thread.startswith("db-background") and seen == 1
        assert Unit.objects.filter(name="Bakgrundsenheten").exists()  # the same transaction
        transaction.set_rollback(True)
    assert not Unit.objects.filter(name="Bakgrundsenheten").exists()


def test_what_the_work_raises_is_raised_by_wait_and_the_connection_serves_on(db):
    from core.background import background

    Unit.objects.create(name="Finns", code="finns", kind=UnitKind.AUTHORITY)

    def duplicate() -> None:
        with transaction.atomic():
            Unit.objects.create(name="Finns igen", code="finns", kind=UnitKind.AUTHORITY)

    with background() as writer:
        writer.start(duplicate)
        with pytest.raises(IntegrityError):
            writer.wait()
        assert writer.wait() is None  # nothing under way any more
    assert Unit.objects.filter(code="finns").count() == 1


def test_one_piece_of_work_at_a_time(db):
    from core.background import background

    with background() as writer:
        writer.start(_add, "En")
        with pytest.raises(RuntimeError):
            writer.start(_add, "Två")
        writer.wait()
