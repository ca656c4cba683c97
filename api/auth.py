"""Who is calling: a personal token (Bearer), or the UI's own session with its CSRF token.

A token's scope is checked here, once for every endpoint: a read-only token may only use the
safe methods, whatever its owner's roles would allow.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from api.tokens import token_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    openapi_description = (
        "A personal API token, created and revoked at /api-nycklar/. Its scope is chosen when it "
        'is created: "read" allows only GET, HEAD and OPTIONS (anything else gives 403); '
        '"read and write" allows what the owner\'s roles allow.'
    )

    def authenticate(self, request, token):
        found = token_for(token)
        if found is None:
            return None
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied(
                _(
                    "This token is read-only: it may not be used for %(method)s. Create a token "
                    "that may read and write at /api-nycklar/."
                )
                % {"method": request.method}
            )
        # The rest of Brygga (access helpers, the access log) reads request.user.
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The session cookie; unsafe methods also need the CSRF token (checked by ninja)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The UI's session; POST, PUT and DELETE need X-CSRFToken as well."

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None
