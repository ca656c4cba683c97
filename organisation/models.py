"""The organisation as data: units, roles, kinds of support and delegation.

Nothing here is case content, so the administrator may manage all of it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    AUTHORITY = "authority", _("Authority unit")
    PROVIDER = "provider", _("Provider unit")
    TEAM = "team", _("Team")
    MEETING_PLACE = "meeting_place", _("Meeting place")
    OTHER = "other", _("Other")


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=50,
        blank=True,
        help_text=_("A short name that stays when the unit is renamed (the organisation file)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    # The unit's own ways in, for letters whose officer has none of their own.
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "parent"], name="unit_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="unit_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """This unit and every unit below it (units form a shallow tree)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    COORDINATOR = "coordinator", _("Coordinator")
    MANAGER = "manager", _("Unit manager")
    ANALYST = "analyst", _("Analyst")
    MEETING_PLACE = "meeting_place", _("Meeting-place staff")
    ADMIN = "admin", _("Administrator")


# Roles that work with individual cases and so may ever see a person's record.
CASE_ROLES = frozenset({Role.OFFICER, Role.COORDINATOR, Role.MANAGER})
# How many people a coordinator usually carries before a manager must confirm one more: the
# default of each coordinator's own ceiling (`Membership.caseload_ceiling`), and the ceiling of
# someone who has none (`provision.actions.ceilings`).
CASELOAD_CEILING = 8


class Membership(models.Model):
    """A user holds a role in a unit. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    caseload_ceiling = models.PositiveSmallIntegerField(
        _("caseload ceiling"),
        default=CASELOAD_CEILING,
        help_text=_("How many people a coordinator carries before the manager must confirm."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_role_in_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


class StaffFlag(models.Model):
    """Facts about a user account that Django's user model has no place for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_flag"
    )
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Demo accounts can never log in or exist in production."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        help_text=_("Shown on the letters of decisions this user makes."),
    )

    class Meta:
        verbose_name = _("account flag")
        verbose_name_plural = _("account flags")

    def __str__(self) -> str:
        return f"{self.user}{' (demo)' if self.is_demo else ''}"


class SupportKind(models.Model):
    """A kind of support (insatstyp). Whether it needs a decision is data, not code."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    needs_decision = models.BooleanField(_("needs a decision"), default=True)
    provider_units = models.ManyToManyField(
        Unit,
        verbose_name=_("provider units"),
        blank=True,
        related_name="support_kinds",
        limit_choices_to={"kind__in": [UnitKind.PROVIDER, UnitKind.TEAM, UnitKind.MEETING_PLACE]},
    )
    places = models.PositiveIntegerField(_("places"), default=20)
    follow_up_places = models.PositiveIntegerField(_("follow-up places"), default=5)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("kind of support")
        verbose_name_plural = _("kinds of support")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DelegationQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> DelegationQuerySet:
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class Delegation(models.Model):
    """Which user may decide on which kind of support, from when to when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    support_kind = models.ForeignKey(
        SupportKind,
        verbose_name=_("kind of support"),
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    reference = models.CharField(_("delegation order reference"), max_length=100, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["user", "support_kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="delegation_period_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.support_kind}"


def has_delegation(user, support_kind: SupportKind, day: datetime.date) -> bool:
    """May this user decide on this kind of support on this day?"""
    return Delegation.objects.in_force_on(day).filter(user=user, support_kind=support_kind).exists()


class ServiceOrganisation(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    OTHER = "other", _("Other")


class Service(models.Model):
    """A service in the directory that people can be referred to, inside or outside Brygga."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation = models.CharField(
        _("organisation"), max_length=20, choices=ServiceOrganisation.choices
    )
    needs_decision = models.BooleanField(_("needs a decision"), default=False)
    support_kind = models.ForeignKey(
        SupportKind,
        verbose_name=_("kind of support in Brygga"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service in the directory")
        verbose_name_plural = _("service directory")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LifeArea(models.Model):
    """A life area in Socialstyrelsen's IBIC model. Data, so a municipality can adjust it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("life area")
        verbose_name_plural = _("life areas")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
