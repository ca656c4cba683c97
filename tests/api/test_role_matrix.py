"""Every API endpoint, tried by every standard user, answers as the corresponding page does.

Each row names the page (a key of tests/test_role_matrix.py's MATRIX) whose rule the endpoint
shares, and the page's expected code per user is translated: login -> 401, reason form -> 403
with `reason_required`, denied -> 403, hidden -> 404, allowed (or the redirect after a
successful POST) -> the endpoint's success code.
"""

from __future__ import annotations

import datetime

import pytest

from api.api import api
from api.common import version_of
from groups.models import OpenActivity
from people.models import ReasonedAccess
from tests.api.conftest import ApiClient
from tests.jobs import matrix as job_rows
from tests.test_role_matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    MATRIX,
    OK,
    REASON,
    USERS,
    _decision_objects,
    _delivery_objects,
    _group_objects,
    _intake,
    _provision_objects,
    row,
)

# The statistics: aggregated figures for analysts and managers, nobody else.
STATISTICS = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED)
REASON_TEXT = "Samordning inför ett gemensamt möte"


def ui_row(key: str, fallback: str | None = None) -> dict:
    return MATRIX[key if key in MATRIX or fallback is None else fallback][3]


def fresh_intake(ctx):
    from intake.models import Intake

    unit = ctx["person"].cases.first().authority_unit
    return Intake.objects.create(unit=unit, person=ctx["person"], channel="phone", source="self")


def fresh_draft(ctx):
    from delivery.actions import create_note

    return create_note(
        user=ctx["coordinator"],
        person=ctx["person"],
        happened_on=datetime.date(2026, 3, 2),
        text="Utkast",
    )


def instrument_response(ctx):
    if "response" not in ctx:
        from instruments.actions import start_response

        ctx["response"] = start_response(
            user=ctx["coordinator"],
            person=ctx["person"],
            code="madrs-s",
            occasion="start",
            administered_on=datetime.date(2026, 3, 2),
        )
    return ctx["response"]


def person_path(suffix=""):
    return lambda ctx: f"/people/{ctx['person'].pk}{suffix}"


def close_request(ctx):
    intake = fresh_intake(ctx)
    body = {"version": version_of(intake), "outcome": "no_action", "reason": "Ingen insats"}
    return f"/intakes/{intake.pk}/close", body


def edit_request(ctx):
    note = fresh_draft(ctx)
    body = {"version": version_of(note), "happened_on": "2026-03-03", "text": "Ändrat utkast"}
    return f"/notes/{note.pk}", body


def sign_request(ctx):
    note = fresh_draft(ctx)
    return f"/notes/{note.pk}/sign", {"version": version_of(note)}


def decision_body(ctx):
    # The application is decided already: what may be posted is a change of that decision.
    return {
        "kind": "change",
        "replaces": str(_decision_objects(ctx)["decision"].pk),
        "outcome": "rejection",
        "content": "Avslag på ansökan",
        "decided_on": "2026-03-05",
        "legal_basis": "4 kap. 1 § SoL",
        "reasons": "Behovet tillgodoses på annat sätt.",
    }


def head_count_body(ctx):
    activity = OpenActivity.objects.get(meeting_place=_group_objects(ctx)["place"])
    return {"activity": activity.pk, "date": "2026-03-02", "count": 4}


def static(path, body=None):
    return lambda ctx: (
        path(ctx) if callable(path) else path,
        body(ctx) if callable(body) else body,
    )


# (method, builder -> (path, body), expected per user, success code)
ENDPOINTS = {
    "GET /people": ("get", static("/people?q=Elin"), ui_row("people:list"), 200),
    "GET /people/{person_id}": ("get", static(person_path()), ui_row("people:detail"), 200),
    "POST /people/{person_id}/reason": (
        "post",
        static(person_path("/reason"), {"reason": REASON_TEXT}),
        ui_row("people:reason"),
        200,
    ),
    "GET /intakes": ("get", static("/intakes"), ui_row("intake:inbox"), 200),
    "POST /intakes": (
        "post",
        static("/intakes", {"channel": "phone", "source": "relative", "person_description": "Bo"}),
        ui_row("intake:create"),
        201,
    ),
    "GET /intakes/{intake_id}": (
        "get",
        static(lambda ctx: f"/intakes/{_intake(ctx).pk}"),
        ui_row("intake:detail"),
        200,
    ),
    "POST /intakes/{intake_id}/close": ("post", close_request, ui_row("intake:close"), 200),
    "GET /people/{person_id}/decisions": (
        "get",
        static(person_path("/decisions")),
        ui_row("people:detail"),
        200,
    ),
    "GET /decisions/{decision_id}": (
        "get",
        static(lambda ctx: f"/decisions/{_decision_objects(ctx)['decision'].pk}"),
        ui_row("decisions:detail"),
        200,
    ),
    "GET /applications/{application_id}": (
        "get",
        static(lambda ctx: f"/applications/{_decision_objects(ctx)['application'].pk}"),
        ui_row("decisions:application_detail"),
        200,
    ),
    "POST /applications/{application_id}/decisions": (
        "post",
        static(
            lambda ctx: f"/applications/{_decision_objects(ctx)['application'].pk}/decisions",
            decision_body,
        ),
        ui_row("decisions:decision_create"),
        201,
    ),
    "GET /orders": ("get", static("/orders"), ui_row("provision:inbox"), 200),
    "GET /orders/{order_id}": (
        "get",
        static(lambda ctx: f"/orders/{_provision_objects(ctx)['order'].pk}"),
        ui_row("provision:order"),
        200,
    ),
    "GET /people/{person_id}/plans": (
        "get",
        static(person_path("/plans")),
        ui_row("delivery:plan"),
        200,
    ),
    "GET /plans/{plan_id}": (
        "get",
        static(lambda ctx: f"/plans/{_delivery_objects(ctx)['plan'].pk}"),
        ui_row("delivery:plan_detail"),
        200,
    ),
    "GET /people/{person_id}/visits": (
        "get",
        static(person_path("/visits")),
        ui_row("delivery:visits"),
        200,
    ),
    "GET /visits/{visit_id}": (
        "get",
        static(lambda ctx: f"/visits/{_delivery_objects(ctx)['visit'].pk}"),
        ui_row("delivery:visit_detail"),
        200,
    ),
    "GET /people/{person_id}/notes": (
        "get",
        static(person_path("/notes")),
        ui_row("delivery:journal"),
        200,
    ),
    "POST /people/{person_id}/notes": (
        "post",
        static(person_path("/notes"), {"happened_on": "2026-03-02", "text": "Besök hemma"}),
        ui_row("delivery:note_create"),
        201,
    ),
    "GET /notes/{note_id}": (
        "get",
        static(lambda ctx: f"/notes/{_delivery_objects(ctx)['signed_note'].pk}"),
        ui_row("delivery:journal"),
        200,
    ),
    "PUT /notes/{note_id}": ("put", edit_request, ui_row("delivery:note_edit"), 200),
    "POST /notes/{note_id}/sign": ("post", sign_request, ui_row("delivery:note_sign"), 200),
    "GET /groups": ("get", static("/groups"), ui_row("groups:list"), 200),
    "GET /groups/{group_id}/sessions": (
        "get",
        static(lambda ctx: f"/groups/{_group_objects(ctx)['group'].pk}/sessions"),
        ui_row("groups:detail"),
        200,
    ),
    "GET /group-sessions/{session_id}": (
        "get",
        static(lambda ctx: f"/group-sessions/{_group_objects(ctx)['session'].pk}"),
        ui_row("groups:session"),
        200,
    ),
    "GET /meeting-places": ("get", static("/meeting-places"), ui_row("meeting_places:list"), 200),
    "GET /meeting-places/{place_id}/head-counts": (
        "get",
        static(lambda ctx: f"/meeting-places/{_group_objects(ctx)['place'].pk}/head-counts"),
        ui_row("meeting_places:detail"),
        200,
    ),
    "POST /meeting-places/{place_id}/head-counts": (
        "post",
        static(
            lambda ctx: f"/meeting-places/{_group_objects(ctx)['place'].pk}/head-counts",
            head_count_body,
        ),
        ui_row("meeting_places:detail"),
        200,
    ),
    "GET /people/{person_id}/responses": (
        "get",
        static(person_path("/responses")),
        ui_row("people:detail"),
        200,
    ),
    "GET /responses/{response_id}": (
        "get",
        static(lambda ctx: f"/responses/{instrument_response(ctx).pk}"),
        ui_row("instruments:detail", fallback="people:detail"),
        200,
    ),
    "POST /people/{person_id}/responses": (
        "post",
        static(
            person_path("/responses"),
            {"code": "madrs-s", "occasion": "start", "administered_on": "2026-03-02"},
        ),
        ui_row("instruments:start", fallback="people:edit"),
        201,
    ),
    "GET /statistics": (
        "get",
        static("/statistics?start=2026-01-01&end=2026-03-31"),
        STATISTICS,
        200,
    ),
    # A job only for whoever asked (the page's rule); retrying one that failed queues it again.
    "GET /jobs/{job_id}": (
        "get",
        static(lambda ctx: f"/jobs/{job_rows._job(ctx).pk}"),
        ui_row("jobs:page"),
        200,
    ),
    "POST /jobs/{job_id}/retry": (
        "post",
        static(lambda ctx: f"/jobs/{failed_job(ctx).pk}/retry"),
        ui_row("jobs:retry"),
        202,
    ),
}


