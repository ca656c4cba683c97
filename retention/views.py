"""The manager's pages: register extracts on request, and exceptions from culling.

Only a manager, and only for people in the manager's own units (write access through
people.access): whoever may not know the person exists gets 404, like everywhere else.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.events import log_list
from audit.models import Action
from core.forms_util import add_action_errors, posted
from organisation.permissions import RETENTION_ROLES
from organisation.roles import role_required
from people import access
from people.opening import ReasonRequired, log_read, open_record, person_view
from people.search import search_people
from retention import actions
from retention import jobs as retention_jobs
from retention.forms import ExceptionForm, ExtractForm, SearchForm
from retention.models import CullRecord, RegisterExtract, RetentionException
from retention.rules import RULES

# A manager's page about one person of their own units (write access to the person).
manager_person_view = person_view(write=True, roles=RETENTION_ROLES, merged_to="retention:person")


@role_required(*RETENTION_ROLES)
def index(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = []
    if query:
        visible = access.visible_people(request.user)
        people = list(search_people(visible, query).order_by("last_name", "first_name")[:20])
        log_list(user=request.user, record_type="person", people=[p.pk for p in people])
    open_cases = actions.open_cases_past_retention(request.user, timezone.localdate())
    log_list(
        user=request.user,
        record_type="retention_status",
        people=[p.pk for p, _v in open_cases],
        action=Action.READ,
    )
    culled = list(CullRecord.objects.order_by("-id")[:20])
    for record in culled:
        record.kinds = [(_kind_label(label), n) for label, n in sorted(record.counts.items())]
    return render(
        request,
        "retention/index.html",
        {
            "form": form,
            "query": query,
            "people": people,
            "culled": culled,
            "open_cases": open_cases,
        },
    )


def _kind_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural).capitalize()
    except (LookupError, ValueError):
        return label  # a kind of record the project no longer has


@manager_person_view
def person_page(request, person):
    form = ExtractForm(posted(request), initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        made = actions.record_extract(
            user=request.user,
            person=person,
            requested_by=form.cleaned_data["requested_by"],
            requester_name=form.cleaned_data["requester_name"],
            requested_on=form.cleaned_data["requested_on"],
        )
        messages.success(request, _("The request is recorded. Produce its file below."))
        return redirect(f"{request.path}#extract-{made.pk}")
    verdict = actions.status_for(person)
    log_read(
        request.user,
        person.pk,
        request.access_level,
        record_type="retention_status",
        record_id=person.pk,
    )
    return render(
        request,
        "retention/person.html",
        {
            "person": person,
            "form": form,
            "extracts": RegisterExtract.objects.filter(person=person).select_related("produced_by"),
            "exceptions": RetentionException.objects.filter(case__person=person).select_related(
                "case", "created_by", "withdrawn_by"
            ),
            "verdict": verdict,
            "rule_label": RULES[verdict.rule],
            "counts": sum(verdict.record.counts().values()),
        },
    )


@manager_person_view
def exception_create(request, person):
    form = ExceptionForm(posted(request), cases=person.cases.order_by("-opened_on"))
    if request.method == "POST" and form.is_valid():
        try:
            actions.mark_exception(
                user=request.user,
                case=form.cleaned_data["case"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The case is marked: the records will not be culled."))
            return redirect("retention:person", pk=person.pk)
    return render(request, "retention/exception_form.html", {"person": person, "form": form})


@require_POST
@role_required(*RETENTION_ROLES)
def exception_withdraw(request, pk):
    exception = RetentionException.objects.select_related("case").filter(pk=pk).first()
    if exception is None:
        raise Http404
    person = _manager_person(request, exception.case.person_id)
    try:
        actions.withdraw_exception(user=request.user, exception=exception)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The exception is withdrawn."))
    return redirect("retention:person", pk=person.pk)


def _manager_person(request, person_id):
    try:
        person, _level = open_record(request.user, person_id, write=True, log=False)
    except ReasonRequired:
        raise PermissionDenied from None
    return person


def _extract_for(request, pk) -> RegisterExtract:
    made = RegisterExtract.objects.select_related("produced_by").filter(pk=pk).first()
    if made is None:
        raise Http404
    _manager_person(request, made.person_id)
    return made


@require_POST
@role_required(*RETENTION_ROLES)
def extract_produce(request, pk):
    """Queue the extract's PDF or JSON file; its job page shows the progress, then the file."""
    made = _extract_for(request, pk)
    fmt = request.POST.get("format")
    if fmt not in retention_jobs.FORMATS:
        return HttpResponseBadRequest()
    job = retention_jobs.start(user=request.user, made=made, format=fmt)
    return redirect("jobs:page", pk=job.pk)
