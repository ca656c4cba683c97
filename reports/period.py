"""The report for a period as a given user may see it: the statistics page, its downloads and the
API all ask here, so that who sees exact figures is decided once."""

from __future__ import annotations

from organisation.models import Role
from organisation.roles import roles_of
from reports.forms import PeriodForm, period_form
from reports.report import build_report


def sees_exact_figures(user) -> bool:
    """Managers see exact figures and coordinators' names; analysts see counts rounded."""
    return roles_of(user).has(Role.MANAGER)


def form_for(user, params) -> PeriodForm:
    """The period form as the user may fill it: analysts only fixed periods that have ended."""
    return period_form(params, fixed_only=not sees_exact_figures(user))


def report_for(user, form) -> dict:
    """The report for a valid period form (`reports.forms.PeriodForm`)."""
    data = form.cleaned_data
    exact = sees_exact_figures(user)
    return build_report(
        data["start"], data["end"], data.get("on"), suppress=not exact, named_staff=exact
    )
