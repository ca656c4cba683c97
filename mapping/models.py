"""Mapping (kartläggning): sessions led by two staff, needs per life area, an account of needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from organisation.models import LifeArea
from people.models import Case, Person


class MappingStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    INTERRUPTED = "interrupted", _("Interrupted")
    COMPLETED = "completed", _("Completed")


class InterruptedBy(models.TextChoices):
    PERSON = "person", _("The person")
    SERVICE = "service", _("The service")
    BOTH = "both", _("Both, by agreement")


class Mapping(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mappings")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mappings")
    talk = models.ForeignKey(
        "intake.AssessmentTalk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mappings",
    )
    started_on = models.DateField(_("started"))
    status = models.CharField(
        _("status"), max_length=20, choices=MappingStatus.choices, default=MappingStatus.ONGOING
    )
    interrupted_by = models.CharField(
        _("who chose to interrupt"), max_length=20, choices=InterruptedBy.choices, blank=True
    )
    interruption_reason = models.TextField(_("why it was interrupted"), blank=True)
    needs_account = models.TextField(_("account of needs"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mapping")
        verbose_name_plural = _("mappings")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return str(_("Mapping from %(date)s") % {"date": self.started_on})


class MappingSession(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When the session was recorded: orders sessions held on the same day and tells them apart.
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mapping session")
        verbose_name_plural = _("mapping sessions")
        ordering = ["held_on", "created_at"]

    def __str__(self) -> str:
        return str(self.held_on)


def numbered_sessions(sessions: models.QuerySet) -> models.QuerySet:
    """Each session with `number`: its place in its own mapping, in the order held (and, on the
    same day, recorded), so that three sessions on one day are told apart."""
    return sessions.annotate(
        number=models.Window(
            RowNumber(),
            partition_by=[models.F("mapping_id")],
            order_by=[models.F("held_on").asc(), models.F("created_at").asc()],
        )
    )


class Extent(models.IntegerChoices):
    """ICF qualifier scale."""

    NONE = 0, _("0 – no problem")
    MILD = 1, _("1 – mild problem")
    MODERATE = 2, _("2 – moderate problem")
    SEVERE = 3, _("3 – severe problem")
    COMPLETE = 4, _("4 – complete problem")
    NOT_SPECIFIED = 8, _("8 – not specified")
    NOT_APPLICABLE = 9, _("9 – not applicable")


class Need(models.Model):
    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="needs")
    life_area = models.ForeignKey(LifeArea, verbose_name=_("life area"), on_delete=models.PROTECT)
    extent = models.PositiveSmallIntegerField(_("extent"), choices=Extent.choices)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["life_area__position"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "life_area"], name="need_once_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.life_area}: {self.extent}"
