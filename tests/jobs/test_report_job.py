"""The statistics report over many years, produced in the background and shown on its page."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from jobs.models import Job
from organisation.models import Membership
from tests.background import job_of, run_pending
from tests.resent import assert_answered_with_the_first, send_twice, token_on

pytestmark = pytest.mark.django_db

LONG = {"start": "2015-01-01", "end": "2025-12-31"}


def ask(client, period=LONG):
    return job_of(client.post("/statistik/i-bakgrunden/", period))


def test_a_period_of_many_years_is_offered_in_the_background_not_counted_at_once(login, manager):
    page = login(manager).get("/statistik/", LONG).content.decode()
    assert 'action="/statistik/i-bakgrunden/"' in page
    assert "Ta fram rapporten" in page
    assert 'id="section-intake"' not in page  # nothing counted in the request
    assert not Job.objects.exists()


def test_a_year_is_still_shown_at_once(login, manager):
    page = login(manager).get("/statistik/", {"start": "2025-01-01", "end": "2025-12-31"})
    assert 'id="section-intake"' in page.content.decode()


def test_the_download_of_a_long_period_leads_to_the_page_that_offers_it(login, manager):
    response = login(manager).get("/statistik/statistik.xlsx", LONG)
    assert response.status_code == 302
    assert response["Location"].startswith("/statistik/?")


def test_the_job_shows_its_progress_then_the_report_and_its_files(login, manager):
    client = login(manager)
    job = ask(client)
    waiting = client.get(f"/jobb/{job.pk}/").content.decode()
    assert "Väntar på sin tur" in waiting
    assert 'hx-trigger="every 2s"' in waiting  # the status fragment is polled while it runs
    assert run_pending() == 1
    page = client.get(f"/jobb/{job.pk}/").content.decode()
    assert "Klar" in page and 'id="section-intake"' in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling
    fragment = client.get(f"/jobb/{job.pk}/status/").content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"')
    assert 'id="section-intake"' in fragment
    files = {f.name: f for f in Job.objects.get(pk=job.pk).files.all()}
    assert set(files) == {
        "brygga-statistik-20150101-20251231.csv",
        "brygga-statistik-20150101-20251231.xlsx",
    }
    csv_file = client.get(f"/jobb/fil/{files['brygga-statistik-20150101-20251231.csv'].pk}/")
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows[0][0] == "section" and len(rows) > 10
    xlsx = client.get(f"/jobb/fil/{files['brygga-statistik-20150101-20251231.xlsx'].pk}/")
    assert len(openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets) > 1


def test_a_resent_form_queues_the_report_once(login, manager):
    client = login(manager)
    token = token_on(client.get("/statistik/", LONG), "/statistik/i-bakgrunden/")
    first, second = send_twice(client, "/statistik/i-bakgrunden/", LONG, token)
    assert_answered_with_the_first(client, first, second)
    assert Job.objects.count() == 1
    assert run_pending() == 1


def test_only_the_user_who_asked_sees_the_job_and_its_files(login, manager, analyst):
    job = ask(login(manager))
    run_pending()
    file = Job.objects.get(pk=job.pk).files.first()
    other = login(analyst)
    assert other.get(f"/jobb/{job.pk}/").status_code == 404
    assert other.get(f"/jobb/{job.pk}/status/").status_code == 404
    assert other.get(f"/jobb/fil/{file.pk}/").status_code == 404
    assert other.post(f"/jobb/{job.pk}/forsok-igen/").status_code == 404
    assert job.title not in other.get("/jobb/").content.decode()


def test_the_permission_is_checked_again_when_the_result_is_fetched(login, manager):
    client = login(manager)
    job = ask(client)
    run_pending()
    file = Job.objects.get(pk=job.pk).files.first()
    Membership.objects.filter(user=manager).delete()
    assert client.get(f"/jobb/{job.pk}/").status_code == 403
    assert client.get(f"/jobb/fil/{file.pk}/").status_code == 403


def test_the_list_of_ones_jobs_keeps_its_number_of_queries(
    login, manager, django_assert_max_num_queries
):
    client = login(manager)
    for year in range(2001, 2016):
        ask(client, {"start": f"{year}-01-01", "end": f"{year + 1}-12-31"})
    with django_assert_max_num_queries(12):
        page = client.get("/jobb/").content.decode()
    assert page.count("/jobb/") >= 15


def test_trying_again_a_failed_report_asked_for_again_meanwhile_leads_to_that_job(
    login, manager, monkeypatch
):
    import reports.jobs

    client = login(manager)
    monkeypatch.setattr(reports.jobs, "report_for", lambda user, form: 1 / 0)
    failed = ask(client)
    run_pending()
    again = ask(client)  # the first one failed: a new job for the same period
    assert again.pk != failed.pk
    response = client.post(f"/jobb/{failed.pk}/forsok-igen/")
    assert response["Location"] == f"/jobb/{again.pk}/"
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 1
