"""Personal API tokens: created and revoked by their owner, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id

PREFIX = "brygga_"


def hash_token(raw: str) -> str:
    """SHA-256 suffices: the token is 256 random bits, so there is nothing to guess or salt."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


class Scope(models.TextChoices):
    """What a token may do; the owner's roles still decide within it (checked in api/auth.py)."""

    READ = "read", _("read")
    READ_WRITE = "read_write", _("read and write")


class ApiToken(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # Tokens made before scopes existed could do everything, so the default keeps them so.
    scope = models.CharField(
        _("scope"), max_length=10, choices=Scope.choices, default=Scope.READ_WRITE
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so the owner can tell tokens apart; never enough to use one.
    hint = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def read_only(self) -> bool:
        return self.scope == Scope.READ

    @property
    def active(self) -> bool:
        return self.revoked_at is None
