"""The provider's work with a person: implementation plans, visits, homework and the journal.

Journal notes are signed and then never altered (SoL 11 kap. 5 §, documentation): a signed note
refuses save() and delete(), and so do querysets holding one; a correction is a new note.
Plan versions are frozen once a newer version exists; earlier versions stay readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.timefmt import datetime_text
from organisation.models import LifeArea
from people.models import Person


class SignedNoteError(Exception):
    """Raised when anything tries to change or delete a signed journal note."""


class SupersededPlanError(Exception):
    """Raised when anything tries to change a plan version that a newer version replaced."""


# Implementation plan


class Plan(models.Model):
    """One version of a person's implementation plan (genomförandeplan)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField(_("version"), default=1)
    visit_frequency = models.CharField(_("planned visit frequency"), max_length=200)
    agreed_on = models.DateField(_("agreed with the person on"))
    agreed_how = models.CharField(
        _("how the person agreed"),
        max_length=200,
        help_text=_("For instance: at a visit, signed the plan, by phone."),
    )
    next_follow_up = models.DateField(_("next follow-up"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        ordering = ["person", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self.superseded:
            raise SupersededPlanError("An earlier version of a plan cannot be changed.")
        super().save(*args, **kwargs)

    @property
    def superseded(self) -> bool:
        return Plan.objects.filter(person_id=self.person_id, version__gt=self.version).exists()


class Goal(models.Model):
    """A goal (or, with a parent, a sub-goal) of one plan version, tied to a life area."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-goal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_goals",
    )
    # The same goal carried through revisions shares a lineage: its review history follows it.
    lineage = models.UUIDField(default=new_id, editable=False, db_index=True)
    life_area = models.ForeignKey(
        LifeArea, verbose_name=_("life area"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("goal"))
    what = models.TextField(_("what is done"), blank=True)
    how = models.TextField(_("how"), blank=True)
    when = models.CharField(_("when"), max_length=200, blank=True)
    by_whom = models.CharField(_("by whom"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs):
        if self.plan.superseded:
            raise SupersededPlanError("An earlier version of a plan cannot be changed.")
        super().save(*args, **kwargs)


class ReviewOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class GoalReview(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=15, choices=ReviewOutcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal review")
        verbose_name_plural = _("goal reviews")
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.reviewed_on:%Y-%m-%d} {self.get_outcome_display()}"


# Visits and network contacts


class VisitKind(models.TextChoices):
    VISIT = "visit", _("Individual visit")
    AUTHORITY = "authority", _("Meeting with the authority")
    RELATIVES = "relatives", _("Meeting with relatives")
    PROFESSIONALS = "professionals", _("Meeting with professionals")


NETWORK_KINDS = [VisitKind.AUTHORITY, VisitKind.RELATIVES, VisitKind.PROFESSIONALS]


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED_BY_PERSON = "cancelled_person", _("Cancelled by the person")
    CANCELLED_BY_STAFF = "cancelled_staff", _("Cancelled by staff")
    NO_SHOW = "no_show", _("Did not come")


# A visit that is planned or was held is where homework is given and followed up.
TAKING_PLACE = [VisitStatus.PLANNED, VisitStatus.HELD]


class VisitQuerySet(models.QuerySet):
    def individual(self):
        return self.filter(kind=VisitKind.VISIT)

    def taking_place(self):
        return self.filter(status__in=TAKING_PLACE)


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(
        _("kind"), max_length=15, choices=VisitKind.choices, default=VisitKind.VISIT
    )
    planned_at = models.DateTimeField(_("date and time"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    transport = models.BooleanField(_("transport arranged"), default=False)
    # The visit was cancelled with transport booked: the booking is cancelled too.
    transport_cancelled = models.BooleanField(_("transport cancelled"), default=False)
    participants = models.CharField(
        _("participants"),
        max_length=300,
        blank=True,
        help_text=_("For network contacts: who took part (roles, not only names)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    series = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["planned_at"]
        indexes = [
            # The report's visit figures read only these columns of a period's visits: on
            # PostgreSQL an index-only scan instead of millions of table rows (bench/README.md).
            models.Index(
                fields=["planned_at", "kind", "status", "created_by"], name="visit_period_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {datetime_text(self.planned_at)}"

    def previous(self) -> Visit | None:
        """The individual visit before this one that is planned or was held."""
        return (
            Visit.objects.individual()
            .taking_place()
            .filter(person_id=self.person_id, planned_at__lt=self.planned_at)
            .order_by("-planned_at")
            .first()
        )


class HomeworkResult(models.TextChoices):
    DONE = "done", _("Done")
    PARTLY = "partly", _("Partly done")
    NOT_DONE = "not_done", _("Not done")
    # Never followed up: the case was closed first.
    WITHDRAWN = "withdrawn", _("Withdrawn: the case was closed")


class Homework(models.Model):
    """Given at one visit, followed up at the next one that takes place."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    given_at = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="homework")
    text = models.TextField(_("homework"))
    result = models.CharField(
        _("result"), max_length=10, choices=HomeworkResult.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    followed_up_at = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="followed_up"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:60]


# The journal


class NoteQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def drafts(self):
        return self.filter(signed_at__isnull=True)

    def update(self, **kwargs):
        if self.signed().exists():
            raise SignedNoteError("A signed journal note cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self.signed().exists():
            raise SignedNoteError("A signed journal note cannot be deleted.")
        return super().delete()


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="journal_notes")
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit or contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notes",
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    happened_on = models.DateField(_("date of the event"))
    text = models.TextField(_("text"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"), null=True)
    version = models.PositiveIntegerField(default=1)

    objects = NoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal note")
        verbose_name_plural = _("journal notes")
        ordering = ["-happened_on", "-created_at"]
        # Django's own saving and deleting go through the base manager: make it this one.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.happened_on:%Y-%m-%d} {self.text[:40]}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self._stored_signed():
            raise SignedNoteError("A signed journal note cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed or self._stored_signed():
            raise SignedNoteError("A signed journal note cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def _stored_signed(self) -> bool:
        return Note.objects.filter(pk=self.pk, signed_at__isnull=False).exists()


class Objection(models.Model):
    """The person's own objection or comment on a note, kept beside it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="objections")
    given_on = models.DateField(_("given on"))
    text = models.TextField(_("the person's objection or comment"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["given_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.given_on:%Y-%m-%d} {self.text[:40]}"
