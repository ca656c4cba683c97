"""The history import in batches (history/batch.py) gives the same records as one line at a time
through the actions: a mixed file of new people, an existing person, a corrected re-import,
lines the rules refuse and lines in several batches, loaded both ways from the same start."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from audit.events import combined_items
from audit.models import AccessLogEntry
from core.bulk import unsaved
from decisions.actions import require_authority_work
from decisions.models import Application, Decision
from history import fictional
from history.batch import Batches
from history.importer import LOGGED_AS, Target, load, validate_file
from history.models import ImportedRecord, ImportRun
from intake.models import Intake
from organisation.permissions import Level
from people.models import Case, Person
from provision.closure import require_provider_work
from provision.models import Closure, FollowUp, Order
from tests.factories import PersonFactory, SupportKindFactory
from tests.history.test_import import example_lines, run, write

MODELS = [Person, Case, Intake, Application, Decision, Order, Closure, FollowUp]


class Undo(Exception):
    pass


def _labels() -> dict[str, str]:
    """A name for each record that does not depend on its random id."""
    labels: dict[str, str] = {}
    for p in Person.objects.all():
        labels[str(p.pk)] = f"person {p.personal_number or p.reserve_number}"
    for r in ImportedRecord.objects.all():
        labels.setdefault(r.object_id, f"{r.source} {r.kind} {r.external_id}")
    for c in Case.objects.all():
        labels.setdefault(str(c.pk), f"case of {labels[str(c.person_id)]} {c.opened_on}")
    for d in Decision.objects.all():
        labels[str(d.application_id)] = f"application {d.number}"
    for o in Order.objects.select_related("decision"):
        labels[str(o.pk)] = f"order {o.decision.number}"
    for f in FollowUp.objects.all():
        labels[str(f.pk)] = f"follow-up {labels[str(f.closure_id)]} {f.months}"
    return labels


def _shown(value, labels: dict[str, str]):
    if isinstance(value, uuid.UUID):
        value = str(value)
    return labels.get(value, value) if isinstance(value, str) else value


def _entry(entry: tuple, labels: dict[str, str], run: ImportRun) -> tuple:
    """An entry with its ids shown by what they name: an imported person's entry names its
    run and, in its detail, each record it made (`combined_items`)."""
    person_id, record_type, record_id, action, detail, username = entry
    if record_type == LOGGED_AS:
        record_id = "this run" if record_id == str(run.pk) else "an earlier run"
        detail = tuple(
            sorted(tuple(_shown(v, labels) for v in item) for item in combined_items(detail))
        )
    shown = (person_id, record_type, record_id, action, detail, username)
    return tuple(_shown(v, labels) for v in shown)


def snapshot(run: ImportRun) -> dict:
    labels = _labels()
    result: dict = {}
    for model in MODELS:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not isinstance(f, models.DateTimeField)
        ]
        rows = model.objects.values_list(*names)
        result[model.__name__] = sorted(
            tuple(f"{n}={_shown(v, labels)!r}" for n, v in zip(names, row, strict=True))
            for row in rows
        )
    entries = AccessLogEntry.objects.order_by("pk").values_list(
        "person_id", "record_type", "record_id", "action", "detail", "username"
    )
    result["access log"] = Counter(_entry(e, labels, run) for e in entries)
    result["records"] = sorted(ImportedRecord.objects.values_list("source", "kind", "external_id"))
    result["run"] = (run.created, sorted(run.changes), run.rejected)
    return result


def mixed_file(tmp_path) -> list[dict]:
    """The example re-imported with corrections, with new people, a person already in
    Brygga, lines the rules refuse, a reserve number on two lines."""
    lines = example_lines()
    lines[0]["closure"]["closed_on"] = "2012-12-01"  # corrected
    lines[1]["decisions"][0]["period_to"] = "2013-06-30"  # corrected
    extra = fictional.lines(40, seed=7)
    extra[3]["decisions"] = [  # decided before it was applied for: validate_decision refuses
        {"id": "BAD-1", "applied_on": "2015-05-01", "decided_on": "2015-04-01", "outcome": "grant"}
    ]
    extra[5]["closure"] = {"closed_on": "2000-01-01"}  # before support started, if it did
    # Text COPY would read wrongly unescaped: the same text must arrive both ways.
    extra[0]["first_name"] = "Dag\\Åke"
    extra[0]["intakes"][0]["reason"] = "Flyttade\ttill\nannan kommun \\N \\ åter\r"
    extra[1]["decisions"][0]["reasons"] = "\\t är inte en tabb;\b\f\v"
    twin = {**extra[8], "id": "TWIN", "intakes": [], "decisions": [], "closure": None}
    for line in (extra[8], twin):
        line.pop("personal_number", None)
        line["reserve_number"] = "RES-TWIN"
    return [*lines, *extra, twin]


@pytest.fixture
def kind(org):
    kind = SupportKindFactory(code="bryta-isolering")
    kind.provider_units.add(org["north"])
    return kind


@pytest.fixture
def mixed(kind, manager, org, tmp_path):
    run(write(tmp_path, example_lines()[:4]), manager)  # the first import of the source
    PersonFactory(personal_number="198107129803", first_name="Finns", last_name="Redan")
    lines = mixed_file(tmp_path)
    path = write(tmp_path, lines)
    checked = validate_file(path.read_text(encoding="utf-8").splitlines())
    target = Target(
        user=manager,
        authority_unit=org["authority"],
        support_kind=kind,
        provider_unit=org["north"],
        source="gamla",
    )
    return checked, target


def load_and_look(checked, target, *, batched: bool) -> tuple[dict, list[str]]:
    """Load, take the snapshot, undo."""
    seen: dict = {}
    before = list(ImportRun.objects.values_list("pk", flat=True))
    with pytest.raises(Undo), transaction.atomic():
        loaded = load(
            checked.rows,
            target,
            file_name="f",
            file_sha256="0" * 64,
            lines=checked.lines,
            rejected=0,
            batched=batched,
        )
        seen["snapshot"] = snapshot(ImportRun.objects.exclude(pk__in=before).get())
        seen["rejections"] = sorted(str(r) for r in loaded.rejections)
        seen["counts"] = loaded.counts
        raise Undo
    return seen["snapshot"], seen["rejections"] + [str(sorted(seen["counts"].items()))]


@pytest.mark.parametrize(("batch", "copy_from"), [(1000, 200), (7, 1)])
def test_batches_give_the_same_records_as_one_line_at_a_time(mixed, monkeypatch, batch, copy_from):
    """In one batch and in many; on PostgreSQL also with every insert a COPY (`copy_from`)."""
    monkeypatch.setattr("history.batch.BATCH", batch)
    monkeypatch.setattr("core.bulk.COPY_FROM", copy_from)
    written = []
    write_planned = Batches.write_planned
    monkeypatch.setattr(
        Batches, "write_planned", lambda *a: written.append(write_planned(*a)) or written[-1]
    )
    checked, target = mixed
    one_by_one, refused = load_and_look(checked, target, batched=False)
    batched, refused_batched = load_and_look(checked, target, batched=True)
    assert written and all(written)  # no batch was refused and then loaded line by line
    assert refused_batched == refused
    assert any("BAD-1" in r or "decisions[0].decided_on" in r for r in refused)
    for name in one_by_one:
        if name in ("access log", "records", "run"):
            assert batched[name] == one_by_one[name], name
            continue
        differ = [
            (set(b) ^ set(o))
            for b, o in zip(batched[name], one_by_one[name], strict=True)
            if b != o
        ]
        assert differ == [], name
    counts = one_by_one["run"][0]
    assert counts["joined"] == 1 and counts["corrected"] == 2
    assert counts["person"] > 30


def test_a_batch_the_database_refuses_is_loaded_line_by_line_and_names_the_line(
    kind, manager, org, tmp_path
):
    lines = fictional.lines(5, seed=3)
    taken = next(d for line in lines for d in line.get("decisions", []))
    run(write(tmp_path, example_lines()[:1]), manager)
    # A decision number already taken by a decision made another way: the batch's insert fails.
    existing = Decision.objects.get(number="H-gamla-U-001-B1")
    Decision._base_manager.filter(pk=existing.pk).update(number=f"H-gamla-{taken['id']}")
    path = write(tmp_path, lines)
    checked = validate_file(path.read_text(encoding="utf-8").splitlines())
    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    loaded = load(checked.rows, target, file_name="f", file_sha256="0" * 64, lines=5, rejected=0)
    assert [r.line for r in loaded.rejections] != []
    assert "already taken" in str(loaded.rejections[0]) or "redan" in str(loaded.rejections[0])
    assert loaded.counts["person"] == len([x for x in lines if not x.get("unidentified")]) - 1


def test_working_out_a_batch_asks_the_database_nothing(
    kind, manager, org, django_assert_num_queries
):
    """A batch is worked out while the previous one is written on the same connection
    (`core.background`): the working out may not use it."""
    from history.importer import Loader

    lines = fictional.lines(30, seed=11)
    checked = validate_file([json.dumps(line) for line in lines])
    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    run = ImportRun.objects.create(
        source="gamla", file_name="f", file_sha256="0" * 64, by=manager, lines=30, rejected=0
    )
    batches = Batches(Loader(target, run, {}))
    fast, _ = batches.split(checked.rows)
    with django_assert_num_queries(0):
        planned = batches.plan_lines(fast)
    assert len(planned.plans) + len(planned.rejections) == len(fast) > 20
    assert batches.write_planned(planned)
    people = {p.pk for plan in planned.plans for p in plan.rows.get(Person, [])}
    assert set(Person.objects.values_list("pk", flat=True)) == people != set()


def test_an_import_writes_with_index_lookups_and_ends_with_the_setting_as_before(
    mixed, monkeypatch
):
    """Into tables the planner takes for small (a new database), each foreign-key check and
    trigger lookup is planned as a lookup by index (core.planner.index_lookups), for the batches
    and for the lines loaded one by one alike."""
    from django.db import connection

    from history.batch import Batches
    from history.importer import Loader

    if connection.vendor != "postgresql":
        pytest.skip("the setting is PostgreSQL's")

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan')")
            return cursor.fetchone()[0]

    seen: list[str] = []
    for cls, name in ((Batches, "write"), (Loader, "one")):
        method = getattr(cls, name)

        def spy(self, *args, _method=method):
            seen.append(setting())
            return _method(self, *args)

        monkeypatch.setattr(cls, name, spy)
    checked, target = mixed
    load_and_look(checked, target, batched=True)
    assert len(seen) > 2 and set(seen) == {"off"}
    assert setting() == "on"


def _refusal(check, user) -> str:
    with pytest.raises(PermissionDenied) as refused:
        check(user, Level.READ)
    return str(refused.value)


def test_a_batch_without_access_is_refused_as_its_first_line_refused_would_be(
    kind, manager, org, monkeypatch
):
    """The access checks run once the batch's people are in, asked once per level: what is
    refused is what the first line refused would be refused for, in the actions' order (the
    application's check before the closure's)."""
    from history.batch import Plan, Planned
    from history.importer import Loader

    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    run = ImportRun.objects.create(
        source="gamla", file_name="f", file_sha256="0" * 64, by=manager, lines=3, rejected=0
    )
    batches = Batches(Loader(target, run, {}))
    people = [unsaved(Person, first_name="Ada", last_name=str(n)) for n in range(4)]
    levels = dict.fromkeys((p.pk for p in people), Level.WRITE)
    asked = []
    monkeypatch.setattr(
        "history.batch.access_levels", lambda user, batch: asked.append(batch) or levels
    )

    def planned(*works: tuple[Person | None, Person | None]) -> Planned:
        plans = [
            Plan(n, rows={Person: [people[n]]}, authority_work=a, provider_work=p)
            for n, (a, p) in enumerate(works)
        ]
        made = Planned(plans=plans)
        batches.prepare(made)
        return made

    first, second, third, fourth = people
    batch = planned((first, first), (second, second), (None, third), (fourth, None))
    batches._require_access(batch)  # all may be changed: nothing refused
    assert asked == [people]
    levels[second.pk] = levels[fourth.pk] = Level.READ
    with pytest.raises(PermissionDenied) as refused:
        batches._require_access(batch)
    assert str(refused.value) == _refusal(require_authority_work, manager)  # the second's
    levels[second.pk] = Level.WRITE
    levels[third.pk] = Level.REASON_REQUIRED
    with pytest.raises(PermissionDenied) as refused:
        batches._require_access(batch)
    assert str(refused.value) == _refusal(require_provider_work, manager)  # the third's


def test_the_first_batches_are_small_and_grow_to_the_batch_size():
    """The database starts writing after a few lines are worked out (history.batch.sizes)."""
    from itertools import islice

    from history.batch import BATCH, FIRST, sizes

    assert list(islice(sizes(2000), 6)) == [250, 500, 1000, 2000, 2000, 2000]
    assert list(islice(sizes(), 8))[-1] == BATCH >= FIRST
    assert list(islice(sizes(7), 3)) == [7, 7, 7]


def _tuples_read(cursor, table: str) -> int:
    cursor.execute(
        "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
        " FROM pg_stat_xact_user_tables WHERE relname = %s",
        [table],
    )
    return cursor.fetchone()[0]


GROWING = ("provision_followup", "provision_order", "provision_closure")


@pytest.fixture
def statistics_put_back(django_db_blocker):
    """The planner's size of each table as it was: the test's ANALYZE writes it in place (not
    undone by the test's rollback), and later tests' plans must not depend on this one. Set
    up before `db`, so put back after its rollback; PostgreSQL only, as its superuser."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL's planner and statistics")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                pytest.skip("putting the statistics back needs a superuser")
            cursor.execute(
                "SELECT relname, relpages, reltuples FROM pg_class WHERE relname = ANY(%s)",
                [list(GROWING)],
            )
            sizes = cursor.fetchall()
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for name, pages, tuples in sizes:
            cursor.execute(
                "UPDATE pg_class SET relpages = %s, reltuples = %s WHERE relname = %s",
                [pages, tuples, name],
            )


