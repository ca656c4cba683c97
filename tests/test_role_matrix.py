"""Every route in the project, tried by every standard user: who gets what.

The matrix must name every URL pattern the resolver knows (Django's admin is covered by a few
representative pages and excluded by namespace). A new page without a row makes the test fail,
so nobody adds a page without deciding who may use it.

Codes: OK 200; LOGIN 302 to the login page; REASON 302 to the person's reason form;
DENIED 403 (may know the page exists, may not use it); HIDDEN 404 (may not know the person
exists); NOT_ALLOWED 405; `Redirect("/path/")` 302 elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.admin import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import ContactFactory
from tests.jobs import matrix as job_rows
from tests.retention import matrix as retention_rows

LOGIN_PATH = "/accounts/login/"

OK, DENIED, HIDDEN, NOT_ALLOWED = 200, 403, 404, 405
LOGIN = "login"
REASON = "reason"


@dataclass(frozen=True)
class Redirect:
    to: str

    def __str__(self) -> str:
        return f"302→{self.to}"


USERS = [
    "anonymous",
    "coordinator",
    "colleague",
    "officer",
    "outsider_officer",
    "manager",
    "analyst",
    "meeting_staff",
    "administrator",
]


def row(anonymous, coordinator, colleague, officer, outsider, manager, analyst, mp, admin):
    values = [anonymous, coordinator, colleague, officer, outsider, manager, analyst, mp, admin]
    return dict(zip(USERS, values, strict=True))


# Pages any case worker may reach, and the rest may not.
CASE_WORKERS = row(LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED, DENIED)
# A page of `person`: named coordinator, unit officer and manager change it; another team and
# another unit must first give a reason; the other roles never see a person.
PERSON_READ = row(LOGIN, OK, REASON, OK, REASON, OK, DENIED, DENIED, DENIED)
PERSON_WRITE_FORM = PERSON_READ
# The statistics report: analysts and managers only.
REPORTS = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED)
ADMINISTRATION = row(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK)


def person_url(suffix=""):
    return lambda ctx: f"/personer/{ctx['person'].pk}/{suffix}"


def contact_url(suffix=""):
    # A fresh contact for every request, since removing one is part of the matrix.
    def build(ctx):
        contact = ContactFactory(person=ctx["person"])
        return f"/personer/{ctx['person'].pk}/natverk/{contact.pk}/{suffix}"

    return build


def detail(ctx):
    return Redirect(f"/personer/{ctx['person'].pk}/")


def _intake(ctx):
    """One open intake about `person` in the authority unit holding the person's case."""
    from intake.models import Intake

    if "intake" not in ctx:
        unit = ctx["person"].cases.first().authority_unit
        ctx["intake"] = Intake.objects.create(
            unit=unit, person=ctx["person"], channel="phone", source="relative"
        )
    return ctx["intake"]


def intake_url(suffix=""):
    return lambda ctx: f"/aktualiseringar/{_intake(ctx).pk}/{suffix}"


def talk_url(suffix=""):
    def build(ctx):
        from intake.models import AssessmentTalk

        if "talk" not in ctx:
            ctx["talk"] = AssessmentTalk.objects.create(
                person=ctx["person"],
                held_on="2025-03-10",
                place="premises",
                created_by=ctx["coordinator"],
            )
        return f"/aktualiseringar/samtal/{ctx['talk'].pk}/{suffix}"

    return build


def referral_url(ctx):
    from intake.models import Referral
    from organisation.models import Service

    service, _ = Service.objects.get_or_create(
        name="Psykiatrin", defaults={"organisation": "region"}
    )
    referral = Referral.objects.create(
        person=ctx["person"], origin="talk", service=service, created_by=ctx["coordinator"]
    )
    return f"/aktualiseringar/hanvisningar/{referral.pk}/resultat/"


def intake_detail(ctx):
    return Redirect(f"/aktualiseringar/{_intake(ctx).pk}/")


# The authority side's intake pages: officers and managers of the unit; the named coordinator may
# read it; the outsider officer and a colleague must first give a reason, as for the person.
INTAKE_INBOX = row(LOGIN, DENIED, DENIED, OK, OK, OK, DENIED, DENIED, DENIED)
INTAKE_READ = row(LOGIN, OK, REASON, OK, REASON, OK, DENIED, DENIED, DENIED)
INTAKE_WRITE = row(LOGIN, DENIED, REASON, OK, REASON, OK, DENIED, DENIED, DENIED)
PUBLIC = row(*[OK] * 9)


