"""Creating, revoking and checking API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.models import PREFIX, ApiToken, Scope, hash_token, new_raw_token
from organisation.auth import BryggaModelBackend

# Writing last_used_at on every call would make each read a write; once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def create_token(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """The token and its raw value, which is shown once and never stored."""
    raw = new_raw_token()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scope=Scope(scope),
        key_hash=hash_token(raw),
        hint=raw[: len(PREFIX) + 4],
    )
    return token, raw


def revoke_token(*, user, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionError("Only the owner revokes a token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_for(raw: str) -> ApiToken | None:
    """The active token of an active user (its `user` loaded), or None; records its use."""
    if not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    # The login's own rule: inactive users, and demo accounts in production, are refused.
    if token is None or not BryggaModelBackend().user_can_authenticate(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
