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


# The authority side's intake pages: officers and managers of the unit; the outsider officer
# and a colleague may not know the intake exists; the named coordinator may read it.
INTAKE_INBOX = row(LOGIN, DENIED, DENIED, OK, OK, OK, DENIED, DENIED, DENIED)
INTAKE_READ = row(LOGIN, OK, HIDDEN, OK, HIDDEN, OK, DENIED, DENIED, DENIED)
INTAKE_WRITE = row(LOGIN, DENIED, HIDDEN, OK, HIDDEN, OK, DENIED, DENIED, DENIED)
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

        from decisions.models import Appeal, Application, Decision
        from tests.factories import SupportKindFactory

        person, by = ctx["person"], ctx["coordinator"]
        kind = SupportKindFactory(name="Stöd för att bryta isolering i matrisen")
        application = Application.objects.create(
            person=person,
            case=person.cases.first(),
            support_kind=kind,
            applied_on=datetime.date(2026, 2, 2),
            form="written",
            what="Stöd",
            communication_exemption="Matrisen",
            created_by=by,
        )
        ctx["application"] = application
        ctx["decision"] = Decision.objects.create(
            number="B-2026-0999",
            application=application,
            person=person,
            case=application.case,
            support_kind=kind,
            decided_on=datetime.date(2026, 3, 2),
            outcome="rejection",
            content="Avslag",
            legal_basis="4 kap. 1 § SoL",
            reasons="Skäl",
            decided_by=by,
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


# route key -> (method, url builder, POST data, expected per user)
MATRIX = {
    "home": ("get", lambda ctx: "/", None, row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)),
    "accessibility": (
        "get",
        lambda ctx: "/tillganglighet/",
        None,
        row(OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ),
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
        row(LOGIN, DENIED, HIDDEN, intake_detail, HIDDEN, intake_detail, DENIED, DENIED, DENIED),
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
    "decisions:appeal_detail": ("get", appeal_url(), None, PERSON_READ),
    "decisions:appeal_step": ("get", appeal_url("steg/"), None, AUTHORITY_WRITE),
    "audit:review": (
        "get",
        lambda ctx: "/atkomstlogg/",
        None,
        row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED),
    ),
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
    "admin:organisation_supportkind_changelist": (
        "get",
        lambda ctx: "/admin/organisation/supportkind/",
        None,
        ADMINISTRATION,
    ),
}

EXCLUDED_NAMESPACES = {"admin"}


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
    if location == f"/personer/{ctx['person'].pk}/skal/":
        return REASON
    return Redirect(location)


def resolve_expected(expected, ctx):
    if callable(expected):
        return expected(ctx)
    return detail(ctx) if expected == "detail" else expected


def test_role_matrix(
    db,
    person,
    coordinator,
    colleague,
    officer,
    outsider_officer,
    manager,
    analyst,
    meeting_staff,
    administrator,
):
    ctx = {"person": person, "coordinator": coordinator}
    users = {
        "anonymous": None,
        "coordinator": coordinator,
        "colleague": colleague,
        "officer": officer,
        "outsider_officer": outsider_officer,
        "manager": manager,
        "analyst": analyst,
        "meeting_staff": meeting_staff,
        "administrator": administrator,
    }
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
