"""The OpenAPI document and the docs page (served without any CDN), and the README's script."""

from __future__ import annotations

from django.test import Client


def test_the_openapi_document_describes_the_token(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Brygga API"
    assert "TokenAuth" in schema["components"]["securitySchemes"]
    token = schema["components"]["securitySchemes"]["TokenAuth"]["description"]
    assert '"read" allows only GET, HEAD and OPTIONS' in token
    assert "read-only token may use GET, HEAD and OPTIONS only" in schema["info"]["description"]
    assert "/api/v1/people" in schema["paths"]


def test_the_docs_page_loads_only_local_files(login, coordinator):
    page = login(coordinator).get("/api/v1/docs").content.decode()
    assert "/api/v1/docs-assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    asset = Client().get("/api/v1/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert Client().get("/api/v1/docs-assets/settings.py").status_code == 404


def test_a_script_with_a_token_searches_registers_and_reads_statistics(api_as, manager, person):
    """docs/api.md's curl example, step by step."""
    client = api_as(manager)
    hits = client.get("/people", {"q": "Elin Fiktiv"}).json()
    assert [(h["first_name"], h["access"]) for h in hits] == [("Elin", "write")]
    intake = client.post(
        "/intakes",
        {
            "channel": "phone",
            "source": "relative",
            "person_number": hits[0]["number"],
            "description": "Mamman ringer: Elin har inte gått ut på ett år.",
        },
    )
    assert intake.status_code == 201
    assert intake.json()["person_id"] == str(person.pk)
    report = client.get("/statistics", {"start": "2026-01-01", "end": "2026-12-31"})
    assert report.status_code == 200
    assert report.json()["suppressed"] is False  # a manager sees exact figures, as on the page
    assert report.json()["period"] == {
        "start": "2026-01-01",
        "end": "2026-12-31",
        "on_date": "2026-12-31",
    }


def test_an_analyst_gets_counts_rounded_and_bad_periods_are_named(api_as, analyst):
    client = api_as(analyst)
    report = client.get("/statistics", {"start": "2026-01-01", "end": "2026-03-31"})
    assert report.status_code == 200
    assert report.json()["suppressed"] is True
    # Analysts ask for a calendar month, quarter or year, as on the page.
    half = client.get("/statistics", {"start": "2026-01-01", "end": "2026-06-30"})
    assert half.status_code == 422
    assert half.json()["field"] == "end"
    wrong = client.get("/statistics", {"start": "1900-01-01", "end": "2026-06-30"})
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "start"