def mapping_url(suffix=""):
    def build(ctx):
        from tests.factories import MappingFactory

        if "mapping" not in ctx:
            ctx["mapping"] = MappingFactory(person=ctx["person"], created_by=ctx["coordinator"])
        return f"/kartlaggning/{ctx['mapping'].pk}/{suffix}"

    return build


def attachment_url(ctx):
    from tests.factories import AttachmentFactory

    if "attachment" not in ctx:
        ctx["attachment"] = AttachmentFactory(person=ctx["person"], uploaded_by=ctx["coordinator"])
    return f"/dokument/{ctx['attachment'].pk}/"


def _decision_objects(ctx):
    """An application, a rejection with its reasons, and an appeal about `person`, made once."""
    if "decision" not in ctx:
        import datetime

        from decisions.models import Appeal
        from tests import factories
        from tests.factories import SupportKindFactory

        person, by = ctx["person"], ctx["coordinator"]
        kind = SupportKindFactory(name="Stöd för att bryta isolering i matrisen")
        case = person.cases.first()
        on = factories.application(
            case, kind, by, datetime.date(2026, 2, 2), communication_exemption="Matrisen"
        )
        ctx["application"] = on
        ctx["decision"] = factories.decision(
            case,
            kind,
            by,
            datetime.date(2026, 3, 2),
            on=on,
            number="B-2026-0999",
            outcome="rejection",
            content="Avslag",
        )
        ctx["appeal"] = Appeal.objects.create(
            decision=ctx["decision"],
            received_on=datetime.date(2026, 3, 10),
            decision_received_on=datetime.date(2026, 3, 4),
            deadline=datetime.date(2026, 3, 25),
            in_time=True,
            registered_by=by,
        )
    return ctx


def decision_url(key, suffix=""):
    return lambda ctx: f"/beslut/{_decision_objects(ctx)[key].pk}/{suffix}"


def application_url(suffix=""):
    return lambda ctx: f"/beslut/ansokan/{_decision_objects(ctx)['application'].pk}/{suffix}"


def appeal_url(suffix=""):
    return lambda ctx: f"/beslut/overklagande/{_decision_objects(ctx)['appeal'].pk}/{suffix}"


# Applications, decisions and appeals: anyone who may read the person reads them; only the
# authority side (officers, managers) registers, decides and records, never the provider.
AUTHORITY_WRITE = row(LOGIN, DENIED, DENIED, OK, REASON, OK, DENIED, DENIED, DENIED)


def _group_objects(ctx):
    """A group of team North with one session, and a meeting place with its board decision."""
    if "group" not in ctx:
        import datetime

        from groups.models import Group, GroupSession, MeetingPlace, OpenActivity

        unit = ctx["person"].cases.first().provider_unit
        ctx["group"] = Group.objects.create(
            name="Matrisgruppen",
            unit=unit,
            weekdays="02",
            start_time=datetime.time(14),
            created_by=ctx["coordinator"],
        )
        ctx["session"] = GroupSession.objects.create(
            group=ctx["group"],
            date=datetime.date(2026, 3, 2),
            start_time=datetime.time(14),
            duration_minutes=60,
        )
        from organisation.models import Unit

        ctx["place"] = MeetingPlace.objects.create(
            name="Matristräffen",
            unit=Unit.objects.get(name="Träffpunkten"),
            board_decision_reference="SN 2026/1",
            board_decision_date=datetime.date(2026, 1, 20),
        )
        OpenActivity.objects.create(meeting_place=ctx["place"], name="Öppet hus")
    return ctx


def group_url(key, suffix=""):
    return lambda ctx: f"/grupper/{_group_objects(ctx)[key].pk}/{suffix}"


def place_url(suffix=""):
    return lambda ctx: f"/traffpunkter/{_group_objects(ctx)['place'].pk}/{suffix}"


# Group activities: coordinators and managers of provider units; a group of another team is
# not known to exist. Meeting places: meeting-place staff of the place's own unit, and managers
# of that unit (the standard manager manages no meeting place); the board's decision is the
# manager's (or the administrator's, in the administration).
GROUP_WORKERS = row(LOGIN, OK, OK, DENIED, DENIED, OK, DENIED, DENIED, DENIED)
GROUP_PAGE = row(LOGIN, OK, HIDDEN, DENIED, DENIED, OK, DENIED, DENIED, DENIED)
MEETING_LIST = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK, DENIED)
MEETING_PAGE = row(LOGIN, DENIED, DENIED, DENIED, DENIED, HIDDEN, DENIED, OK, DENIED)
BOARD_DECISION = row(LOGIN, DENIED, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED)


