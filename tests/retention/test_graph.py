"""Culling and the extract find a person's records by walking the models, so nothing is missed."""

from __future__ import annotations

from retention.graph import EXCLUDED, collect, models_with_path_to_person, record_models


def test_every_model_with_a_path_to_person_is_included_or_excluded_with_a_reason():
    included = {m._meta.label for m in record_models()}
    unaccounted = sorted(
        m._meta.label
        for m in models_with_path_to_person()
        if m._meta.label not in included and m._meta.label not in EXCLUDED
    )
    assert not unaccounted, (
        f"Models with a path to Person, neither culled nor excluded: {unaccounted}"
    )
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_the_record_reaches_models_that_point_at_person_only_through_other_records():
    labels = {m._meta.label for m in record_models()}
    # Appeal -> Decision -> Person; Objection -> Note -> Person; Homework -> Visit -> Person;
    # HomeLink -> Response -> Person; the staff of an assessment talk (a many-to-many table).
    for label in [
        "decisions.Appeal",
        "delivery.Objection",
        "delivery.Homework",
        "delivery.GoalReview",
        "instruments.HomeLink",
        "intake.AssessmentTalk_staff",
        "retention.RetentionException",
    ]:
        assert label in labels
    # Shared things a record points at are not the person's: never culled with them.
    for label in ["organisation.Unit", "groups.Group", "groups.GroupSession", "auth.User"]:
        assert label not in labels


def test_a_person_with_every_kind_of_record_has_rows_of_every_model_of_the_record(full_record):
    record = collect([full_record.pk])
    missing = sorted(
        m._meta.label
        for m in record_models()
        if not record.rows.get(m) and m._meta.label not in EXCLUDED
    )
    # A model added to the project with a path to Person lands here until build_full_record
    # (tests/retention/conftest.py) makes one of it: then the extract test covers it too.
    assert not missing, f"build_full_record makes no row of: {missing}"


def test_the_walk_does_not_reach_another_persons_records(full_record, make_person):
    other = make_person()
    record = collect([full_record.pk])
    assert other.pk not in record.rows[type(other)]
    assert not (set(collect([other.pk]).rows[type(other)]) & set(record.rows[type(other)]))
