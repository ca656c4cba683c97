"""core.bulk.unsaved: the instance `model(**values)` makes, without Model.__init__'s cost."""

from __future__ import annotations

import datetime

import pytest

from core.bulk import unsaved
from people.models import Case, CaseStatus
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