def _delivery_objects(ctx):
    """A held visit with homework, the next planned visit, a signed note and a plan with a goal."""
    if "visit" not in ctx:
        import datetime

        from delivery import actions as delivery
        from organisation.models import LifeArea

        person, by = ctx["person"], ctx["coordinator"]
        when = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
        ctx["visit"] = delivery.plan_visit(
            user=by, person=person, planned_at=when, place="Hemma", status="held"
        )
        delivery.plan_visit(
            user=by, person=person, planned_at=when + datetime.timedelta(days=7), place="Hemma"
        )
        ctx["homework"] = delivery.give_homework(user=by, visit=ctx["visit"], text="Gå ut")
        note = delivery.create_note(user=by, person=person, happened_on=when.date(), text="Text")
        ctx["signed_note"] = delivery.sign_note(user=by, note=note)
        ctx["plan"] = delivery.create_plan(
            user=by,
            person=person,
            visit_frequency="Varje vecka",
            agreed_on=when.date(),
            agreed_how="Vid besök",
            next_follow_up=when.date(),
        )
        area, _ = LifeArea.objects.get_or_create(code="hemliv", defaults={"name": "Hemliv"})
        ctx["goal"] = delivery.add_goal(user=by, plan=ctx["plan"], life_area=area, text="Mål")
    return ctx


def delivery_url(key, path):
    """path holds {pk}, the id of the object named by key."""
    return lambda ctx: "/genomforande/" + path.format(pk=_delivery_objects(ctx)[key].pk)


def draft_url(suffix):
    # A fresh draft by the coordinator for every request, since signing and removing are tried.
    def build(ctx):
        import datetime

        from delivery.actions import create_note

        note = create_note(
            user=ctx["coordinator"],
            person=ctx["person"],
            happened_on=datetime.date(2026, 3, 2),
            text="Utkast",
        )
        return f"/genomforande/anteckning/{note.pk}/{suffix}"

    return build


def delivery_person_url(suffix):
    return lambda ctx: f"/genomforande/person/{ctx['person'].pk}/{suffix}"


def journal(ctx):
    return Redirect(f"/genomforande/person/{ctx['person'].pk}/journal/")


# The provider's work: whoever may read the person reads it; only the provider side (the
# named coordinator, their team, the manager) changes it, and an officer is refused before any
# reason is asked; a draft note is changed only by its author.
DELIVERY_WRITE = row(LOGIN, OK, REASON, DENIED, DENIED, OK, DENIED, DENIED, DENIED)
AUTHOR_ONLY = row(LOGIN, OK, REASON, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)
AUTHOR_POST = row(LOGIN, journal, REASON, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)


def _provision_objects(ctx):
    """A granted decision's order to `person`'s team, and a closure with a follow-up, made once."""
    if "order" not in ctx:
        import datetime

        from provision.models import Closure, FollowUp
        from tests import factories
        from tests.factories import SupportKindFactory

        person, by = ctx["person"], ctx["coordinator"]
        case = person.cases.first()
        kind = SupportKindFactory(name="Stöd i matrisens uppdrag")
        decision = factories.decision(
            case,
            kind,
            by,
            datetime.date(2026, 3, 2),
            applied_on=datetime.date(2026, 2, 2),
            number="B-2026-0998",
        )
        ctx["order"] = factories.order(decision, case.provider_unit, by)
        closure = Closure.objects.create(
            case=case,
            person=person,
            closed_on=datetime.date(2025, 1, 10),
            reason="goals_reached",
            occupation="work",
            isolation="none",
            follow_up_consent=True,
            closed_by=by,
        )
        ctx["follow_up"] = FollowUp.objects.create(
            closure=closure, person=person, months=6, due_on=datetime.date(2025, 7, 10)
        )
    return ctx


# The provider side: its coordinators and managers see new orders; an order is otherwise the
# person's; only the provider closes and follows up; capacity and reassignment are the manager's.
PROVIDER_INBOX = row(LOGIN, OK, OK, DENIED, DENIED, OK, DENIED, DENIED, DENIED)
PROVIDER_WRITE = row(LOGIN, OK, REASON, DENIED, DENIED, OK, DENIED, DENIED, DENIED)
MANAGER_ONLY = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED)
# A background job of the manager's: nobody else may know it exists.
ONLY_WHO_ASKED = row(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN)


def api_token_revoke_url(ctx):
    # A fresh token of the coordinator for every request, since revoking is what is tried.
    from api.models import Scope
    from api.tokens import create_token

    token, _raw = create_token(user=ctx["coordinator"], name="Matrisen", scope=Scope.READ)
    return f"/api-nycklar/{token.pk}/aterkalla/"


def _instrument_objects(ctx):
    """A completed MADRS-S with a risk alert, a draft, and a home link (token kept) of `person`."""
    if "instruments" not in ctx:
        import datetime

        from instruments import actions

        person, user = ctx["person"], ctx["coordinator"]
        answers = {str(i): 1 for i in range(1, 10)} | {"9": 5}
        complete = actions.start_response(
            user=user,
            person=person,
            code="madrs-s",
            occasion="start",
            administered_on=datetime.date(2025, 3, 3),
        )
        actions.save_answers(user=user, response=complete, answers=answers, complete=True)
        draft = actions.start_response(
            user=user,
            person=person,
            code="madrs-s",
            occasion="visit",
            administered_on=datetime.date(2025, 4, 3),
        )
        _wording_loaded()
        link, token = actions.send_home_link(
            user=user, person=person, code="madrs-s", occasion="visit"
        )
        ctx["instruments"] = {
            "complete": complete,
            "draft": draft,
            "alert": complete.risk_alerts.get(),
            "link": link,
            "token": token,
        }
    return ctx["instruments"]


def person_url_instruments(suffix):
    return lambda ctx: f"/skattningar/person/{ctx['person'].pk}/{suffix}"


def instrument_url(key, path):
    return lambda ctx: "/skattningar/" + path.format(pk=_instrument_objects(ctx)[key].pk)


def _wording_loaded():
    """A home link is sent only for a form whose text is loaded: the demo's wording."""
    from instruments.models import InstrumentText

    if not InstrumentText.objects.filter(code="madrs-s").exists():
        from demo.instruments import load_demo_wording

        load_demo_wording()


def _fresh_link_url(ctx):
    """A new link for every request, since withdrawing one is part of the matrix."""
    from instruments import actions

    _wording_loaded()
    link, _token = actions.send_home_link(
        user=ctx["coordinator"], person=ctx["person"], code="madrs-s", occasion="visit"
    )
    ctx["revoked_link"] = link
    return f"/skattningar/lank/{link.pk}/aterkalla/"


def _revoked_detail(ctx):
    return Redirect(f"/skattningar/{ctx['revoked_link'].response_id}/")


INSTRUMENT_REVOKE = row(
    LOGIN, _revoked_detail, REASON, _revoked_detail, REASON, _revoked_detail, DENIED, DENIED, DENIED
)


