"""A form sent twice does its work once.

Every form that changes something carries a one-time token, a hidden field rendered by
`{% submission_token %}`. The first POST with a token claims it; when the view answers with a
redirect (its result) the target is kept with the token, per user. The same token sent again (a
double click, a form resent from the browser's history) is not handled again: the sender is
redirected to that same target, with the message "This was already sent; here is the result.".
A resend that arrives while the first is still being handled waits for it.

A POST without a token (the API, the login form, tests) is handled as before. A view that shows
its result on a page of its own instead of redirecting names the page to resend to with
`remember(request, url)`; a redirect that is not a result (to the login page, to the reason
form) is marked with `not_a_result(response)`, and the token is released as after a refusal.
"""

from __future__ import annotations

import datetime
import re
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.models import Submission

FIELD = "submission_token"
# How long a token is remembered, how long a resend waits for the first sending to finish, and
# when a claim never finished (a worker that died) is given up.
MEMORY = datetime.timedelta(days=7)
WAIT_SECONDS = 10.0
ABANDONED = datetime.timedelta(minutes=2)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_NOT_A_RESULT = "submission_not_a_result"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def remember(request: HttpRequest, url: str) -> None:
    """The view showed its result on the page it rendered: a resend goes to `url` instead."""
    request._submission_result = url  # type: ignore[attr-defined]


def not_a_result(response: HttpResponse) -> HttpResponse:
    """This redirect does not mean the form was handled: the token stays unused."""
    setattr(response, _NOT_A_RESULT, True)
    return response


def checked_in_view(view):
    """For a view that must read the body itself (its own upload handlers): the middleware leaves
    it alone, and the view calls `begin` once it has read the body."""
    view.submission_checked_in_view = True
    return view


def begin(request: HttpRequest) -> HttpResponse | None:
    """Before the view: claim the token, or answer a resend with the first sending's result."""
    token = request.POST.get(FIELD, "")
    if not token:
        return None
    if not _TOKEN.fullmatch(token):
        return render(request, "400.html", status=400)
    user_id = request.user.pk if request.user.is_authenticated else None
    Submission.objects.filter(created_at__lt=timezone.now() - MEMORY).delete()
    waited_until = time.monotonic() + WAIT_SECONDS
    while True:
        claim = _claim(token, user_id)
        if claim is not None:
            request._submission = claim  # type: ignore[attr-defined]
            return None
        earlier = Submission.objects.filter(token=token).first()
        if earlier is None:
            continue  # the first sending was refused meanwhile: this one is handled
        if earlier.user_id != user_id:
            return None  # not this user's token (logged in since): handled as a form without one
        if earlier.result:
            messages.info(request, _("This was already sent; here is the result."))
            return redirect(earlier.result)
        if earlier.created_at < timezone.now() - ABANDONED:
            Submission.objects.filter(pk=earlier.pk, result="").delete()
        elif time.monotonic() > waited_until:
            return render(request, "submissions/still_running.html", status=409)
        else:
            time.sleep(0.1)


def _claim(token: str, user_id) -> Submission | None:
    try:
        with transaction.atomic():
            return Submission.objects.create(token=token, user_id=user_id)
    except IntegrityError:
        return None


def finish(request: HttpRequest, response: HttpResponse) -> None:
    """After the view: keep where it led, or release the token if it did not finish the work."""
    claim = request.__dict__.pop("_submission", None)
    if claim is None:
        return
    target = getattr(request, "_submission_result", None) or _result_of(response)
    if target:
        Submission.objects.filter(pk=claim.pk).update(result=target)
    else:
        Submission.objects.filter(pk=claim.pk).delete()


def _result_of(response: HttpResponse) -> str:
    if response.status_code not in (301, 302, 303) or getattr(response, _NOT_A_RESULT, False):
        return ""
    target = response["Location"]
    local = target.startswith("/") and not target.startswith("//") and len(target) <= 2000
    if not local or target.startswith(resolve_url(settings.LOGIN_URL)):
        return ""
    return target
