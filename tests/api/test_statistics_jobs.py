"""GET /statistics for a long period: a background job (202), polled at GET /jobs/{id} until it
holds the report the synchronous call gives; the page's rule decides which periods, the page's
job does the work, and only the user who asked sees it."""

from __future__ import annotations

import datetime

import pytest

from audit.models import AccessLogEntry
from intake.models import Intake
from jobs.models import Job
from organisation.models import Membership
from tests.background import run_pending

pytestmark = pytest.mark.django_db

LONG = {"start": "2015-01-01", "end": "2025-12-31"}


def ask(client, period=LONG):
    return client.get("/statistics", period)


def poll(client, answer):
    return client.get(f"/jobs/{answer.json()['id']}")


def intakes(org, count, on=datetime.date(2025, 3, 14)):
    for _ in range(count):
        Intake.objects.create(unit=org["authority"], received_on=on, source="self", channel="phone")


def test_a_long_period_is_accepted_as_a_job_and_polled_until_it_holds_the_report(
    api_as, manager, org
):
    intakes(org, 3)
    client = api_as(manager)
    asked = ask(client)
    assert asked.status_code == 202
    job = asked.json()
    assert job["status"] == "queued" and job["progress"] == 0 and job["report"] is None
    assert asked["Location"] == job["url"] == f"http://testserver/api/v1/jobs/{job['id']}"
    assert asked["Retry-After"] == "2"
    waiting = poll(client, asked)
    assert waiting.status_code == 200 and waiting.json()["status"] == "queued"
    assert waiting["Location"] == job["url"]

    assert run_pending() == 1
    done = poll(client, asked)
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "done" and body["progress"] == 100 and body["error"] is None
    assert not done.has_header("Location")  # nothing more to wait for
    # The same report the synchronous call gives for the period, here on the same figures.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.BRYGGA_REPORT_SYNC_DAYS", 10_000)
        at_once = ask(client)
    assert at_once.status_code == 200
    assert body["report"] == at_once.json()
    assert body["report"]["period"] == {**LONG, "on_date": "2025-12-31"}
    assert body["report"]["suppressed"] is False


def test_a_year_is_still_answered_at_once(api_as, manager):
    answer = ask(api_as(manager), {"start": "2025-01-01", "end": "2025-12-31"})
    assert answer.status_code == 200
    assert answer.json()["period"]["start"] == "2025-01-01"
    assert not Job.objects.exists()


def test_asking_again_while_it_waits_or_runs_gives_the_same_job(api_as, manager, login):
    client = api_as(manager)
    first = ask(client).json()
    again = ask(client)
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    # The page asking for the same period finds it too: one job, counted once.
    page = login(manager).post("/statistik/i-bakgrunden/", LONG)
    assert page["Location"] == f"/jobb/{first['id']}/"
    Job.objects.filter(pk=first["id"]).update(status=Job.Status.RUNNING)
    assert ask(client).json()["id"] == first["id"]
    assert Job.objects.count() == 1
    # Another period, or the same one with another on-date, is another job.
    other = ask(client, {**LONG, "on_date": "2020-06-30"}).json()
    assert other["id"] != first["id"]


def test_asked_again_after_it_is_done_the_figures_are_counted_anew(api_as, manager):
    client = api_as(manager)
    first = ask(client).json()
    run_pending()
    second = ask(client)
    assert second.status_code == 202 and second.json()["id"] != first["id"]


def test_only_the_user_who_asked_sees_the_job(api_as, manager, analyst, coordinator):
    from tests.factories import UserFactory

    asked = ask(api_as(manager))
    run_pending()
    job_id = asked.json()["id"]
    other_manager = UserFactory(username="boss2", roles=list(_roles_of(manager)))
    for user in (other_manager, analyst, coordinator):
        client = api_as(user)
        assert client.get(f"/jobs/{job_id}").status_code == 404
        assert client.post(f"/jobs/{job_id}/retry").status_code == 404
    assert api_as(None).get(f"/jobs/{job_id}").status_code == 401
    assert api_as(manager).get(f"/jobs/{job_id}").status_code == 200


def _roles_of(user):
    for membership in Membership.objects.filter(user=user):
        yield membership.unit, membership.role


def test_the_permission_is_checked_again_on_every_read(api_as, manager):
    client = api_as(manager)
    asked = ask(client)
    run_pending()
    Membership.objects.filter(user=manager).delete()
    refused = poll(client, asked)
    assert refused.status_code == 403
    assert "report" not in refused.json()


def test_a_failed_job_says_so_and_is_tried_again_through_the_api(api_as, manager, monkeypatch):
    import reports.jobs

    real = reports.jobs.report_for

    def broken(user, form):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(reports.jobs, "report_for", broken)
    client = api_as(manager)
    asked = ask(client)
    run_pending()
    failed = poll(client, asked).json()
    assert failed["status"] == "failed" and failed["report"] is None
    assert failed["error"] == "ConnectionError"
    assert failed["retry_url"] == f"{asked.json()['url']}/retry"
    assert "ConnectionError" in failed["detail"] and failed["retry_url"] in failed["detail"]

    monkeypatch.setattr(reports.jobs, "report_for", real)
    retried = client.post(f"/jobs/{failed['id']}/retry")
    assert retried.status_code == 202
    assert retried.json()["status"] == "queued" and retried.json()["id"] == failed["id"]
    assert retried["Location"] == failed["url"]
    # A second retry while it waits: nothing to try again, nothing queued twice.
    twice = client.post(f"/jobs/{failed['id']}/retry")
    assert twice.status_code == 409 and "misslyckats" in twice.json()["detail"]
    assert run_pending() == 1
    done = poll(client, asked).json()
    assert done["status"] == "done" and done["report"]["period"]["start"] == LONG["start"]
    assert Job.objects.get().attempts == 2


