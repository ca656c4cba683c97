"""Failure and retry, nothing run twice, the daily jobs once a day."""

from __future__ import annotations

import functools
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from jobs import queue, worker
from jobs.models import Job
from tests.background import run_pending
from tests.jobs.conftest import FLAKY
from tests.threads import at_once


@pytest.mark.django_db
def test_a_failed_job_says_so_in_swedish_and_can_be_tried_again(login, manager, flaky, caplog):
    flaky.failures_left = 1
    client = login(manager)
    job = queue.start(kind=FLAKY, user=manager, title="Prov")
    with caplog.at_level(logging.INFO):
        run_pending()
    page = client.get(f"/jobb/{job.pk}/").content.decode()
    assert "Jobbet misslyckades, och inget resultat togs fram." in page
    assert "Försök igen" in page
    assert "Elin" not in caplog.text  # the exception's message may name a person: not logged
    response = client.post(f"/jobb/{job.pk}/forsok-igen/")
    assert response.status_code == 302 and response["Location"] == f"/jobb/{job.pk}/"
    assert "Väntar på sin tur" in client.get(f"/jobb/{job.pk}/").content.decode()
    assert run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, flaky.runs) == (Job.Status.DONE, 2, 2)
    assert "Klart resultat" in client.get(f"/jobb/{job.pk}/").content.decode()


@pytest.mark.django_db
def test_a_job_that_has_not_failed_is_not_queued_again(login, manager, flaky):
    job = queue.start(kind=FLAKY, user=manager, title="Prov")
    run_pending()
    login(manager).post(f"/jobb/{job.pk}/forsok-igen/")
    assert run_pending() == 0
    assert flaky.runs == 1


@pytest.mark.django_db
def test_a_job_delivered_twice_runs_once(manager, flaky):
    job = queue.start(kind=FLAKY, user=manager, title="Prov")
    queue._enqueue(job)  # as if the queue held it twice
    assert run_pending() == 2
    assert flaky.runs == 1


@pytest.mark.django_db
def test_the_daily_jobs_are_queued_once_a_day_and_run_by_the_worker(capsys):
    call_command("daily", enqueue=True)
    call_command("daily", enqueue=True)  # a second timer, a second server
    assert Job.objects.filter(kind="daily").count() == 1
    assert DBTaskResult.objects.count() == 1
    assert run_pending() == 1
    job = Job.objects.get(kind="daily")
    assert job.status == Job.Status.DONE
    assert "All daily jobs done." in job.html
    call_command("daily", enqueue=True)  # later the same day: already done
    assert run_pending() == 0


@pytest.mark.django_db
def test_queueing_the_daily_jobs_fails_loudly_when_yesterdays_failed(capsys):
    import datetime

    from django.core.management.base import CommandError
    from django.utils import timezone

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Job.objects.create(
        kind="daily", title="Igår", once_key=f"daily:{yesterday}", status="failed", error="X"
    )
    with pytest.raises(CommandError, match="failed"):
        call_command("daily", enqueue=True)
    assert Job.objects.filter(kind="daily", status="queued").count() == 1  # today's is queued


@pytest.mark.django_db
def test_nobody_sees_the_daily_job(login, manager):
    call_command("daily", enqueue=True)
    job = Job.objects.get(kind="daily")
    assert login(manager).get(f"/jobb/{job.pk}/").status_code == 404


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_a_job_once(manager, flaky):
    job = queue.start(kind=FLAKY, user=manager, title="Prov")
    results = at_once(2, worker.run_once)
    assert sorted(results) == [False, True]
    job.refresh_from_db()
    assert (job.status, flaky.runs) == (Job.Status.DONE, 1)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_job_claimed_by_two_workers_at_once_runs_once(manager, flaky):
    job = queue.start(kind=FLAKY, user=manager, title="Prov")
    results = at_once(2, lambda: queue.execute(str(job.pk)))
    assert sorted(results) == ["done", "skipped"]
    assert flaky.runs == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_daily_jobs_asked_for_twice_at_once_are_queued_once():
    at_once(2, lambda: call_command("daily", enqueue=True))
    assert Job.objects.filter(kind="daily").count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_old_results_are_deleted_and_a_job_that_lost_its_worker_can_be_tried_again(
    login, manager, flaky
):
    import datetime

    from django.utils import timezone

    old = queue.start(kind=FLAKY, user=manager, title="Gammal")
    lost = queue.start(kind=FLAKY, user=manager, title="Borttappad")
    run_pending()
    long_ago = timezone.now() - datetime.timedelta(days=8)
    Job.objects.filter(pk=old.pk).update(finished_at=long_ago)
    Job.objects.filter(pk=lost.pk).update(status=Job.Status.RUNNING, started_at=long_ago)
    call_command("prune_jobs")
    assert not Job.objects.filter(pk=old.pk).exists()
    assert "Försök igen" in login(manager).get(f"/jobb/{lost.pk}/").content.decode()


@pytest.mark.django_db
def test_a_job_asked_for_one_at_a_time_is_queued_again_only_once_it_has_finished(manager, flaky):
    ask = functools.partial(
        queue.start, kind=FLAKY, user=manager, title="Prov", params={"a": 1}, one_at_a_time=True
    )
    first = ask()
    assert ask().pk == first.pk
    assert ask(params={"a": 2}).pk != first.pk
    run_pending()
    assert ask().pk != first.pk


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_job_asked_for_one_at_a_time_by_four_requests_at_once_is_queued_once(manager, flaky):
    results = at_once(
        4,
        lambda: (
            queue.start(
                kind=FLAKY, user=manager, title="Prov", params={"a": 1}, one_at_a_time=True
            ).pk
        ),
    )
    assert len(set(results)) == 1, results
    assert Job.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
