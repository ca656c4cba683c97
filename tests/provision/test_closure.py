"""Closure needs a reason and the situation; follow-ups only with consent, at +6 and +12 months."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessLogEntry
from people.models import CaseStatus
from provision.closure import close_case, record_follow_up
from provision.models import Closure, FollowUp, FollowUpStatus, OrderStatus

CLOSED_ON = datetime.date(2026, 1, 31)


def _close(user, case, **overrides):
    values = {
        "reason": "goals_reached",
        "occupation": "studies",
        "isolation": "partly",
        "follow_up_consent": True,
        "closed_on": CLOSED_ON,
    }
    values.update(overrides)
    return close_case(user=user, case=case, **values)


@pytest.mark.parametrize("missing", ["reason", "occupation", "isolation"])
def test_closure_requires_reason_and_situation(coordinator, person, missing):
    case = person.cases.get()
    with pytest.raises(ValidationError) as error:
        _close(coordinator, case, **{missing: ""})
    assert missing in error.value.error_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and not Closure.objects.exists()


def test_closure_requires_an_answer_about_consent(coordinator, person):
    with pytest.raises(ValidationError):
        _close(coordinator, person.cases.get(), follow_up_consent=None)


def test_other_reason_needs_a_text(coordinator, person):
    with pytest.raises(ValidationError) as error:
        _close(coordinator, person.cases.get(), reason="other", reason_text=" ")
    assert "reason_text" in error.value.error_dict
    _close(coordinator, person.cases.get(), reason="other", reason_text="Flyttar till sin bror.")


def test_closure_with_consent_schedules_follow_ups_at_six_and_twelve_months(
    coordinator, make_order
):
    order = make_order(status=OrderStatus.ACCEPTED, decided_on=CLOSED_ON - datetime.timedelta(90))
    closure = _close(coordinator, order.case)

    due = list(FollowUp.objects.filter(closure=closure).values_list("months", "due_on"))
    assert due == [(6, datetime.date(2026, 7, 31)), (12, datetime.date(2027, 1, 31))]
    order.refresh_from_db()
    order.case.refresh_from_db()
    assert order.status == OrderStatus.ENDED
    assert order.case.status == CaseStatus.CLOSED and order.case.closed_on == CLOSED_ON
    assert AccessLogEntry.objects.filter(record_type="closure", action="create").exists()


def test_closure_without_consent_schedules_none(coordinator, person):
    _close(coordinator, person.cases.get(), follow_up_consent=False)
    assert not FollowUp.objects.exists()


def test_a_case_cannot_be_closed_before_its_support_started(coordinator, make_order):
    order = make_order(status=OrderStatus.ACCEPTED, decided_on=CLOSED_ON + datetime.timedelta(1))
    with pytest.raises(ValidationError) as refused:
        _close(coordinator, order.case)
    assert "closed_on" in refused.value.message_dict
    order.case.refresh_from_db()
    assert order.case.status == CaseStatus.OPEN


def test_unknown_is_refused_for_new_work_and_kept_for_history(coordinator, person):
    case = person.cases.get()
    with pytest.raises(ValidationError) as refused:
        _close(coordinator, case, occupation="unknown", follow_up_consent=None)
    assert set(refused.value.message_dict) == {"occupation", "follow_up_consent"}
    closure = _close(coordinator, case, occupation="unknown", follow_up_consent=None, history=True)
    assert closure.occupation == "unknown" and closure.follow_up_consent is None
    assert not FollowUp.objects.filter(closure=closure).exists()


def test_a_closed_case_cannot_be_closed_again(coordinator, person):
    _close(coordinator, person.cases.get())
    with pytest.raises(ValidationError):
        _close(coordinator, person.cases.get())


def test_the_authority_does_not_close_the_providers_case(officer, person):
    with pytest.raises(PermissionDenied):
        _close(officer, person.cases.get())


@pytest.fixture
def follow_up(coordinator, person):
    return _close(coordinator, person.cases.get()).follow_ups.get(months=6)


def test_recording_a_follow_up_keeps_the_situation(coordinator, follow_up):
    record_follow_up(
        user=coordinator, follow_up=follow_up, status="done", occupation="work", isolation="none"
    )
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.occupation, follow_up.isolation) == ("done", "work", "none")
    assert follow_up.recorded_by == coordinator and follow_up.done_on
    assert AccessLogEntry.objects.filter(record_type="follow_up", action="update").exists()


def test_a_done_follow_up_needs_the_situation(coordinator, follow_up):
    with pytest.raises(ValidationError):
        record_follow_up(user=coordinator, follow_up=follow_up, status="done")


@pytest.mark.parametrize("status", [FollowUpStatus.REFUSED, FollowUpStatus.NO_ANSWER])
def test_refusal_or_no_answer_is_recorded_as_such(coordinator, follow_up, status):
    record_follow_up(
        user=coordinator, follow_up=follow_up, status=status, comment="Ringt tre gånger"
    )
    follow_up.refresh_from_db()
    assert follow_up.status == status and follow_up.occupation == ""
    with pytest.raises(ValidationError):
        record_follow_up(user=coordinator, follow_up=follow_up, status="done")


def test_a_coordinator_of_another_team_does_not_close_the_case(colleague, person):
    with pytest.raises(PermissionDenied):
        _close(colleague, person.cases.get())
    assert person.cases.get().status == CaseStatus.OPEN


def test_the_authority_does_not_record_a_follow_up(coordinator, officer, person):
    closure = _close(coordinator, person.cases.get())
    follow_up = FollowUp.objects.filter(closure=closure).first()
    with pytest.raises(PermissionDenied):
        record_follow_up(user=officer, follow_up=follow_up, status=FollowUpStatus.REFUSED)


def test_the_closure_form_offers_no_unknown():
    from provision.forms import ClosureForm

    form = ClosureForm()
    for name in ("reason", "occupation", "isolation"):
        assert "unknown" not in dict(form.fields[name].choices)
