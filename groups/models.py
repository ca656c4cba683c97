"""Group activities (with participants and attendance) and meeting places (head counts only).

A group is support given under a decision, so its participants and their attendance are
personal data. A meeting place or open activity is given without an individual assessment:
it keeps anonymous head counts only, and may do so only under a recorded board decision
(SoL 2025:400: such support is documented unless the board has decided otherwise).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from organisation.models import Unit, UnitKind
from people.models import Person

# The review: a group session is always led by two staff.
MIN_STAFF = 2


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Group(models.Model):
    """A recurring group activity run by a provider unit or team."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("provider unit or team"),
        on_delete=models.PROTECT,
        related_name="groups",
        limit_choices_to={"kind__in": [UnitKind.PROVIDER, UnitKind.TEAM]},
    )
    # Weekday numbers (Monday 0) as digits, e.g. "023" for Monday, Wednesday and Thursday.
    weekdays = models.CharField(_("weekdays"), max_length=7)
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted({int(d) for d in self.weekdays if d.isdigit()})

    def weekday_labels(self) -> list[str]:
        return [str(Weekday(d).label) for d in self.weekday_numbers]


class GroupParticipant(models.Model):
    """A person taking part in a group; only people with a decision in force may be added."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="group_places")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_on = models.DateField(_("added"), default=datetime.date.today)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="group_participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} – {self.person_id}"


class GroupSession(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="+"
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="group_session_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.date:%Y-%m-%d}"


class Attendance(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="group_attendance")
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_once_a_session")
        ]

    def __str__(self) -> str:
        return f"{self.session} – {self.person_id}"


class MeetingPlaceKind(models.TextChoices):
    MEETING_PLACE = "meeting_place", _("Meeting place")
    OPEN_ACTIVITY = "open_activity", _("Open activity")


class MeetingPlace(models.Model):
    """A meeting place or open activity, given without an individual assessment."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=MeetingPlaceKind.choices,
        default=MeetingPlaceKind.MEETING_PLACE,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="meeting_places",
        help_text=_("Staff of this unit count visitors; its managers see the counts."),
    )
    # SoL (2025:400): support without an individual assessment is documented unless the board
    # has decided otherwise. The decision is what allows head counts only.
    board_decision_reference = models.CharField(
        _("board decision reference"), max_length=100, blank=True
    )
    board_decision_date = models.DateField(_("board decision date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("meeting place or open activity")
        verbose_name_plural = _("meeting places and open activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_board_decision(self) -> bool:
        return bool(self.board_decision_reference) and self.board_decision_date is not None


class OpenActivity(models.Model):
    """An activity at a meeting place (open house, evening, walk). Configuration, not records."""

    meeting_place = models.ForeignKey(
        MeetingPlace, on_delete=models.CASCADE, related_name="activities"
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_place", "name"], name="activity_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


AGE_BANDS = [
    ("age_under_18", _("under 18")),
    ("age_18_24", _("18–24")),
    ("age_25_34", _("25–34")),
    ("age_35_49", _("35–49")),
    ("age_50_plus", _("50 or older")),
]


class HeadCount(models.Model):
    """An anonymous head count: numbers only. No person, no names, no free text."""

    activity = models.ForeignKey(
        OpenActivity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        related_name="head_counts",
    )
    date = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("visitors"))
    age_under_18 = models.PositiveIntegerField(_("under 18"), null=True, blank=True)
    age_18_24 = models.PositiveIntegerField(_("18–24"), null=True, blank=True)
    age_25_34 = models.PositiveIntegerField(_("25–34"), null=True, blank=True)
    age_35_49 = models.PositiveIntegerField(_("35–49"), null=True, blank=True)
    age_50_plus = models.PositiveIntegerField(_("50 or older"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("head count")
        verbose_name_plural = _("head counts")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "date"], name="head_count_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.date:%Y-%m-%d}: {self.count}"

    def band_total(self) -> int:
        return sum(getattr(self, field) or 0 for field, _label in AGE_BANDS)

    def clean(self) -> None:
        if self.count is not None and self.band_total() > self.count:
            raise ValidationError(_("The age bands add up to more than the number of visitors."))
