"""Who a user is at the identity provider, and what the provider's groups give in Brygga.

Nothing here is case content: the administrator manages all of it in the administration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Membership, Role, Unit


class GroupRole(models.Model):
    """Members of a group at the identity provider hold a role in a unit.

    A group may give several roles (one row each); a role may come from several groups.
    """

    group = models.CharField(
        _("group at the identity provider"),
        max_length=255,
        help_text=_(
            "Exactly as the provider sends it in the groups claim "
            "(for Azure AD usually the group's object id)."
        ),
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sso_group_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["group", "unit__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["group", "unit", "role"], name="sso_grouprole_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()} – {self.unit}"


class Identity(models.Model):
    """A user's account at the identity provider: matched on issuer and `sub`, never e-mail
    (an address can be reused by someone else; `sub` never is)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identity",
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject (sub)"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login through the provider"), null=True)

    class Meta:
        verbose_name = _("identity at the provider")
        verbose_name_plural = _("identities at the provider")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_sub")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.subject})"


class SyncedMembership(models.Model):
    """Marks a membership as given by the identity provider's groups: the next login removes it
    when the groups no longer give it. Memberships without this mark were given by hand in the
    administration, and logins never touch them."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="sso_sync", primary_key=True
    )
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership from the identity provider")
        verbose_name_plural = _("memberships from the identity provider")

    def __str__(self) -> str:
        return str(self.membership)
