"""Who is calling: a personal token (Bearer), or the UI's own session with its CSRF token."""

from __future__ import annotations

from django.conf import settings
from ninja.security import APIKeyCookie, HttpBearer

from api.tokens import user_for_token


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token, created and revoked at /api-nycklar/."

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        # The rest of Brygga (access helpers, the access log) reads request.user.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The session cookie; unsafe methods also need the CSRF token (checked by ninja)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The UI's session; POST, PUT and DELETE need X-CSRFToken as well."

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None
