"""The rules of a decision, tried on the action every page and import goes through."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from decisions import actions
from decisions.models import Decision, DecisionKind, ImmutableError, Outcome
from provision.models import Order
from tests.factories import DelegationFactory, SupportKindFactory, UserFactory
from tests.threads import at_once

from .conftest import DAY

d = datetime.date


def messages_of(error: ValidationError, field: str) -> str:
    return " ".join(error.value.message_dict.get(field, []))


# Delegation on the decision date


def test_an_officer_with_delegation_decides_and_the_decision_records_fl_31(decide, officer):
    decision = decide(presented_by=officer, participants="Kim Koordinator")
    assert decision.number == "B-2026-0001"
    assert decision.decided_by == officer
    assert decision.presented_by == officer
    assert decision.participants == "Kim Koordinator"
    assert decision.decided_on == DAY


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "allowed"),
    [
        (DAY, None, True),  # from the decision date itself
        (DAY + datetime.timedelta(days=1), None, False),  # starts the day after
        (d(2025, 1, 1), DAY, True),  # ends on the decision date
        (d(2025, 1, 1), DAY - datetime.timedelta(days=1), False),  # ended the day before
    ],
)
def test_delegation_is_checked_on_the_decision_date(
    application, officer, kind, valid_from, valid_to, allowed
):
    DelegationFactory(user=officer, support_kind=kind, valid_from=valid_from, valid_to=valid_to)
    issue = lambda: actions.issue_decision(  # noqa: E731
        officer=officer,
        application=application,
        outcome=Outcome.GRANT,
        content="Ett besök i veckan.",
        decided_on=DAY,
        period_from=DAY,
        period_to=d(2026, 12, 31),
    )
    if allowed:
        assert issue().decided_by == officer
    else:
        with pytest.raises(ValidationError) as error:
            issue()
        assert "no delegation" in messages_of(error, "decided_on")
        assert not Decision.objects.exists()


def test_an_officer_without_delegation_is_refused_with_a_clear_message_and_nothing_is_saved(
    application, org
):
    other = UserFactory(roles=[(org["authority"], "officer")])
    with pytest.raises(ValidationError) as error:
        actions.issue_decision(
            officer=other,
            application=application,
            outcome=Outcome.GRANT,
            content="Ett besök i veckan.",
            decided_on=DAY,
            period_from=DAY,
            period_to=d(2026, 12, 31),
        )
    message = messages_of(error, "decided_on")
    assert "You have no delegation to decide on Stöd för att bryta isolering on 2026-03-02" in (
        message
    )
    assert not Decision.objects.exists()
    assert not Order.objects.exists()


def test_delegation_for_another_kind_of_support_does_not_count(application, officer):
    DelegationFactory(user=officer, support_kind=SupportKindFactory(), valid_from=d(2024, 1, 1))
    with pytest.raises(ValidationError):
        actions.issue_decision(
            officer=officer,
            application=application,
            outcome=Outcome.GRANT,
            content="x",
            decided_on=DAY,
            period_from=DAY,
            period_to=DAY,
        )


def test_a_decision_cannot_be_dated_in_the_future(decide):
    future = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        decide(decided_on=future, period_from=future, period_to=future)
    assert "future" in messages_of(error, "decided_on")


# Reasons (FL 32 §) and communication (FL 25 §)


@pytest.mark.parametrize("outcome", [Outcome.PARTIAL, Outcome.REJECTION])
def test_a_decision_that_is_not_a_full_grant_needs_reasons(decide, communicated, outcome):
    with pytest.raises(ValidationError) as error:
        decide(outcome=outcome, reasons="   ")
    assert "FL 32 §" in messages_of(error, "reasons")
    assert not Decision.objects.exists()


def test_a_full_grant_needs_no_reasons(decide):
    assert decide(reasons="").reasons == ""


@pytest.mark.parametrize("outcome", [Outcome.PARTIAL, Outcome.REJECTION])
def test_the_database_refuses_a_non_grant_without_reasons(application, officer, outcome):
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            number="B-2026-9999",
            application=application,
            person=application.person,
            case=application.case,
            support_kind=application.support_kind,
            decided_on=DAY,
            outcome=outcome,
            content="x",
            legal_basis="x",
            reasons="",
            decided_by=officer,
        )


@pytest.mark.parametrize("outcome", [Outcome.PARTIAL, Outcome.REJECTION])
def test_communication_is_required_before_a_decision_that_is_not_a_full_grant(decide, outcome):
    with pytest.raises(ValidationError) as error:
        decide(outcome=outcome, reasons="Behovet kan tillgodoses på annat sätt.")
    assert "FL 25 §" in messages_of(error, "outcome")
    assert not Decision.objects.exists()


def test_an_exemption_from_communication_counts(decide, officer, application):
    actions.record_communication(
        user=officer,
        application=application,
        communicated_on=None,
        exemption="Beslutet går inte emot den enskilde i någon del som kräver kommunicering.",
    )
    decision = decide(outcome=Outcome.REJECTION, reasons="Skäl.", period_from=None, period_to=None)
    assert decision.outcome == Outcome.REJECTION


def test_communication_needs_a_date_or_a_reason_for_not_communicating(officer, application):
    with pytest.raises(ValidationError):
        actions.record_communication(user=officer, application=application, communicated_on=None)


def test_the_communication_behind_an_issued_decision_cannot_be_rewritten(
    decide, communicated, officer
):
    decide(outcome=Outcome.REJECTION, reasons="Skäl.", period_from=None, period_to=None)
    with pytest.raises(ValidationError):
        actions.record_communication(
            user=officer, application=communicated, communicated_on=d(2026, 2, 20), method="möte"
        )


def test_a_rejection_with_reasons_after_communication_is_issued_without_an_order(
    decide, communicated
):
    decision = decide(
        outcome=Outcome.REJECTION,
        reasons="Behovet tillgodoses genom träffpunkten.",
        period_from=None,
        period_to=None,
    )
    assert decision.appealable
    assert not Order.objects.exists()


def test_a_grant_needs_a_period(decide):
    with pytest.raises(ValidationError) as error:
        decide(period_to=None)
    assert messages_of(error, "period_to")


# Orders


def test_a_grant_creates_an_order_to_the_provider_with_the_goals_and_period(decide, org):
    decision = decide()
    order = Order.objects.get(decision=decision)
    assert order.provider_unit == org["north"]
    assert order.goals == "Elin går till affären själv en gång i veckan."
    assert (order.period_from, order.period_to) == (d(2026, 3, 9), d(2027, 3, 8))
    assert order.person == decision.person


def test_a_partial_grant_also_creates_an_order(decide, communicated):
    decision = decide(outcome=Outcome.PARTIAL, reasons="Transport beviljas inte.")
    assert decision.order.support_kind == decision.support_kind


def test_the_order_goes_to_the_chosen_unit_when_several_deliver_the_kind(decide, kind, org):
    kind.provider_units.add(org["south"])
    assert decide(provider_unit=org["south"]).order.provider_unit == org["south"]


def test_a_unit_that_does_not_deliver_the_kind_is_refused_and_nothing_is_saved(decide, org):
    with pytest.raises(ValidationError):
        decide(provider_unit=org["meeting_place"])
    assert not Decision.objects.exists()


# Support that needs no decision


def test_support_that_needs_no_decision_cannot_be_applied_for(officer, person):
    meeting_place = SupportKindFactory(name="Träffpunkt", needs_decision=False)
    with pytest.raises(ValidationError) as error:
        actions.create_application(
            user=officer,
            person=person,
            case=person.cases.get(),
            support_kind=meeting_place,
            applied_on=DAY,
            form="oral",
            what="Vill gå på träffpunkten.",
        )
    assert "needs no decision" in error.value.messages[0]


# Immutability, changes and renewals


def test_an_issued_decision_cannot_be_saved_again_or_deleted(decide):
    decision = decide()
    decision.reasons = "Ändrad i efterhand"
    with pytest.raises(ImmutableError):
        decision.save()
    with pytest.raises(ImmutableError):
        decision.delete()
    with pytest.raises(ImmutableError):
        Decision.objects.filter(pk=decision.pk).update(reasons="Ändrad")
    with pytest.raises(ImmutableError):
        Decision.objects.filter(pk=decision.pk).delete()
    decision = Decision.objects.get(pk=decision.pk)
    assert decision.reasons == ""


def test_a_change_is_a_new_decision_that_refers_to_the_old_one_and_shows_in_the_chain(
    decide, communicated
):
    first = decide()
    change = decide(
        outcome=Outcome.PARTIAL,
        reasons="Besöken glesas ut efter uppföljningen.",
        replaces=first,
        decided_on=d(2026, 6, 1),
    )
    assert change.kind == DecisionKind.CHANGE
    assert change.number == "B-2026-0002"
    assert change.chain() == [first]
    assert list(first.replaced_by.all()) == [change]
    first.refresh_from_db()
    assert first.outcome == Outcome.GRANT


def test_a_renewal_refers_to_the_decision_it_renews(decide):
    first = decide()
    with pytest.raises(ValidationError) as error:
        decide(kind=DecisionKind.RENEWAL, decided_on=d(2026, 6, 1))
    assert messages_of(error, "replaces")
    renewal = decide(kind=DecisionKind.RENEWAL, replaces=first, decided_on=d(2026, 6, 1))
    assert renewal.kind == DecisionKind.RENEWAL
    assert renewal.chain() == [first]


def test_an_earlier_decision_of_another_person_cannot_be_referred_to(decide, officer, kind, org):
    from tests.factories import CaseFactory, PersonFactory

    other = PersonFactory()
    case = CaseFactory(person=other, authority_unit=org["authority"])
    other_application = actions.create_application(
        user=officer,
        person=other,
        case=case,
        support_kind=kind,
        applied_on=d(2026, 1, 5),
        form="oral",
        what="x",
    )
    theirs = decide(application=other_application)
    with pytest.raises(ValidationError) as error:
        decide(replaces=theirs)
    assert "another person" in messages_of(error, "replaces")


def test_decision_numbers_run_per_year(decide, apply):
    earlier = apply(applied_on=d(2025, 12, 1))
    assert decide(application=earlier, decided_on=d(2025, 12, 30)).number == "B-2025-0001"
    assert decide().number == "B-2026-0001"
    assert decide(application=apply()).number == "B-2026-0002"


def test_issuing_a_decision_is_logged(decide):
    from audit.models import AccessLogEntry

    decision = decide()
    logged = set(
        AccessLogEntry.objects.filter(person_id=decision.person_id).values_list(
            "record_type", "action"
        )
    )
    assert {("decision", "create"), ("order", "create")} <= logged


def test_support_that_no_longer_needs_a_decision_is_not_decided_on(decide, kind):
    kind.needs_decision = False
    kind.save()
    with pytest.raises(ValidationError) as error:
        decide()
    assert "never decided on" in messages_of(error, "outcome")


# Decided once


def test_an_application_is_decided_once_and_a_second_decision_is_refused(decide, officer):
    first = decide()
    with pytest.raises(ValidationError) as error:
        decide()
    assert error.value.code == "already_decided"
    assert f"already been decided ({first.number})" in error.value.messages[0]
    assert Decision.objects.count() == 1
    assert Order.objects.count() == 1


def test_a_change_or_renewal_of_the_decision_is_still_issued_on_the_same_application(decide):
    first = decide()
    change = decide(replaces=first, decided_on=d(2026, 4, 1))
    renewal = decide(kind=DecisionKind.RENEWAL, replaces=change, decided_on=d(2026, 5, 1))
    assert {change.application_id, renewal.application_id} == {first.application_id}
    assert (change.kind, renewal.kind) == (DecisionKind.CHANGE, DecisionKind.RENEWAL)


def test_the_database_holds_one_original_decision_per_application(decide, officer):
    first = decide()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            number="B-2026-9999",
            application=first.application,
            person=first.person,
            case=first.case,
            support_kind=first.support_kind,
            kind=DecisionKind.NEW,
            decided_on=DAY,
            outcome=Outcome.GRANT,
            content="x",
            legal_basis="x",
            decided_by=officer,
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("law_in_force")
def test_two_officers_deciding_at_the_same_moment_give_one_decision_and_one_order(
    officer, application, delegation
):
    """Threads, each with its own connection, issue at once; the application's row lock lets
    one through and the other is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")

    def issue():
        return actions.issue_decision(
            officer=officer,
            application=application,
            outcome=Outcome.GRANT,
            content="Stöd för att bryta isolering, ett besök i veckan.",
            decided_on=DAY,
            period_from=d(2026, 3, 9),
            period_to=d(2027, 3, 8),
        )

    def outcome(result):
        if isinstance(result, Decision):
            return result.number
        return result.code if isinstance(result, ValidationError) else repr(result)

    outcomes = [outcome(result) for result in at_once(4, issue)]

    assert sorted(outcomes) == ["B-2026-0001"] + ["already_decided"] * 3
    assert Decision.objects.count() == 1
    assert Order.objects.count() == 1


