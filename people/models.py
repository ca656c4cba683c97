"""The person register, the person's network, and the case that grants need-to-know."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.timefmt import datetime_text
from organisation.models import Unit
from people.identity import COORDINATION, PERSONAL, RESERVE, format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other or not stated")


class NumberKind(models.TextChoices):
    PERSONAL = PERSONAL, _("Personal identity number")
    COORDINATION = COORDINATION, _("Coordination number")
    RESERVE = RESERVE, _("Reserve number")


class PersonQuerySet(models.QuerySet):
    def current(self) -> PersonQuerySet:
        """Records not merged into another one."""
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    personal_number = models.CharField(
        _("personal identity number"), max_length=12, unique=True, null=True, blank=True
    )
    reserve_number = models.CharField(
        _("reserve number"), max_length=20, unique=True, null=True, blank=True
    )
    number_kind = models.CharField(_("kind of number"), max_length=20, choices=NumberKind.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.OTHER)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    municipality = models.CharField(_("municipality of residence"), max_length=100, blank=True)
    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_("Shown only to staff named on the case; invisible to everyone else."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            models.Index(fields=["birth_date"], name="person_birth_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(personal_number__isnull=False)
                | models.Q(reserve_number__isnull=False),
                name="person_has_a_number",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_number(self) -> str:
        if self.personal_number:
            return format_number(self.personal_number)
        return self.reserve_number or ""


class ContactKind(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Other")


class Contact(models.Model):
    """Someone in the person's network, and what the person consents to."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(
        _("relation or role"),
        max_length=200,
        blank=True,
        help_text=_("For example mother, housing-support worker, school counsellor."),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    may_contact = models.BooleanField(_("the person consents to us contacting them"), default=False)
    consent_note = models.CharField(_("about the consent"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("network contact")
        verbose_name_plural = _("network contacts")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """A person's case (ärende): who holds it on the authority side and who delivers support.

    Need-to-know is derived from cases: the authority unit, the provider team and the staff
    named on the case.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="cases"
    )
    authority_unit = models.ForeignKey(
        Unit,
        verbose_name=_("authority unit"),
        on_delete=models.PROTECT,
        related_name="authority_cases",
    )
    provider_unit = models.ForeignKey(
        Unit,
        verbose_name=_("provider unit or team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider_cases",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    staff: models.ManyToManyField[User, CaseStaff] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseStaff",
        verbose_name=_("staff named on the case"),
        related_name="named_cases",
    )
    last_entry_at = models.DateTimeField(_("last entry"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on"]
        indexes = [
            models.Index(fields=["status", "authority_unit"], name="case_status_unit_idx"),
            # Contact times of ended cases in the statistics (bench/README.md).
            models.Index(fields=["closed_on"], name="case_closed_idx"),
            # The start page's open cases, oldest first: read in order and stopped after 50
            # instead of sorting a manager's thousands (bench/README.md, issue 17).
            models.Index(
                fields=["opened_on", "id"],
                condition=models.Q(status="open"),
                name="case_open_opened_idx",
            ),
            # Whether a case is open, from a small index alone: the caseloads of the capacity
            # page's coordinators test their 2,000 case links here (bench/README.md, issue 17).
            models.Index(fields=["id"], condition=models.Q(status="open"), name="case_open_id_idx"),
            # The open cases of a provider's teams: with it the start page of a manager of a few
            # teams reads their cases by index instead of every open case (people.0011).
            models.Index(
                fields=["provider_unit"],
                condition=models.Q(status="open"),
                name="case_open_provider_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Case opened %(date)s") % {"date": self.opened_on})


class CaseStaffRole(models.TextChoices):
    OFFICER = "officer", _("Responsible officer")
    COORDINATOR = "coordinator", _("Coordinator")
    SECOND_COORDINATOR = "second_coordinator", _("Second coordinator")
    OTHER = "other", _("Other staff")


class CaseStaff(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staff_links")
    # Indexed by `casestaff_user_role_case_idx`, which leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_links",
        db_index=False,
    )
    role = models.CharField(_("role on the case"), max_length=20, choices=CaseStaffRole.choices)
    since = models.DateField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff on a case")
        verbose_name_plural = _("staff on cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "role"], name="case_staff_unique")
        ]
        indexes = [
            # A user's cases in a role from the index alone (caseloads: bench/README.md); also
            # what the user's key index served.
            models.Index(fields=["user", "role", "case"], name="casestaff_user_role_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class StaffPeriod(models.Model):
    """When a staff member held a role on a case: from `valid_from` up to, not including,
    `valid_to` (None: still holds it). `CaseStaff` is who is named today (and decides access);
    the periods say who was named on any past day, for the caseload on a date. Written with the
    links by `people/staffing.py`: opened when someone is named, ended when the case is moved
    to someone else or closed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staff_periods")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role on the case"), max_length=20, choices=CaseStaffRole.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff on a case, period")
        verbose_name_plural = _("staff on cases, periods")
        indexes = [models.Index(fields=["role", "valid_from"], name="staff_period_role_from_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=models.Q(valid_to__isnull=True),
                name="staff_period_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="staff_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) {self.valid_from}–{self.valid_to or ''}"


class ReasonedAccess(models.Model):
    """A reason given to open a person outside one's own cases. Shown to the manager."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reasoned_accesses"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reasoned_accesses")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("access with a reason")
        verbose_name_plural = _("accesses with a reason")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="reasoned_idx")]

    def __str__(self) -> str:
        return f"{self.user} {datetime_text(self.created_at)}"