def test_closures_inserted_batch_after_batch_read_only_their_own_follow_ups_and_orders(
    statistics_put_back, kind, manager, org, monkeypatch
):
    """Into tables the planner takes for empty (a new database: statistics gathered before the
    import's rows), the closures' triggers look each closure's follow-ups and each case's
    orders up by index (provision.0017): before, every batch's closures read every follow-up
    and order already imported, and each batch took longer than the one before."""
    from django.db import connection

    monkeypatch.setattr("history.batch.BATCH", 20)
    monkeypatch.setattr("history.batch.FIRST", 20)
    tables = GROWING
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")  # as good as empty: nothing committed
        before = {t: _tuples_read(cursor, t) for t in tables}
    checked = validate_file([json.dumps(line) for line in fictional.lines(300, seed=9)])
    target = Target(manager, org["authority"], kind, org["north"], source="gamla")
    load(checked.rows, target, file_name="f", file_sha256="0" * 64, lines=300, rejected=0)
    closures, orders = Closure.objects.count(), Order.objects.count()
    assert closures > 60 and FollowUp.objects.count() > 60
    with connection.cursor() as cursor:
        read = {t: _tuples_read(cursor, t) - before[t] for t in tables}
    # Each closure's follow-ups (none yet when it is inserted) and each case's orders, once.
    assert read["provision_followup"] <= FollowUp.objects.count(), read
    assert read["provision_order"] <= 2 * orders, read
