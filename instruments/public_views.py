"""Self-rating at home under /skatta/<token>/: no login, one person, one rating, once.

The page shows nothing about the person beyond a first name. A link that was used, withdrawn
or has expired gets a kind page without details (410); a token that never existed, 404.
Every use of a link is written to the access log (without a user: it is the person).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from audit.models import Action
from instruments import actions
from instruments.forms import AnswersForm
from instruments.models import HomeLink


def _private(response):
    # The token is in the address: never send it on to another site, never index the page.
    # (Not "no-referrer": the browser would then send "Origin: null" and fail the CSRF check.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _closed(request, link: HomeLink | None):
    if link is None:
        return _private(render(request, "instruments/public_closed.html", status=404))
    actions.log_link_use(link, Action.READ)
    return _private(render(request, "instruments/public_closed.html", status=410))


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    link = actions.link_for_token(token)
    if link is None or not link.usable or link.response.is_complete:
        # Completed by staff in the meantime counts as used.
        return _closed(request, link)
    response = link.response
    wording = actions.wording_for(response.code, response.version)
    if not wording.complete:
        # The published text was removed after the link was sent: never show a form in words
        # that are not the published ones; nothing is wrong on the person's side.
        actions.log_link_use(link, Action.READ)
        return _private(
            render(request, "instruments/public_closed.html", {"unavailable": True}, status=503)
        )
    defn = wording.definition
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        definition=defn,
        answers=response.answers,
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            actions.answer_by_link(link=link, answers=form.answers(), submit=submit)
        except actions.LinkClosed:
            return _closed(request, link)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_item_errors(error.message_dict)
            else:
                form.add_error(None, error)
        else:
            if submit:
                return _private(redirect("self_rating:thanks"))
            messages.success(request, _("Your answers have been saved. You can continue later."))
            return _private(redirect("self_rating:form", token=token))
    if request.method == "GET":
        actions.open_link(link)
    context = {
        "form": form,
        "definition": defn,
        "first_name": response.person.first_name,
        "expires_at": link.expires_at,
        "intro": defn.intro,
        "wording": wording,
    }
    return _private(render(request, "instruments/public_form.html", context))


@never_cache
def thanks(request):
    return _private(render(request, "instruments/public_thanks.html"))
