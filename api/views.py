"""The user's own API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from submissions.resend import remember


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, created = tokens.create_token(
            user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
        )
        remember(request, reverse("api_tokens:list"))  # resent: the list, never the token again
        form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user)
    response = render(
        request, "api/token_list.html", {"form": form, "tokens": rows, "created": created}
    )
    # The raw token is on this page only once: never cached, never shown again.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke_token(user=request.user, token=token)
    messages.success(request, _("The token %(name)s has been revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
