"""Responses to self-rating instruments, one-time home links, risk alerts and licensed texts.

The definitions themselves are data files (instruments/definitions/, read by
instruments.definitions); a Response stores the definition version it was scored with and a
snapshot of the whole score, so a newer definition never changes an old score.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.timefmt import date_text
from people.models import Case, Person


class Occasion(models.TextChoices):
    START = "start", _("Start (mapping, before support)")
    VISIT = "visit", _("During support (visit)")
    FOLLOW_UP = "follow_up", _("Follow-up during support")
    CLOSURE = "closure", _("At closure")
    AFTER_6 = "after_6", _("6 months after closure")
    AFTER_12 = "after_12", _("12 months after closure")
    OTHER = "other", _("Other")


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")


class Channel(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    HOME = "home", _("Self-rating at home (link)")


class Response(models.Model):
    """One administration of one instrument to one person."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="instrument_responses"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="instrument_responses"
    )
    code = models.CharField(_("instrument"), max_length=40)
    version = models.CharField(_("definition version"), max_length=20)
    occasion = models.CharField(
        _("occasion"), max_length=20, choices=Occasion.choices, default=Occasion.START
    )
    administered_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    channel = models.CharField(
        _("how it was answered"), max_length=10, choices=Channel.choices, default=Channel.STAFF
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    total = models.FloatField(_("total"), null=True, blank=True)
    computable = models.BooleanField(_("score computable"), default=False)
    band_code = models.CharField(_("band"), max_length=40, blank=True)
    score = models.JSONField(_("score"), default=dict, blank=True)
    mapping_session = models.ForeignKey(
        "mapping.MappingSession",
        verbose_name=_("mapping session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instrument_responses",
    )
    visit = models.ForeignKey(
        "delivery.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instrument_responses",
    )
    follow_up = models.ForeignKey(
        "provision.FollowUp",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instrument_responses",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("instrument response")
        verbose_name_plural = _("instrument responses")
        ordering = ["administered_on", "created_at"]
        indexes = [models.Index(fields=["person", "code"], name="response_person_code_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.administered_on}"

    @property
    def is_complete(self) -> bool:
        return self.status == ResponseStatus.COMPLETE


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class HomeLink(models.Model):
    """A one-time link for answering one response at home; only the token's hash is kept."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="home_link")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("home link")
        verbose_name_plural = _("home links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.response.code} {date_text(self.created_at)}"

    @property
    def usable(self) -> bool:
        return (
            self.submitted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def state(self) -> str:
        if self.submitted_at:
            return "submitted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class RiskAlert(models.Model):
    """Raised when a completed response carries a risk flag; open until an action is recorded."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="risk_alerts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="risk_alerts")
    flag_code = models.CharField(max_length=60)
    label = models.CharField(_("risk"), max_length=300)
    item_id = models.CharField(max_length=60, blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    action_taken = models.TextField(_("what was done"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        ordering = ["raised_at"]
        indexes = [models.Index(fields=["resolved_at", "person"], name="riskalert_open_idx")]
        constraints = [
            models.UniqueConstraint(fields=["response", "flag_code"], name="risk_once_per_flag")
        ]

    def __str__(self) -> str:
        return f"{self.flag_code} {date_text(self.raised_at)}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class InstrumentText(models.Model):
    """A published text of a form, loaded by the administrator from the rights holder's file:
    an item's text, one answer option's description (`option_value`) or the instructions
    (`item_id` INTRO). `source` names the form and version it was taken from; `demo` marks
    the demo's own wording, which is shown as such and is never the published form."""

    INTRO = "(intro)"

    code = models.CharField(_("instrument"), max_length=40)
    version = models.CharField(
        _("definition version"),
        max_length=20,
        blank=True,
        help_text=_("Empty: every version of the instrument."),
    )
    item_id = models.CharField(_("item"), max_length=60)
    option_value = models.CharField(
        _("answer option"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("Empty: the item's own text; otherwise the value of the option described."),
    )
    text = models.TextField(_("text"))
    source = models.CharField(
        _("source of the text"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("The published form the text was taken from: publisher, title and version."),
    )
    demo = models.BooleanField(_("demo wording"), default=False)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("licensed item text")
        verbose_name_plural = _("licensed item texts")
        ordering = ["code", "version", "item_id", "option_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version", "item_id", "option_value"],
                name="instrument_text_unique",
            )
        ]

    def __str__(self) -> str:
        option = f" {self.option_value}" if self.option_value else ""
        return f"{self.code} {self.version or '*'} {self.item_id}{option}"