def failed_job(ctx):
    """The standard manager's statistics job, failed (again, after each retry)."""
    from jobs.models import Job

    job = job_rows._job(ctx)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="RuntimeError")
    return job


def api_code(expected, success: int):
    """The page's code as the API's status and whether the reason is what is missing."""
    if expected == LOGIN:
        return 401, False
    if expected == REASON:
        return 403, True
    if expected == DENIED:
        return 403, False
    if expected == HIDDEN:
        return 404, False
    # OK, or a page that redirects after doing it: the endpoint does it.
    return success, False


def test_the_matrix_names_every_endpoint():
    schema = api.get_openapi_schema()
    found = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert found == set(ENDPOINTS)


@pytest.fixture
def delegated(officer, manager):
    """The officer and the manager may decide on the matrix's kind of support."""
    from organisation.models import Delegation

    def grant(ctx):
        kind = _decision_objects(ctx)["application"].support_kind
        for user in (officer, manager):
            Delegation.objects.create(
                user=user, support_kind=kind, valid_from=datetime.date(2024, 1, 1)
            )

    return grant


def test_api_role_matrix(db, person, coordinator, role_users, api_as, delegated):
    ctx = {"person": person, "coordinator": coordinator}
    delegated(ctx)
    users = {"anonymous": None, **role_users}
    assert list(users) == USERS
    clients = {name: api_as(user) if user else ApiClient() for name, user in users.items()}
    wrong = []
    for key, (method, build, expected_by_user, success) in ENDPOINTS.items():
        for name in USERS:
            path, body = build(ctx)
            client = clients[name]
            response = client.get(path) if method == "get" else client.send(method, path, body)
            want_status, want_reason = api_code(expected_by_user[name], success)
            got_reason = response.status_code == 403 and bool(
                response.json().get("reason_required")
            )
            if (response.status_code, got_reason) != (want_status, want_reason):
                detail = response.content[:120].decode(errors="replace")
                wrong.append((key, name, (want_status, want_reason), response.status_code, detail))
            # A reason given in one row must not open the person in the next.
            ReasonedAccess.objects.all().delete()
    if wrong:
        lines = [f"{k:46} {u:17} expected {e} got {g} {d}" for k, u, e, g, d in wrong]
        pytest.fail("The API matrix differs from the pages':\n" + "\n".join(lines), pytrace=False)
