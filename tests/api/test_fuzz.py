"""Schemathesis against the OpenAPI document, through the WSGI app (no network), with a token of
a user who works with cases: no server error, no answer the schema does not describe."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from brygga.wsgi import application
from organisation.models import Role
from tests.factories import UserFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_test_connection():
    """Django's WSGI handler closes the connection after each request; the test client does
    not. Inside a test's transaction (PostgreSQL) it must stay open, as under the test client."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(org, person, keep_test_connection):
    from api.models import Scope
    from api.tokens import create_token

    # Officer, coordinator and manager at once: every endpoint reaches its rules and data.
    user = UserFactory(
        username="fuzzer",
        roles=[
            (org["authority"], Role.OFFICER),
            (org["north"], Role.COORDINATOR),
            (org["provider"], Role.MANAGER),
            (org["meeting_place"], Role.MEETING_PLACE),
        ],
    )
    return create_token(user=user, name="schemathesis", scope=Scope.READ_WRITE)[1]


@pytest.fixture
def real_ids(person, coordinator, token):
    """Ids of real objects about `person`, so that fuzzed bodies reach the rules behind them."""
    from tests.api.test_role_matrix import fresh_draft, fresh_intake, instrument_response
    from tests.test_role_matrix import (
        _decision_objects,
        _delivery_objects,
        _group_objects,
        _provision_objects,
    )

    ctx = {"person": person, "coordinator": coordinator}
    _decision_objects(ctx), _delivery_objects(ctx), _group_objects(ctx), _provision_objects(ctx)
    return {
        "person_id": person.pk,
        "intake_id": fresh_intake(ctx).pk,
        "decision_id": ctx["decision"].pk,
        "application_id": ctx["application"].pk,
        "order_id": ctx["order"].pk,
        "plan_id": ctx["plan"].pk,
        "visit_id": ctx["visit"].pk,
        "note_id": fresh_draft(ctx).pk,
        "group_id": ctx["group"].pk,
        "session_id": ctx["session"].pk,
        "place_id": ctx["place"].pk,
        "response_id": instrument_response(ctx).pk,
        "job_id": _failed_statistics_job().pk,
    }


def _failed_statistics_job():
    """The token's user's statistics job, failed: retrying it reaches the queue (once)."""
    from django.contrib.auth import get_user_model

    from jobs import queue
    from jobs.models import Job

    job = queue.start(
        kind="reports.report",
        user=get_user_model().objects.get(username="fuzzer"),
        title="Statistik",
        params={"start": "2015-01-01", "end": "2024-12-31"},
    )
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="RuntimeError")
    return job


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_the_api_keeps_its_schema(case, token, real_ids):
    for name in case.path_parameters or {}:
        case.path_parameters[name] = str(real_ids[name])
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
