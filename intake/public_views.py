"""The public intake form at /anmalan/: no login, CSRF-protected, rate-limited, with a honeypot.

Nothing the visitor writes is ever written to the application log, and the confirmation page
says only that a message arrived, with a random reference to quote when calling.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from intake import throttle
from intake.actions import submit_web_intake
from intake.forms import PublicIntakeForm
from intake.models import new_reference
from organisation.models import Unit, UnitKind

RECEIPT_KEY = "intake-receipt-reference"


def web_intake_unit() -> Unit | None:
    """The unit named by BRYGGA_WEB_INTAKE_UNIT, else the first active authority unit."""
    units = Unit.objects.filter(kind=UnitKind.AUTHORITY, active=True)
    if settings.BRYGGA_WEB_INTAKE_UNIT:
        units = units.filter(name=settings.BRYGGA_WEB_INTAKE_UNIT)
    return units.order_by("pk").first()


# Error reports, should there be any, must not carry what the visitor wrote.
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def web_form(request):
    unit = web_intake_unit()
    if unit is None:
        return render(request, "intake/public_unavailable.html", status=503)
    form = PublicIntakeForm()
    if request.method == "POST":
        key = throttle.client_key(request)
        if throttle.is_limited(key):
            return render(request, "intake/public_limited.html", status=429)
        form = PublicIntakeForm(request.POST)
        bot = PublicIntakeForm.is_bot(form.data)
        if bot or form.is_valid():
            if not throttle.take(key):
                return render(request, "intake/public_limited.html", status=429)
            # A bot that filled the trap is told it succeeded, and nothing is stored.
            reference = new_reference()
            if not bot:
                reference = submit_web_intake(unit=unit, data=form.intake_data()).reference
            # The receipt's reference waits in the visitor's session, never in the URL.
            request.session[RECEIPT_KEY] = reference
            return redirect("public:thanks")
    return render(request, "intake/public_form.html", {"form": form})


@never_cache
def thanks(request):
    reference = request.session.get(RECEIPT_KEY, "")
    return render(request, "intake/public_thanks.html", {"reference": reference})