# route key -> (method, url builder, POST data, expected per user)
MATRIX = {
    "home": ("get", lambda ctx: "/", None, row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)),
    # A start-page list in full; each list has its roles (tests/test_worklist_pages.py).
    "worklist": ("get", lambda ctx: "/arbetslista/oppna-arenden/", None, CASE_WORKERS),
    "accessibility": (
        "get",
        lambda ctx: "/tillganglighet/",
        None,
        row(OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ),
    "health": ("get", lambda ctx: "/health/", None, PUBLIC),
    "login": (
        "get",
        lambda ctx: LOGIN_PATH,
        None,
        row(OK, *[Redirect("/")] * 8),
    ),
    "logout": (
        "post",
        lambda ctx: "/accounts/logout/",
        {},
        row(*[Redirect(LOGIN_PATH)] * 9),
    ),
    "set_language": (
        "post",
        lambda ctx: "/i18n/setlang/",
        {"language": "sv"},
        row(*[Redirect("/")] * 9),
    ),
    "people:list": ("get", lambda ctx: "/personer/", None, CASE_WORKERS),
    "people:create": (
        "get",
        lambda ctx: "/personer/ny/",
        None,
        # Only the authority side registers people.
        row(LOGIN, DENIED, DENIED, OK, OK, OK, DENIED, DENIED, DENIED),
    ),
    "people:detail": ("get", person_url(), None, PERSON_READ),
    "people:edit": ("get", person_url("andra/"), None, PERSON_WRITE_FORM),
    "people:reason": (
        "get",
        person_url("skal/"),
        None,
        # Those who already may read are sent on to the record.
        row(LOGIN, "detail", OK, "detail", OK, "detail", DENIED, DENIED, DENIED),
    ),
    "people:merge": ("get", person_url("sammanfoga/"), None, PERSON_WRITE_FORM),
    "people:contact_create": ("get", person_url("natverk/ny/"), None, PERSON_WRITE_FORM),
    # The person's timeline and its PDF: read like the person page.
    "timeline:person": (
        "get",
        lambda ctx: f"/tidslinje/person/{ctx['person'].pk}/",
        None,
        PERSON_READ,
    ),
    "timeline:pdf": (
        "get",
        lambda ctx: f"/tidslinje/person/{ctx['person'].pk}/utskrift.pdf",
        None,
        PERSON_READ,
    ),
    "people:contact_edit": ("get", contact_url(), None, PERSON_WRITE_FORM),
    "people:contact_delete": (
        "post",
        contact_url("ta-bort/"),
        {},
        row(LOGIN, "detail", REASON, "detail", REASON, "detail", DENIED, DENIED, DENIED),
    ),
    "intake:inbox": ("get", lambda ctx: "/aktualiseringar/", None, INTAKE_INBOX),
    "intake:create": ("get", lambda ctx: "/aktualiseringar/ny/", None, INTAKE_INBOX),
    "intake:services": ("get", lambda ctx: "/aktualiseringar/tjanster/", None, CASE_WORKERS),
    "intake:detail": ("get", intake_url(), None, INTAKE_READ),
    "intake:edit": ("get", intake_url("andra/"), None, INTAKE_WRITE),
    "intake:note": ("get", intake_url("anteckning/"), None, INTAKE_WRITE),
    "intake:link_person": ("get", intake_url("koppla-person/"), None, INTAKE_WRITE),
    "intake:close": ("get", intake_url("avsluta/"), None, INTAKE_WRITE),
    "intake:talk_create": ("get", intake_url("bedomningssamtal/"), None, INTAKE_WRITE),
    "intake:callback": (
        "post",
        intake_url("aterringd/"),
        {},
        row(LOGIN, DENIED, REASON, intake_detail, REASON, intake_detail, DENIED, DENIED, DENIED),
    ),
    "intake:person_talk": (
        "get",
        lambda ctx: f"/aktualiseringar/personer/{ctx['person'].pk}/bedomningssamtal/",
        None,
        PERSON_WRITE_FORM,
    ),
    "intake:person_referral": (
        "get",
        lambda ctx: f"/aktualiseringar/personer/{ctx['person'].pk}/hanvisning/",
        None,
        PERSON_WRITE_FORM,
    ),
    "intake:talk_detail": ("get", talk_url(), None, PERSON_READ),
    "intake:talk_conclude": ("get", talk_url("utfall/"), None, PERSON_WRITE_FORM),
    "intake:referral_result": ("get", referral_url, None, PERSON_WRITE_FORM),
    # The public intake form and its confirmation need no login.
    "public:form": ("get", lambda ctx: "/anmalan/", None, PUBLIC),
    "public:thanks": ("get", lambda ctx: "/anmalan/tack/", None, PUBLIC),
    "instruments:start": ("get", person_url_instruments("ny/"), None, PERSON_WRITE_FORM),
    "instruments:home_link": ("get", person_url_instruments("hemlank/"), None, PERSON_WRITE_FORM),
    "instruments:compare": (
        "get",
        person_url_instruments("jamfor/en-vanlig-dag/"),
        None,
        PERSON_READ,
    ),
    "instruments:alerts": ("get", lambda ctx: "/skattningar/risker/", None, PROVIDER_INBOX),
    "instruments:alert": ("get", instrument_url("alert", "risker/{pk}/"), None, PERSON_READ),
    "instruments:revoke_link": (
        "post",
        _fresh_link_url,
        {},
        INSTRUMENT_REVOKE,
    ),
    "instruments:detail": ("get", instrument_url("complete", "{pk}/"), None, PERSON_READ),
    "instruments:answer": ("get", instrument_url("draft", "{pk}/svar/"), None, PERSON_WRITE_FORM),
    "instruments:fhir": ("get", instrument_url("complete", "{pk}/fhir/"), None, PERSON_READ),
    "self_rating:form": (
        "get",
        lambda ctx: f"/skatta/{_instrument_objects(ctx)['token']}/",
        None,
        PUBLIC,
    ),
    "self_rating:thanks": ("get", lambda ctx: "/skatta/tack/", None, PUBLIC),
    # Mapping and documents are the person's: the person's rules, reading and changing alike.
    "mapping:start": (
        "get",
        lambda ctx: f"/kartlaggning/{ctx['person'].pk}/ny/",
        None,
        PERSON_WRITE_FORM,
    ),
    "mapping:detail": ("get", mapping_url(), None, PERSON_READ),
    "mapping:session_add": ("get", mapping_url("tillfalle/ny/"), None, PERSON_WRITE_FORM),
    "mapping:needs": ("get", mapping_url("behov/"), None, PERSON_WRITE_FORM),
    "mapping:interrupt": ("get", mapping_url("avbryt/"), None, PERSON_WRITE_FORM),
    "mapping:complete": ("get", mapping_url("avsluta/"), None, PERSON_WRITE_FORM),
    "documents:upload": (
        "get",
        lambda ctx: f"/dokument/{ctx['person'].pk}/ny/",
        None,
        PERSON_WRITE_FORM,
    ),
    "documents:download": ("get", attachment_url, None, PERSON_READ),
    "decisions:application_create": (
        "get",
        lambda ctx: f"/beslut/person/{ctx['person'].pk}/ansokan/ny/",
        None,
        AUTHORITY_WRITE,
    ),
    "decisions:application_detail": ("get", application_url(), None, PERSON_READ),
    "decisions:communication": ("get", application_url("kommunicering/"), None, AUTHORITY_WRITE),
    "decisions:decision_create": ("get", application_url("beslut/"), None, AUTHORITY_WRITE),
    "decisions:detail": ("get", decision_url("decision"), None, PERSON_READ),
    "decisions:letter": (
        "get",
        lambda ctx: f"/beslut/{_decision_objects(ctx)['decision'].pk}/brev.pdf",
        None,
        PERSON_READ,
    ),
    "decisions:delivery_create": (
        "get",
        decision_url("decision", "utskick/"),
        None,
        AUTHORITY_WRITE,
    ),
    "decisions:appeal_create": (
        "get",
        decision_url("decision", "overklagande/"),
        None,
        AUTHORITY_WRITE,
    ),
    "decisions:end": (
        "get",
        decision_url("decision", "upphor/"),
        None,
        AUTHORITY_WRITE,
    ),
    "decisions:appeal_detail": ("get", appeal_url(), None, PERSON_READ),
    "decisions:appeal_step": ("get", appeal_url("steg/"), None, AUTHORITY_WRITE),
    "groups:list": ("get", lambda ctx: "/grupper/", None, GROUP_WORKERS),
    "groups:create": ("get", lambda ctx: "/grupper/ny/", None, GROUP_WORKERS),
    "groups:detail": ("get", group_url("group"), None, GROUP_PAGE),
    "groups:generate": ("get", group_url("group", "tillfallen/"), None, GROUP_PAGE),
    "groups:participants": ("get", group_url("group", "deltagare/"), None, GROUP_PAGE),
    "groups:session": (
        "get",
        lambda ctx: f"/grupper/tillfalle/{_group_objects(ctx)['session'].pk}/",
        None,
        GROUP_PAGE,
    ),
    "reports:report": ("get", lambda ctx: "/statistik/", None, REPORTS),
    "reports:csv": ("get", lambda ctx: "/statistik/statistik.csv", None, REPORTS),
    "reports:xlsx": ("get", lambda ctx: "/statistik/statistik.xlsx", None, REPORTS),
    "reports:start_job": (
        "post",
        lambda ctx: "/statistik/i-bakgrunden/",
        {"start": "2024-01-01", "end": "2024-12-31"},
        row(LOGIN, *[DENIED] * 4, job_rows.NewJobPage(), job_rows.NewJobPage(), DENIED, DENIED),
    ),
    "meeting_places:list": ("get", lambda ctx: "/traffpunkter/", None, MEETING_LIST),
    "meeting_places:detail": ("get", place_url(), None, MEETING_PAGE),
    "meeting_places:board_decision": ("get", place_url("namndbeslut/"), None, BOARD_DECISION),
    "delivery:journal": ("get", delivery_person_url("journal/"), None, PERSON_READ),
    "delivery:note_create": ("get", delivery_person_url("journal/ny/"), None, DELIVERY_WRITE),
    "delivery:note_edit": ("get", draft_url("andra/"), None, AUTHOR_ONLY),
    "delivery:note_sign": ("post", draft_url("signera/"), {"confirm": "1"}, AUTHOR_POST),
    "delivery:note_delete": ("post", draft_url("ta-bort/"), {}, AUTHOR_POST),
    "delivery:note_correct": (
        "get",
        delivery_url("signed_note", "anteckning/{pk}/rattelse/"),
        None,
        DELIVERY_WRITE,
    ),
    "delivery:objection_create": (
        "get",
        delivery_url("signed_note", "anteckning/{pk}/invandning/"),
        None,
        DELIVERY_WRITE,
    ),
    "delivery:visits": ("get", delivery_person_url("besok/"), None, PERSON_READ),
    "delivery:visit_create": ("get", delivery_person_url("besok/nytt/"), None, DELIVERY_WRITE),
    "delivery:series_create": ("get", delivery_person_url("besok/serie/"), None, DELIVERY_WRITE),
    "delivery:visit_detail": ("get", delivery_url("visit", "besok/{pk}/"), None, PERSON_READ),
    "delivery:visit_edit": (
        "get",
        delivery_url("visit", "besok/{pk}/andra/"),
        None,
        DELIVERY_WRITE,
    ),
    "delivery:homework_create": (
        "get",
        delivery_url("visit", "besok/{pk}/hemuppgift/"),
        None,
        DELIVERY_WRITE,
    ),
    "delivery:homework_follow_up": (
        "get",
        delivery_url("homework", "hemuppgift/{pk}/uppfoljning/"),
        None,
        DELIVERY_WRITE,
    ),
    "delivery:plan": ("get", delivery_person_url("plan/"), None, PERSON_READ),
    "delivery:plan_create": ("get", delivery_person_url("plan/ny/"), None, DELIVERY_WRITE),
    "delivery:plan_detail": ("get", delivery_url("plan", "plan/{pk}/"), None, PERSON_READ),
    "delivery:goal_create": (
        "get",
        delivery_url("plan", "plan/{pk}/mal/nytt/"),
        None,
        DELIVERY_WRITE,
    ),
    "delivery:goal_review": (
        "get",
        delivery_url("goal", "mal/{pk}/utvardering/"),
        None,
        DELIVERY_WRITE,
    ),
    "provision:inbox": ("get", lambda ctx: "/uppdrag/", None, PROVIDER_INBOX),
    "provision:order": (
        "get",
        lambda ctx: f"/uppdrag/{_provision_objects(ctx)['order'].pk}/",
        None,
        PERSON_READ,
    ),
    "provision:capacity": ("get", lambda ctx: "/uppdrag/kapacitet/", None, MANAGER_ONLY),
    "provision:reassign": ("get", lambda ctx: "/uppdrag/omfordela/", None, MANAGER_ONLY),
    "provision:close": (
        "get",
        lambda ctx: f"/uppdrag/person/{ctx['person'].pk}/avsluta/",
        None,
        PROVIDER_WRITE,
    ),
    "provision:follow_up": (
        "get",
        lambda ctx: f"/uppdrag/uppfoljning/{_provision_objects(ctx)['follow_up'].pk}/",
        None,
        PROVIDER_WRITE,
    ),
    "audit:review": (
        "get",
        lambda ctx: "/atkomstlogg/",
        None,
        row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED),
    ),
    # Register extracts and exceptions from culling: the manager of the person's units only.
    "retention:index": ("get", lambda ctx: "/registerutdrag/", None, MANAGER_ONLY),
    "retention:person": ("get", retention_rows.person_url(), None, MANAGER_ONLY),
    "retention:exception_create": (
        "get",
        retention_rows.person_url("undantag/"),
        None,
        MANAGER_ONLY,
    ),
    "retention:exception_withdraw": (
        "post",
        retention_rows.withdraw_url,
        {},
        row(LOGIN, *[DENIED] * 4, retention_rows.retention_page, *[DENIED] * 3),
    ),
    # Producing an extract's file is a background job (tests/jobs/matrix.py).
    "retention:extract_produce": (
        "post",
        retention_rows.extract_url("ta-fram/"),
        {"format": "pdf"},
        row(LOGIN, *[DENIED] * 4, job_rows.NewJobPage(), *[DENIED] * 3),
    ),
    # Background jobs: a user's own list; a job and its files only for whoever asked for it.
    "jobs:mine": (
        "get",
        lambda ctx: "/jobb/",
        None,
        row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED),
    ),
    "jobs:page": ("get", job_rows.job_url(), None, ONLY_WHO_ASKED),
    "jobs:status": ("get", job_rows.job_url("status/"), None, ONLY_WHO_ASKED),
    "jobs:download": ("get", job_rows.file_url, None, ONLY_WHO_ASKED),
    "jobs:retry": (
        "post",
        job_rows.job_url("forsok-igen/"),
        {},
        row(LOGIN, *[HIDDEN] * 4, job_rows.job_page, *[HIDDEN] * 3),
    ),
    # Personal API tokens: every user manages their own; another's token is not known to exist.
    "api_tokens:list": ("get", lambda ctx: "/api-nycklar/", None, row(LOGIN, *[OK] * 8)),
    "api_tokens:revoke": (
        "post",
        api_token_revoke_url,
        {},
        row(LOGIN, Redirect("/api-nycklar/"), *[HIDDEN] * 7),
    ),
    "api_tokens:docs_asset": (
        "get",
        lambda ctx: "/api/v1/docs-assets/swagger-ui.css",
        None,
        PUBLIC,
    ),
    # Single sign-on: with BRYGGA_AUTH=local, the tests' default, the provider's addresses do
    # not exist; tests/sso/test_login.py tries every standard user with the provider on.
    "sso:login": ("get", lambda ctx: "/sso/logga-in/", None, row(*[HIDDEN] * 9)),
    "sso:callback": ("get", lambda ctx: "/sso/callback/", None, row(*[HIDDEN] * 9)),
    "admin/login/": (
        "get",
        lambda ctx: "/admin/login/?next=/admin/",
        None,
        row(LOGIN, *[DENIED] * 7, Redirect("/admin/")),
    ),
    # Representatives of Django's admin; the rest of the namespace is excluded below.
    "admin:index": ("get", lambda ctx: "/admin/", None, ADMINISTRATION),
    "admin:auth_user_changelist": ("get", lambda ctx: "/admin/auth/user/", None, ADMINISTRATION),
    "admin:auth_user_change": (
        "get",
        lambda ctx: f"/admin/auth/user/{ctx['coordinator'].pk}/change/",
        None,
        ADMINISTRATION,
    ),
    "admin:organisation_unit_changelist": (
        "get",
        lambda ctx: "/admin/organisation/unit/",
        None,
        ADMINISTRATION,
    ),
    "admin:organisation_delegation_add": (
        "get",
        lambda ctx: "/admin/organisation/delegation/add/",
        None,
        ADMINISTRATION,
    ),
    "admin:sso_grouprole_changelist": (
        "get",
        lambda ctx: "/admin/sso/grouprole/",
        None,
        ADMINISTRATION,
    ),
    "admin:organisation_supportkind_changelist": (
        "get",
        lambda ctx: "/admin/organisation/supportkind/",
        None,
        ADMINISTRATION,
    ),
}

