"""The shell: login, the start page with each role's worklist, the accessibility statement."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from organisation.models import Role
from organisation.roles import roles_of
from people import access
from people.models import CaseStatus, ReasonedAccess


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo"] = settings.DEMO
        return context


@login_required
def home(request):
    roles = roles_of(request.user)
    context = {"roles": roles.names, "sections": []}
    if roles.works_with_cases:
        context["open_cases"] = (
            access.own_cases(request.user)
            .filter(status=CaseStatus.OPEN, person__merged_into__isnull=True)
            .select_related("person", "authority_unit", "provider_unit")
            .order_by("opened_on")[:50]
        )
    if roles.has(Role.MANAGER):
        context["reasoned_accesses"] = _reasoned_accesses_for_manager(request.user)
    if roles.has(Role.ANALYST):
        context["analyst"] = True
    if roles.has(Role.MEETING_PLACE):
        context["meeting_place"] = True
    if roles.has(Role.ADMIN):
        context["admin_counts"] = _admin_counts()
    return render(request, "home.html", context)


def _reasoned_accesses_for_manager(user):
    """Recent reasons given by staff of the manager's units, newest first."""
    units = roles_of(user).unit_ids(Role.MANAGER)
    since = timezone.now() - timezone.timedelta(days=30)
    return (
        ReasonedAccess.objects.filter(user__memberships__unit_id__in=units, created_at__gte=since)
        .select_related("user")
        .distinct()
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
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next", "/admin/"))


def accessibility(request):
    return render(request, "accessibility.html", {"municipality": settings.MUNICIPALITY_NAME})
