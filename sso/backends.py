"""Logging in through the municipality's OpenID Connect provider (mozilla-django-oidc).

What Brygga adds to the library: the ID token's issuer and audience are checked (the library
checks only signature, expiry and nonce), users are matched on `sub` rather than e-mail, and
the provider's groups become memberships at every login.
"""

from __future__ import annotations

import logging

import jwt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from organisation.auth import BryggaModelBackend
from sso import config
from sso.actions import LoginRefused, find_or_create_user, has_any_role, sync_memberships

logger = logging.getLogger("brygga.sso")

# A few minutes' clock difference between the provider and Brygga is tolerated.
CLOCK_SKEW_SECONDS = 120


class OIDCBackend(OIDCAuthenticationBackend, BryggaModelBackend):
    """Authenticates only the provider's callback; password logins pass it by.

    `user_can_authenticate` comes from BryggaModelBackend: inactive accounts, and demo accounts
    in production, are refused here as they are at the password form.
    """

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; a password login passes username and password.
        if not config.oidc_enabled() or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        # The library's get_user skips user_can_authenticate; Django's does not.
        return ModelBackend.get_user(self, user_id)

    def _verify_jws(self, payload, key):
        """Signature, expiry, issuer and audience (OpenID Connect Core 3.1.3.7)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise LoginRefused("token_algorithm")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise LoginRefused("token_" + type(exc).__name__) from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise LoginRefused("token_azp")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's on top when one is configured.

        Some providers put the groups only in the ID token (Azure AD), others only in userinfo.
        """
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if str(userinfo.get("sub")) != str(payload.get("sub")):
                # OpenID Connect Core 5.3.2: the userinfo response must be about the same person.
                raise LoginRefused("userinfo_sub")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        groups = groups_in(claims)
        with transaction.atomic():
            user, created = find_or_create_user(
                issuer=settings.OIDC_OP_ISSUER, claims=claims, groups=groups
            )
            if not self.user_can_authenticate(user):
                raise LoginRefused("account_disabled")
            result = sync_memberships(user=user, groups=groups)
        if not has_any_role(user):
            raise LoginRefused("no_role")
        # Counts only: the application log holds no personal data.
        logger.info(
            "sso login accepted: new account %s, memberships added %d, removed %d",
            "yes" if created else "no",
            result.added,
            result.removed,
        )
        return user


def groups_in(claims: dict) -> list[str]:
    """The groups claim as a list of strings, whether the provider sends a list or one string."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []
