"""A decision cites the law in force on its date (legal bases are data with a period of
validity): socialtjänstlagen (2001:453) until 30 June 2025, socialtjänstlagen (2025:400) after."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from decisions import actions
from decisions.letters import letter_pdf
from decisions.models import Decision, LegalBasis, Outcome
from tests.decisions.test_letter import text_of

d = datetime.date
OLD = "4 kap. 1 § socialtjänstlagen (2001:453)"
NEW = "11 kap. 1 § socialtjänstlagen (2025:400)"


@pytest.fixture
def early_application(officer, person, kind, delegation):
    application = actions.create_application(
        user=officer,
        person=person,
        case=person.cases.get(),
        support_kind=kind,
        applied_on=d(2025, 1, 15),
        form="written",
        what="Stöd för att komma ut.",
    )
    return actions.record_communication(
        user=officer, application=application, communicated_on=d(2025, 2, 1), method="brev"
    )


def reject(officer, application, day):
    return actions.issue_decision(
        officer=officer,
        application=application,
        outcome=Outcome.REJECTION,
        content="Ansökan avslås.",
        reasons="Behovet tillgodoses på annat sätt.",
        decided_on=day,
    )


def test_a_rejection_of_6_december_2026_cites_the_new_act(officer, early_application):
    decision = reject(officer, early_application, d(2026, 12, 6))
    assert decision.legal_basis == NEW
    assert decision.cites.sfs == "2025:400"
    text = text_of(letter_pdf(decision))
    assert f"Beslutet är fattat med stöd av {NEW}." in text
    assert "4 kap. 1 §" not in text


def test_a_decision_of_1_march_2025_keeps_the_old_act(officer, early_application):
    decision = reject(officer, early_application, d(2025, 3, 1))
    assert decision.legal_basis == OLD
    assert f"Beslutet är fattat med stöd av {OLD}." in text_of(letter_pdf(decision))


@pytest.mark.parametrize(("day", "cited"), [(d(2025, 6, 30), OLD), (d(2025, 7, 1), NEW)])
def test_the_act_changes_on_1_july_2025(officer, early_application, day, cited):
    assert reject(officer, early_application, day).legal_basis == cited


def test_the_boards_duty_to_offer_insatser_is_10_kap_1_paragraph(db):
    offer = LegalBasis.objects.cited_on(d(2026, 12, 6), "offer")
    assert offer.citation == "10 kap. 1 § socialtjänstlagen (2025:400)"


def test_without_a_legal_basis_in_force_no_decision_is_issued(officer, early_application):
    LegalBasis.objects.filter(valid_from__lte=d(2025, 3, 1), sfs="2001:453").delete()
    with pytest.raises(ValidationError) as error:
        reject(officer, early_application, d(2025, 3, 1))
    assert "No legal basis is recorded as in force on 2025-03-01" in str(
        error.value.message_dict["decided_on"]
    )
    assert not Decision.objects.exists()