# The API has its own role-by-endpoint matrix (tests/api/).
EXCLUDED_NAMESPACES = {"admin", "api"}


def routes(patterns=None, namespace="", prefix=""):
    """Every route as (namespace, key): key is 'namespace:name' when named, else the path."""
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found |= routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = prefix + str(pattern.pattern)
            found.add((namespace, key))
    return found


def test_the_matrix_names_every_route():
    found = routes()
    keys = {key for _, key in found}
    missing = sorted(
        key
        for namespace, key in found
        if key not in MATRIX and namespace.split(":")[0] not in EXCLUDED_NAMESPACES
    )
    stale = sorted(MATRIX.keys() - keys)
    assert not missing, f"Routes without a row in the role matrix: {missing}"
    assert not stale, f"Rows in the role matrix for routes that no longer exist: {stale}"


def describe(response, ctx):
    """The response as a matrix code."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(LOGIN_PATH + "?next="):
        return LOGIN
    if location.split("?")[0] == f"/personer/{ctx['person'].pk}/skal/":
        return REASON
    return Redirect(location)


def resolve_expected(expected, ctx):
    if callable(expected):
        return expected(ctx)
    return detail(ctx) if expected == "detail" else expected


def test_role_matrix(db, person, coordinator, role_users):
    ctx = {"person": person, "coordinator": coordinator}
    users = {"anonymous": None, **role_users}
    wrong = []
    for key, (method, build_url, data, expected_by_user) in MATRIX.items():
        for name, user in users.items():
            client = Client()
            if user is not None:
                client.force_login(user, backend="organisation.auth.BryggaModelBackend")
            url = build_url(ctx)
            response = getattr(client, method)(url, data) if data is not None else client.get(url)
            got = describe(response, ctx)
            expected = resolve_expected(expected_by_user[name], ctx)
            if got != expected:
                wrong.append((key, method.upper(), name, expected, got))
    if wrong:
        lines = [f"{'route':38} {'method':6} {'user':17} {'expected':>28} {'got':>28}"]
        lines += [f"{k:38} {m:6} {u:17} {e!s:>28} {g!s:>28}" for k, m, u, e, g in wrong]
        pytest.fail("The role matrix does not hold:\n" + "\n".join(lines), pytrace=False)


def test_no_case_content_is_registered_in_the_admin():
    """The administrator manages the organisation, never people, cases or the access log."""
    from people.models import Person

    def holds_case_content(model):
        if model._meta.app_label in {"people", "audit"}:
            return True
        return any(
            getattr(field, "related_model", None) is Person for field in model._meta.get_fields()
        )

    offending = sorted(m._meta.label for m in admin_site._registry if holds_case_content(m))
    assert not offending, f"Case content registered in the admin: {offending}"
