"""The decisions' section of the person page and the officer's worklist on the start page."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from decisions import actions
from decisions.models import AppealStatus, Application, Decision, Outcome
from decisions.sections import officer_worklist, officer_worklist_rows, person_decisions
from organisation.roles import roles_of
from people.access import Level
from tests.access_log import was_read
from tests.factories import CaseFactory, PersonFactory

d = datetime.date
TODAY = d(2026, 11, 23)


def section_request(user, level=Level.WRITE):
    request = RequestFactory().get("/")
    request.user = user
    request.access_level = level
    return request


def rendered_section(user, person) -> str:
    section = person_decisions(section_request(user), person)
    return render_to_string(section["template"], {"section": section})


def rendered_worklist(user) -> str:
    request = section_request(user)
    section = officer_worklist(request, roles_of(user))
    return render_to_string(section["template"], {"section": section}, request=request)


def count_queries(fn) -> int:
    fn()  # the user's roles are looked up once per request and then cached on the user
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def rejected(decide, application):
    return decide(
        application=application,
        outcome=Outcome.REJECTION,
        reasons="Skäl.",
        period_from=None,
        period_to=None,
    )


def test_the_person_section_lists_applications_decisions_and_appeals(
    officer, person, decide, communicated, apply, communicate
):
    grant = decide()
    rejection = rejected(decide, communicate(apply()))
    actions.register_appeal(
        user=officer,
        decision=rejection,
        received_on=d(2026, 3, 10),
        decision_received_on=d(2026, 3, 4),
    )
    html = rendered_section(officer, person)
    for text in (
        grant.number,
        rejection.number,
        "Granted",
        "Rejected",
        "2026-03-09 – 2027-03-08",
        f"/beslut/{grant.pk}/brev.pdf",
        "2026-03-25",  # the appeal's last day
    ):
        assert text in html, text
    # Orders are shown once, in the provider's section, not here as well.
    assert "Team Norr" not in html and "Orders to the provider" not in html
    assert "Register an application" in html


def test_the_coordinator_sees_the_section_without_the_authoritys_buttons(
    coordinator, person, decide
):
    decide()
    assert "Register an application" not in rendered_section(coordinator, person)


def test_the_person_section_runs_the_same_queries_for_one_decision_or_many(
    officer, person, decide, apply
):
    decide()
    few = count_queries(lambda: rendered_section(officer, person))
    for day in range(3, 9):
        decision = decide(application=apply(), decided_on=d(2026, 3, day))
        actions.record_delivery(
            user=officer, decision=decision, method="post", sent_on=d(2026, 3, day)
        )
        actions.register_appeal(
            user=officer,
            decision=decision,
            received_on=d(2026, 3, 20),
            decision_received_on=d(2026, 3, 10),
        )
    many = count_queries(lambda: rendered_section(officer, person))
    assert few == many


@pytest.fixture
def worklist_data(officer, person, decide, communicated, kind, org, apply):
    """One of each: an appeal under way, an expiring grant, a waiting application, an
    unsent letter; and rows that must not show."""
    rejection = rejected(decide, communicated)
    expiring = decide(
        application=apply(),
        decided_on=DAY_AFTER,
        period_from=DAY_AFTER,
        period_to=TODAY + datetime.timedelta(days=20),
    )
    actions.record_delivery(user=officer, decision=expiring, method="post", sent_on=DAY_AFTER)
    appeal = actions.register_appeal(
        user=officer,
        decision=rejection,
        received_on=d(2026, 3, 20),
        decision_received_on=d(2026, 3, 10),
    )
    other = PersonFactory(first_name="Ivar", last_name="Väntar")
    case = CaseFactory(person=other, authority_unit=org["authority"])
    waiting = actions.create_application(
        user=officer,
        person=other,
        case=case,
        support_kind=kind,
        applied_on=d(2026, 11, 2),
        form="oral",
        what="Stöd",
    )
    return {"expiring": expiring, "rejected": rejection, "appeal": appeal, "waiting": waiting}


DAY_AFTER = d(2026, 3, 3)


def test_the_worklist_shows_appeals_expiring_decisions_waiting_applications_unsent_letters(
    officer, worklist_data
):
    rows = officer_worklist_rows(officer, TODAY)
    assert rows["appeals"] == [worklist_data["appeal"]]
    assert rows["expiring"] == [worklist_data["expiring"]]
    assert rows["waiting"] == [worklist_data["waiting"]]
    assert rows["unsent"] == [worklist_data["rejected"]]
    html = rendered_worklist(officer)
    assert "Ivar Väntar" in html
    assert worklist_data["rejected"].number in html


def test_a_renewed_decision_no_longer_counts_as_expiring(officer, worklist_data, decide):
    decide(
        kind="renewal",
        replaces=worklist_data["expiring"],
        decided_on=d(2026, 3, 5),
        period_from=TODAY + datetime.timedelta(days=21),
        period_to=d(2027, 12, 1),
    )
    assert officer_worklist_rows(officer, TODAY)["expiring"] == []


def test_concluded_appeals_leave_the_worklist(officer, worklist_data):
    actions.update_appeal(
        user=officer, appeal=worklist_data["appeal"], status=AppealStatus.WITHDRAWN
    )
    assert officer_worklist_rows(officer, TODAY)["appeals"] == []


def test_appeals_are_listed_nearest_deadline_first(
    officer, worklist_data, decide, apply, communicate
):
    late_rejection = rejected(decide, communicate(apply()))
    earlier = actions.register_appeal(
        user=officer,
        decision=late_rejection,
        received_on=d(2026, 3, 5),
        decision_received_on=d(2026, 3, 3),
    )
    assert officer_worklist_rows(officer, TODAY)["appeals"] == [earlier, worklist_data["appeal"]]


def test_another_units_officer_sees_none_of_it(outsider_officer, worklist_data):
    rows = officer_worklist_rows(outsider_officer, TODAY)
    assert not any(rows.values())


def test_a_protected_persons_rows_show_only_to_staff_named_on_the_case(officer, worklist_data):
    other = worklist_data["waiting"].person
    other.protected_identity = True
    other.save()
    assert officer_worklist_rows(officer, TODAY)["waiting"] == []


def test_coordinators_get_no_worklist(coordinator):
    assert officer_worklist(section_request(coordinator), roles_of(coordinator)) is None


def test_the_worklist_runs_the_same_queries_for_few_rows_or_many(
    officer, worklist_data, decide, kind, org, apply
):
    few = count_queries(lambda: rendered_worklist(officer))
    for n in range(5):
        other = PersonFactory()
        case = CaseFactory(person=other, authority_unit=org["authority"])
        actions.create_application(
            user=officer,
            person=other,
            case=case,
            support_kind=kind,
            applied_on=d(2026, 11, 2),
            form="oral",
            what="Stöd",
        )
        decision = decide(
            application=apply(),
            period_from=d(2026, 1, 1),
            period_to=TODAY + datetime.timedelta(days=n),
        )
        actions.register_appeal(
            user=officer,
            decision=decision,
            received_on=d(2026, 3, 20),
            decision_received_on=d(2026, 3, 10),
        )
    many = count_queries(lambda: rendered_worklist(officer))
    assert few == many


def test_the_start_page_shows_the_officers_worklist(login, officer, worklist_data):
    page = login(officer).get("/").content.decode()
    assert "Applications waiting for a decision" in page
    assert "Ivar Väntar" in page


def test_the_worklist_logs_whom_it_shows_and_no_one_else(
    officer, worklist_data, outsider_officer, login
):
    login(officer).get("/")
    waiting = worklist_data["waiting"].person
    assert was_read(waiting, officer, action="search", record_type="application")
    appealed = worklist_data["appeal"].decision.person
    assert was_read(appealed, officer, action="search", record_type="appeal")
    assert was_read(worklist_data["expiring"].person, officer, record_type="decision")
    login(outsider_officer).get("/")
    assert not was_read(waiting, outsider_officer)  # another unit's worklist shows no one here


def test_an_application_leaves_the_waiting_list_once_decided_even_if_an_old_copy_is_saved(
    officer, worklist_data, decide
):
    waiting = worklist_data["waiting"]
    stale = Application.objects.get(pk=waiting.pk)  # read before the decision
    later = d(2026, 11, 5)
    decide(application=waiting, decided_on=later, period_from=later, period_to=d(2027, 11, 4))
    assert Application.objects.get(pk=waiting.pk).decided
    stale.what = "Stöd i hemmet"
    stale.save()  # writes decided=False from its copy: the database keeps it decided
    assert Application.objects.get(pk=waiting.pk).decided
    assert officer_worklist_rows(officer, TODAY)["waiting"] == []


def test_a_decision_inserted_in_bulk_marks_its_application_decided(officer, worklist_data):
    """As the history import and the synthetic data insert decisions: past any model method."""
    waiting = worklist_data["waiting"]
    decision = Decision.objects.get(pk=worklist_data["rejected"].pk)
    decision.pk, decision.number, decision.application = uuid.uuid4(), "H-test-1", waiting
    Decision._base_manager.bulk_create([decision])
    assert Application.objects.get(pk=waiting.pk).decided
    assert officer_worklist_rows(officer, TODAY)["waiting"] == []


def test_applications_without_a_decision_are_the_undecided_ones(worklist_data):
    undecided = set(Application.objects.filter(decided=False).values_list("pk", flat=True))
    assert undecided == {worklist_data["waiting"].pk}


def test_the_officers_start_page_runs_the_same_queries_for_few_waiting_applications_or_many(
    login, officer, worklist_data, org, kind
):
    from tests.test_queries import assert_same_queries, queries_for

    client = login(officer)
    client.get("/")
    few = queries_for(client, "/")
    for _n in range(60):
        other = PersonFactory()
        actions.create_application(
            user=officer,
            person=other,
            case=CaseFactory(person=other, authority_unit=org["authority"]),
            support_kind=kind,
            applied_on=d(2026, 11, 3),
            form="oral",
            what="Stöd",
        )
    many = queries_for(client, "/")
    assert_same_queries(few, many)
    page = client.get("/")
    (section,) = [w for w in page.context["worklists"] if w["template"].startswith("decisions/")]
    assert len(section["waiting"]) == 10  # the oldest 10 of the 61 waiting, and a link to all
    assert section["waiting"].more
    assert section["waiting"][0] == worklist_data["waiting"]
    assert 'href="/arbetslista/ansokningar-utan-beslut/"' in page.content.decode()
    first = client.get("/arbetslista/ansokningar-utan-beslut/")
    rows = list(first.context["page"].rows)
    second = client.get(f"/arbetslista/ansokningar-utan-beslut/?{first.context['page'].next_query}")
    rows += second.context["page"].rows
    assert not second.context["page"].next_query
    assert len({a.pk for a in rows}) == 61 and rows[0] == worklist_data["waiting"]


def test_decisions_inserted_by_copy_mark_their_applications_decided(officer, worklist_data):
    """The history import's batches: COPY on PostgreSQL (200 rows or more), bulk_create else."""
    from core.bulk import COPY_FROM, insert, unsaved

    model = Decision.objects.get(pk=worklist_data["rejected"].pk)
    applications = [
        unsaved(
            Application,
            person_id=model.person_id,
            case_id=model.case_id,
            support_kind_id=model.support_kind_id,
            applied_on=d(2026, 1, 1),
            form="written",
            what="Stöd",
            created_by=officer,
        )
        for _n in range(COPY_FROM)
    ]
    insert(Application, applications)
    assert Application.objects.filter(decided=False).count() == COPY_FROM + 1
    decisions = []
    for n, application in enumerate(applications):
        decision = Decision.objects.get(pk=model.pk)
        decision.pk, decision.number = uuid.uuid4(), f"H-copy-{n}"
        decision.application_id = application.pk
        decisions.append(decision)
    insert(Decision, decisions)
    undecided = Application.objects.filter(decided=False)
    assert list(undecided) == [worklist_data["waiting"]]
