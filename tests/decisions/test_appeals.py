"""Appeals: in time or not (FL 44 §), dismissal only of an inadmissible one (FL 45 §), the
board's reconsideration or forwarding to the court, the judgment."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from decisions import actions
from decisions.models import AppealStatus, Judgment, Outcome

d = datetime.date


@pytest.fixture
def rejection(decide, communicated):
    return decide(
        outcome=Outcome.REJECTION,
        reasons="Behovet tillgodoses genom träffpunkten.",
        period_from=None,
        period_to=None,
    )


def appeal(officer, decision, *, received_on, decision_received_on=None, **kwargs):
    return actions.register_appeal(
        user=officer,
        decision=decision,
        received_on=received_on,
        decision_received_on=decision_received_on or d(2026, 3, 4),
        **kwargs,
    )


def test_an_appeal_within_three_weeks_is_in_time(officer, rejection):
    lodged = appeal(officer, rejection, received_on=d(2026, 3, 25))
    assert lodged.deadline == d(2026, 3, 25)
    assert lodged.in_time and lodged.admissible


def test_a_late_appeal_is_not_in_time_and_can_be_dismissed(officer, rejection):
    lodged = appeal(officer, rejection, received_on=d(2026, 3, 26))
    assert not lodged.in_time
    assert not lodged.admissible
    assert actions.next_appeal_steps(lodged) == [
        AppealStatus.RECONSIDERED,
        AppealStatus.FORWARDED,
        AppealStatus.DISMISSED,
        AppealStatus.WITHDRAWN,
    ]
    actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.DISMISSED)
    assert lodged.status == AppealStatus.DISMISSED


def test_a_late_appeal_with_a_wrong_instruction_is_admissible_and_cannot_be_dismissed(
    officer, rejection
):
    lodged = appeal(
        officer, rejection, received_on=d(2026, 4, 20), instruction_missing_or_wrong=True
    )
    assert not lodged.in_time
    assert lodged.admissible
    assert AppealStatus.DISMISSED not in actions.next_appeal_steps(lodged)
    with pytest.raises(ValidationError) as error:
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.DISMISSED)
    assert "FL 45 §" in error.value.message_dict["status"][0]
    lodged.refresh_from_db()
    assert lodged.status == AppealStatus.RECEIVED


def test_an_appeal_in_time_cannot_be_dismissed_as_late(officer, rejection):
    lodged = appeal(officer, rejection, received_on=d(2026, 3, 10))
    with pytest.raises(ValidationError):
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.DISMISSED)


def test_the_deadline_counts_from_receipt_not_from_the_decision_date(officer, rejection):
    lodged = appeal(
        officer, rejection, received_on=d(2026, 4, 1), decision_received_on=d(2026, 3, 12)
    )
    assert lodged.deadline == d(2026, 4, 2)
    assert lodged.in_time


def test_the_decision_cannot_be_received_before_it_was_made(officer, rejection):
    with pytest.raises(ValidationError):
        appeal(officer, rejection, received_on=d(2026, 3, 10), decision_received_on=d(2026, 3, 1))


def test_forwarded_to_court_then_judged(officer, rejection):
    lodged = appeal(officer, rejection, received_on=d(2026, 3, 20))
    with pytest.raises(ValidationError) as error:
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.FORWARDED)
    assert set(error.value.message_dict) == {"forwarded_on", "court"}
    actions.update_appeal(
        user=officer,
        appeal=lodged,
        status=AppealStatus.FORWARDED,
        forwarded_on=d(2026, 3, 27),
        court="Förvaltningsrätten i Exempelstad",
    )
    assert actions.next_appeal_steps(lodged) == [AppealStatus.JUDGED, AppealStatus.WITHDRAWN]
    with pytest.raises(ValidationError):
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.JUDGED)
    actions.update_appeal(
        user=officer,
        appeal=lodged,
        status=AppealStatus.JUDGED,
        judgment=Judgment.UPHELD,
        judgment_on=d(2026, 6, 1),
        notes="Domen vann laga kraft.",
    )
    lodged.refresh_from_db()
    assert (lodged.status, lodged.court, lodged.judgment) == (
        AppealStatus.JUDGED,
        "Förvaltningsrätten i Exempelstad",
        Judgment.UPHELD,
    )
    assert actions.next_appeal_steps(lodged) == []
    with pytest.raises(ValidationError):
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.WITHDRAWN)


def test_reconsideration_needs_the_boards_new_decision_that_refers_to_the_appealed_one(
    officer, rejection, decide, apply
):
    lodged = appeal(officer, rejection, received_on=d(2026, 3, 20))
    unrelated = decide(application=apply(), decided_on=d(2026, 3, 20))
    with pytest.raises(ValidationError):
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.RECONSIDERED)
    with pytest.raises(ValidationError):
        actions.update_appeal(
            user=officer,
            appeal=lodged,
            status=AppealStatus.RECONSIDERED,
            reconsideration_decision=unrelated,
        )
    new = decide(replaces=rejection, decided_on=d(2026, 3, 24))
    actions.update_appeal(
        user=officer, appeal=lodged, status=AppealStatus.RECONSIDERED, reconsideration_decision=new
    )
    assert lodged.reconsideration_decision == new
    assert new.chain() == [rejection]


def test_a_withdrawn_appeal_is_concluded(officer, rejection):
    lodged = appeal(officer, rejection, received_on=d(2026, 3, 20))
    actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.WITHDRAWN)
    assert actions.next_appeal_steps(lodged) == []


def test_an_appeal_that_reached_the_court_in_time_is_in_time_and_cannot_be_dismissed(
    officer, rejection
):
    # Sent to förvaltningsrätten on the last day; the court forwarded it to the board, which got
    # it a week late. FL 45 §: it is in time.
    lodged = appeal(officer, rejection, received_on=d(2026, 4, 1), court_received_on=d(2026, 3, 25))
    assert lodged.deadline == d(2026, 3, 25)
    assert lodged.in_time and lodged.reached_court_in_time and lodged.admissible
    assert AppealStatus.DISMISSED not in actions.next_appeal_steps(lodged)
    with pytest.raises(ValidationError) as error:
        actions.update_appeal(user=officer, appeal=lodged, status=AppealStatus.DISMISSED)
    assert "reached the court in time" in error.value.message_dict["status"][0]


def test_an_appeal_that_reached_the_court_late_is_late(officer, rejection):
    lodged = appeal(officer, rejection, received_on=d(2026, 4, 1), court_received_on=d(2026, 3, 26))
    assert not lodged.in_time and not lodged.admissible
    assert AppealStatus.DISMISSED in actions.next_appeal_steps(lodged)


def test_the_court_cannot_receive_it_after_the_board_did(officer, rejection):
    with pytest.raises(ValidationError) as error:
        appeal(officer, rejection, received_on=d(2026, 3, 20), court_received_on=d(2026, 3, 24))
    assert "court_received_on" in error.value.message_dict


def test_the_appeal_page_records_the_day_the_court_received_it(officer, rejection, login):
    client = login(officer)
    response = client.post(
        f"/beslut/{rejection.pk}/overklagande/",
        {
            "received_on": "2026-04-01",
            "decision_received_on": "2026-03-04",
            "court_received_on": "2026-03-24",
            "content": "Jag vill ha stödet.",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2026-03-24" in page
    assert "reached the court in time (FL 45 §)" in page