# History: a decision made in an earlier system, recorded here


def test_history_asks_neither_communication_nor_delegation_but_every_other_rule(
    officer, application
):
    # No delegation fixture and no communication: a rejection recorded from history passes.
    decision = actions.issue_decision(
        officer=officer,
        application=application,
        outcome=Outcome.REJECTION,
        content="Avslag",
        decided_on=DAY,
        reasons="Behovet tillgodoses på annat sätt.",
        history_number="H-gamla-1",
    )
    assert decision.from_history and decision.number == "H-gamla-1"
    # FL 32 § still holds for history: a rejection without reasons is refused.
    with pytest.raises(ValidationError) as error:
        actions.issue_decision(
            officer=officer,
            application=application,
            outcome=Outcome.REJECTION,
            content="Avslag",
            decided_on=DAY,
            history_number="H-gamla-2",
        )
    assert messages_of(error, "reasons")
    # And new work still needs both.
    with pytest.raises(ValidationError) as error:
        actions.issue_decision(
            officer=officer,
            application=application,
            outcome=Outcome.REJECTION,
            content="Avslag",
            decided_on=DAY,
            reasons="Behovet tillgodoses på annat sätt.",
        )
    assert messages_of(error, "outcome") and messages_of(error, "decided_on")


def test_only_a_decision_from_history_is_corrected(decide, officer):
    decision = decide()
    with pytest.raises(ValidationError):
        actions.correct_history_decision(
            officer=officer, decision=decision, changes={"period_to": d(2027, 1, 1)}
        )
    assert Decision.objects.get(pk=decision.pk).period_to == d(2027, 3, 8)
