"""The shell: login, the start page with each role's worklist, the accessibility statement."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from audit.events import log_list, one_write
from audit.models import Action
from brygga.worklists import OPEN_CASES, open_cases
from core.lookups import among
from core.pagination import bounded_count, keyset_page
from core.planner import without_parallel_workers
from core.sections import (
    find_full_list,
    head,
    worklists,
)
from organisation.models import Membership, Role
from organisation.roles import roles_of
from people import access
from people.models import ReasonedAccess
from sso import config as sso_config


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo"] = settings.DEMO
        if settings.DEMO:
            context["demo_users"] = apps.get_app_config("demo").usernames()
        # BRYGGA_AUTH: the password form, the municipality's provider (sso app), or both.
        context["password_login"] = sso_config.password_login_enabled()
        context["oidc_login"] = sso_config.oidc_enabled()
        return context

    def post(self, request, *args, **kwargs):
        if not sso_config.password_login_enabled():
            raise PermissionDenied  # BRYGGA_AUTH=oidc: passwords are never checked
        return super().post(request, *args, **kwargs)


@login_required
def home(request):
    roles = roles_of(request.user)
    # Each list logs the people it shows; written together, with one lock of the chain.
    with one_write():
        context = {"roles": roles.names, "worklists": worklists(request, roles)}
        if roles.works_with_cases:
            cases = open_cases(request.user)
            shown, _more = head(cases.order_by(*OPEN_CASES.keys))
            # Counted up to a bound ("more than 1,000"): a manager's units may hold every case.
            total = bounded_count(cases)
            context["open_cases"] = shown
            context["open_cases_total"] = total
            context["open_cases_beyond"] = total.more or total.value > len(shown)
            log_list(user=request.user, record_type="case", people=[c.person_id for c in shown])
        if roles.has(Role.MANAGER):
            reasoned = list(_reasoned_accesses_for_manager(request.user))
            context["reasoned_accesses"] = reasoned
            # The reasons staff gave for opening these people's records.
            log_list(
                user=request.user,
                record_type="access_log",
                people=[r.person_id for r in reasoned],
                action=Action.READ,
            )
    if roles.has(Role.ANALYST):
        context["analyst"] = True
    if roles.has(Role.ADMIN):
        context["admin_counts"] = _admin_counts()
    return render(request, "home.html", context)


@login_required
def worklist_page(request, name):
    """The whole of one start-page list, a keyset page at a time (core/sections.py)."""
    spec = find_full_list(name)
    if spec is None:
        raise Http404
    if not spec.allowed(roles_of(request.user)):
        raise PermissionDenied
    today = timezone.localdate()
    with without_parallel_workers():  # a page of rows, as the start page's (core.sections)
        page = keyset_page(request, spec.rows(request.user, today), spec.keys)
    log_list(
        user=request.user,
        record_type=spec.record_type,
        people=[pk for row in page.rows for pk in spec.people(row)],
        action=spec.action,
    )
    return render(request, "worklist_page.html", {"spec": spec, "page": page, "today": today})


def _reasoned_accesses_for_manager(user):
    """Recent reasons given by staff of the manager's units, or about people in the manager's
    cases (whoever gave them), newest first."""
    units = roles_of(user).unit_ids(Role.MANAGER)
    since = timezone.now() - timedelta(days=30)
    by_staff = Membership.objects.filter(among("unit_id", units), user_id=OuterRef("user_id"))
    about_mine = access.own_cases(user).filter(person_id=OuterRef("person_id"))
    return (
        ReasonedAccess.objects.filter(created_at__gte=since)
        .filter(Q(Exists(by_staff)) | Q(Exists(about_mine)))
        .select_related("user")
        .order_by("-created_at")[:50]
    )


def _admin_counts() -> dict:
    from django.contrib.auth import get_user_model

    from organisation.models import Delegation, SupportKind, Unit

    return {
        "users": get_user_model().objects.filter(is_active=True).count(),
        "units": Unit.objects.filter(active=True).count(),
        "support_kinds": SupportKind.objects.filter(active=True).count(),
        "delegations": Delegation.objects.in_force_on(timezone.localdate()).count(),
    }


def admin_login(request):
    """Anonymous users log in through Brygga's form; logged-in users without the role get 403."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if roles_of(request.user).has(Role.ADMIN):
        return redirect(next_url)
    raise PermissionDenied


def accessibility(request):
    return render(request, "accessibility.html", {"municipality": settings.MUNICIPALITY_NAME})


def bad_request(request, exception):
    """400 in the user's language; a post too large for the server says so, on the public form
    when it came from there (its fields are limited in the browser; only a tampered or pasted
    post reaches this)."""
    from django.core.exceptions import RequestDataTooBig

    from intake.forms import PublicIntakeForm

    too_big = isinstance(exception, RequestDataTooBig)
    if too_big and request.path == reverse("public:form"):
        form = PublicIntakeForm()
        form.cleaned_data = {}  # an unbound form, shown again empty, with the error on top
        form.add_error(
            None,
            _("What you sent was too long to be received. Shorten the text and send it again."),
        )
        return render(request, "intake/public_form.html", {"form": form}, status=413)
    return render(request, "400.html", {"too_big": too_big}, status=413 if too_big else 400)