def test_a_failed_job_asked_for_again_meanwhile_is_not_queued_twice(api_as, manager, monkeypatch):
    import reports.jobs

    monkeypatch.setattr(reports.jobs, "report_for", lambda user, form: 1 / 0)
    client = api_as(manager)
    failed = ask(client).json()
    run_pending()
    asked_again = ask(client).json()  # the first one failed: a new job
    assert asked_again["id"] != failed["id"]
    retried = client.post(f"/jobs/{failed['id']}/retry")
    assert retried.status_code == 202 and retried.json()["id"] == asked_again["id"]
    assert Job.objects.get(pk=failed["id"]).status == Job.Status.FAILED
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 1


def test_a_read_only_token_may_ask_and_poll_but_not_retry(api_as, manager):
    from api.models import Scope

    client = api_as(manager, scope=Scope.READ)
    asked = ask(client)
    assert asked.status_code == 202
    assert poll(client, asked).status_code == 200
    assert client.post(f"/jobs/{asked.json()['id']}/retry").status_code == 403


def test_an_analyst_gets_the_same_rounded_figures_from_the_job(api_as, analyst, manager, org):
    """The one rule (reports.suppression) applies to the job as to the synchronous answer."""
    intakes(org, 3)  # published to analysts as 5
    year = {"start": "2025-01-01", "end": "2025-12-31"}
    client = api_as(analyst)
    at_once = ask(client, year)
    assert at_once.status_code == 200
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.BRYGGA_REPORT_SYNC_DAYS", 31)
        asked = ask(client, year)
    assert asked.status_code == 202
    run_pending()
    report = poll(client, asked).json()["report"]
    assert report == at_once.json()
    assert report["suppressed"] is True
    exact = api_as(manager).get("/statistics", year).json()
    assert _intakes_counted(exact) == 3
    assert _intakes_counted(report) == 5


def _intakes_counted(report) -> int:
    table = next(t for s in report["sections"] for t in s["tables"] if t["key"] == "intake_source")
    return table["total"]["values"][0]


def test_bad_parameters_are_refused_with_the_reason_and_queue_nothing(api_as, manager, analyst):
    client = api_as(manager)
    backwards = ask(client, {"start": "2025-12-31", "end": "2015-01-01"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "end"
    too_early = ask(client, {"start": "1900-01-01", "end": "2025-12-31"})
    assert too_early.status_code == 422 and too_early.json()["field"] == "start"
    not_a_date = ask(client, {"start": "2015-13-01", "end": "2025-12-31"})
    assert not_a_date.status_code == 422 and not_a_date.json()["field"] == "start"
    # Analysts: calendar periods only, as on the page, however long.
    many_years = ask(api_as(analyst), LONG)
    assert many_years.status_code == 422 and many_years.json()["field"] == "end"
    assert not Job.objects.exists()
    assert client.get("/jobs/not-a-uuid").status_code == 422
    unknown = client.get("/jobs/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404


def test_no_person_is_read_so_nothing_is_access_logged(api_as, manager, person):
    """Statistics are aggregates: the page's job logs no read, nor does the API's."""
    client = api_as(manager)
    before = AccessLogEntry.objects.count()
    asked = ask(client)
    run_pending()
    assert poll(client, asked).json()["status"] == "done"
    assert AccessLogEntry.objects.count() == before


def test_the_openapi_document_describes_the_job(client):
    schema = client.get("/api/v1/openapi.json").json()
    statistics = schema["paths"]["/api/v1/statistics"]["get"]["responses"]
    assert {"200", "202", "422"} <= set(statistics)
    job_ref = statistics["202"]["content"]["application/json"]["schema"]["$ref"]
    job_schema = schema["components"]["schemas"][job_ref.rsplit("/", 1)[-1]]
    assert {"id", "status", "progress", "url", "report", "retry_url"} <= set(
        job_schema["properties"]
    )
    polled = schema["paths"]["/api/v1/jobs/{job_id}"]["get"]["responses"]
    assert polled["200"]["content"]["application/json"]["schema"]["$ref"] == job_ref
    assert "404" in polled
    retry = schema["paths"]["/api/v1/jobs/{job_id}/retry"]["post"]["responses"]
    assert {"202", "404", "409"} <= set(retry)


def test_the_page_and_the_api_ask_one_rule_for_what_is_long(api_as, manager, login, monkeypatch):
    import reports.jobs

    monkeypatch.setattr(reports.jobs, "in_background", lambda form: False)
    assert ask(api_as(manager)).status_code == 200
    page = login(manager).get("/statistik/", LONG).content.decode()
    assert 'id="section-intake"' in page
    monkeypatch.setattr(reports.jobs, "in_background", lambda form: True)
    year = {"start": "2025-01-01", "end": "2025-12-31"}
    assert ask(api_as(manager), year).status_code == 202
    assert (
        'action="/statistik/i-bakgrunden/"'
        in login(manager).get("/statistik/", year).content.decode()
    )
