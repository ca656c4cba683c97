"""On PostgreSQL every foreign key refuses a delete at once (ON DELETE RESTRICT) instead of
checking twice at the commit (NO ACTION), and keeps its deferred check of inserts:
`retention/constraints.py`, run after every migrate (bench/README.md: a quarter of the
database's CPU in a first cull)."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, models, transaction

from people.models import Contact, Person
from retention.constraints import NO_ACTION_KEYS, restrict_deletes

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the keys' actions are PostgreSQL's"
)

KEYS = """
    SELECT c.confdeltype, c.condeferrable, c.condeferred, c.convalidated
    FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.conname = %s
"""


def _person_key() -> str:
    """The name of the key from people_contact to people_person."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = 'people_contact'::regclass AND confrelid = 'people_person'::regclass"
        )
        return cursor.fetchone()[0]


def test_after_migrate_every_foreign_key_restricts_deletes_and_defers_inserts(db):
    with connection.cursor() as cursor:
        cursor.execute(NO_ACTION_KEYS)
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT c.confdeltype, c.condeferrable, c.condeferred, count(*) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'f' AND n.nspname = current_schema() GROUP BY 1, 2, 3"
        )
        kinds = cursor.fetchall()
    fields = sum(
        1
        for model in django_models()
        for field in model._meta.local_fields
        if field.is_relation and field.db_constraint
    )
    assert [k[:3] for k in kinds] == [("r", True, True)]
    assert kinds[0][3] >= fields  # every key Django made (and the many-to-many tables')


def django_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


def test_a_person_still_pointed_at_is_refused_at_the_delete_not_at_the_commit(person):
    Contact.objects.create(person=person, kind="relative", name="Syster")
    with pytest.raises(IntegrityError), transaction.atomic():
        models.QuerySet(model=Person).filter(pk=person.pk)._raw_delete(connection.alias)
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_row_pointing_nowhere_is_still_refused_only_when_the_constraints_are_checked(person):
    # The insert's check stays deferred: the row goes in, and the check at the commit (here
    # SET CONSTRAINTS … IMMEDIATE, as a commit would) refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(person_id=uuid.uuid4(), kind="other", name="Ingen")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_key_a_later_migration_makes_is_turned_too(db):
    name = _person_key()
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER TABLE people_contact DROP CONSTRAINT "{name}", ADD CONSTRAINT "{name}" '
            "FOREIGN KEY (person_id) REFERENCES people_person(id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(KEYS, ["people_contact", name])
        assert cursor.fetchone() == ("a", True, True, True)
        assert restrict_deletes(connection.alias) == 1
        cursor.execute(KEYS, ["people_contact", name])
        assert cursor.fetchone() == ("r", True, True, True)
    assert restrict_deletes(connection.alias) == 0
