"""docs/going-live.md, followed as written: from an empty database to the first decision letter.

The organisation from docs/examples/organisation.yaml, the earlier history from
docs/examples/history.jsonl (with unidentified intakes and unknown values), the same export from a
second source whose ids clash, a corrected re-import, then an officer from the file logs in with
a password and makes a decision whose letter cites the law in force — without load_demo.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from decisions.models import Decision
from intake.models import Intake
from organisation.models import SupportKind, Unit
from people.models import Person
from reports import figures
from tests.editing import posted_as_shown
from tests.factories import test_number as fictional_number

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def history(tmp_path, source: str, change=None) -> str:
    lines = [json.loads(line) for line in (EXAMPLES / "history.jsonl").read_text().splitlines()]
    if change:
        change(lines)
    path = tmp_path / f"{source}.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    return run(
        "import_history",
        str(path),
        user="tove.ahl",
        source=source,
        unit="Myndighetsenheten vuxen",
        support_kind="bryta-isolering",
    )


def test_from_an_empty_database_to_the_first_decision_letter(db, tmp_path, settings):
    settings.MUNICIPALITY_NAME = "Granbacka kommun"
    assert not get_user_model().objects.exists()

    # Step 6: the organisation from the file; again, and nothing changes.
    run("setup_organisation", str(EXAMPLES / "organisation.yaml"))
    again = run("setup_organisation", str(EXAMPLES / "organisation.yaml"))
    assert "Inget att ändra" in again

    # Step 7: the earlier history, with unidentified intakes and unknown values.
    history(tmp_path, "gamla")
    people = Person.objects.count()
    unidentified = Intake.objects.filter(person__isnull=True).count()
    assert people > 0 and unidentified > 0
    start, end = datetime.date(2010, 1, 1), datetime.date(2015, 12, 31)
    assert figures.not_offered(start, end) >= unidentified

    # A second system's export whose ids clash with the first's (P000… in both): its people are
    # new people, its records its own, nothing of the first source is "skipped".
    def other_people(lines):
        for n, line in enumerate(lines):
            if line.get("personal_number"):
                birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n)
                line["personal_number"] = fictional_number(birth, 990 + n)
            if line.get("reserve_number"):
                line["reserve_number"] = line["reserve_number"].replace("GAMLA", "ANNAT")

    decisions = Decision.objects.count()
    history(tmp_path, "annat", other_people)
    assert Person.objects.count() == 2 * people
    assert Decision.objects.count() == 2 * decisions

    # A corrected re-import changes only what changed, and says so.
    def later_closure(lines):
        for line in lines:
            if line.get("closure", {}).get("closed_on"):
                line["closure"]["closed_on"] = "2015-06-30"
                return

    corrected = history(tmp_path, "gamla", later_closure)
    assert "2015-06-30" in corrected
    assert Person.objects.count() == 2 * people

    # Step 8: the officer from the file logs in with the password IT set.
    officer = get_user_model().objects.get(username="liv.ostberg")
    officer.set_password("Granbacka-2026!")  # what `manage.py changepassword` does
    officer.save()
    client = Client()
    login = client.post(
        "/accounts/login/", {"username": "liv.ostberg", "password": "Granbacka-2026!"}
    )
    assert login.status_code == 302
    assert client.get("/").status_code == 200

    # Step 9: person, application, decision, letter — through the pages.
    number = fictional_number(datetime.date(1995, 5, 17), 987)
    page = client.get("/personer/ny/")
    response = client.post(
        "/personer/ny/",
        posted_as_shown(
            page,
            identity="number",
            number=number,
            first_name="Tova",
            last_name="Fiktiv",
            municipality="Granbacka",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(personal_number=number.replace("-", ""))
    url = f"/beslut/person/{person.pk}/ansokan/ny/"
    response = client.post(
        url,
        posted_as_shown(
            client.get(url),
            support_kind=str(SupportKind.objects.get(name="Stöd för att bryta isolering").pk),
            applied_on="2026-11-30",
            form="written",
            what="Stöd för att komma ut ur lägenheten.",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application = person.applications.get()
    url = f"/beslut/ansokan/{application.pk}/beslut/"
    response = client.post(
        url,
        posted_as_shown(
            client.get(url),
            outcome="grant",
            content="Stöd för att bryta isolering, ett besök i veckan.",
            decided_on="2026-12-02",
            period_from="2026-12-07",
            period_to="2027-06-30",
            goals="Tova går till affären själv.",
            # Two teams deliver this kind of support: the officer chooses which gets the order.
            provider_unit=str(Unit.objects.get(code="team-ost").pk),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = Decision.objects.get(application=application)
    letter = client.get(f"/beslut/{decision.pk}/brev.pdf")
    assert letter["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    text = " ".join(text.split())
    assert "Granbacka kommun" in text
    assert "socialtjänstlagen (2025:400)" in text
    assert decision.number in text
