"""Intakes (aktualiseringar), their documentation, the assessment talk and referrals.

An intake never ends silently: closing requires an outcome and a reason, so the people who were
not offered support are counted.
"""

from __future__ import annotations

import secrets
from typing import cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.timefmt import datetime_text
from organisation.models import Service, Unit
from people.models import Case, Person


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    UNKNOWN = "unknown", _("Unknown (not recorded)")  # only history from an earlier system


class Source(models.TextChoices):
    SELF = "self", _("The person")
    RELATIVE = "relative", _("Relative")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    HEALTH_CENTRE = "health_centre", _("Health centre")
    MUNICIPAL = "municipal", _("Other municipal service")
    SOCIAL_INSURANCE = "social_insurance", _("Försäkringskassan")
    SCHOOL = "school", _("School or other")
    ANONYMOUS = "anonymous", _("Anonymous")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class IntakeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class IntakeOutcome(models.TextChoices):
    TALK_OFFERED = "talk_offered", _("Offered an assessment talk")
    REFERRED = "referred", _("Referred elsewhere")
    DECLINED = "declined", _("The person declines")
    NOT_TARGET_GROUP = "not_target_group", _("Not in the target group")
    NO_ACTION = "no_action", _("No action")


def answer_field(label):
    return models.CharField(label, max_length=10, choices=Answer.choices, default=Answer.UNKNOWN)


class Intake(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # Looked up through intake_unit_status_idx (unit, status, received_on), which it leads.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("authority unit"),
        on_delete=models.PROTECT,
        related_name="intakes",
        db_index=False,
    )
    received_on = models.DateField(_("received"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    notifier_name = models.CharField(_("notifier's name"), max_length=200, blank=True)
    notifier_contact = models.CharField(_("notifier's phone or e-mail"), max_length=200, blank=True)
    notifier_relation = models.CharField(
        _("notifier's relation to the person"), max_length=200, blank=True
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes",
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="intakes"
    )
    person_description = models.CharField(
        _("the person, when not yet registered"),
        max_length=300,
        blank=True,
        help_text=_("For example a first name and age; register the person when known."),
    )
    # Overview (what the notifier tells)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    residence = models.CharField(_("place of residence"), max_length=200, blank=True)
    isolation_duration = models.CharField(_("how long isolated"), max_length=200, blank=True)
    social_anxiety = answer_field(_("social anxiety"))
    psychosis_signs = answer_field(_("signs of psychosis"))
    substance_use = answer_field(_("substance use"))
    person_knows = answer_field(_("the person knows of the contact"))
    person_agrees = answer_field(_("the person agrees to the contact"))
    description = models.TextField(_("what the notifier tells"), blank=True)
    # Target-group check, as answers rather than a free verdict
    check_adult = answer_field(_("18 years or older"))
    check_resident = answer_field(_("lives in the municipality"))
    check_isolated = answer_field(
        _("isolated at home for a long time because of fear or social anxiety")
    )
    check_no_psychosis = answer_field(_("no psychosis"))
    # Callback task
    callback_due = models.DateField(_("call back by"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("called back"), null=True, blank=True)
    # Closure
    status = models.CharField(
        _("status"), max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=IntakeOutcome.choices, blank=True
    )
    outcome_reason = models.TextField(_("reason"), blank=True)
    referred_to = models.ForeignKey(
        Service,
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    via_web_form = models.BooleanField(_("sent through the web form"), default=False)
    # Given on the web form's receipt, so a relative who calls can name their message: random,
    # never derived from the message or another reference, and no personal data.
    reference = models.CharField(
        _("reference"), max_length=9, unique=True, null=True, blank=True, editable=False
    )
    triaged = models.BooleanField(_("triaged"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["received_on", "created_at"]
        indexes = [
            models.Index(fields=["unit", "status", "received_on"], name="intake_unit_status_idx"),
            # Every intake figure of the statistics reads only these columns of a period's
            # intakes: an index-only scan, not the whole table (bench/README.md).
            models.Index(
                fields=["received_on", "status", "outcome", "source", "channel", "referred_to"],
                name="intake_report_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open")
                | (~models.Q(outcome="") & ~models.Q(outcome_reason="")),
                name="closed_intake_has_outcome_and_reason",
            )
        ]

    def __str__(self) -> str:
        return str(_("Intake %(date)s") % {"date": self.received_on})

    @property
    def target_group_answers(self) -> list[tuple[str | Promise, str]]:
        return [
            (
                cast(models.Field, self._meta.get_field(name)).verbose_name,
                getattr(self, f"get_{name}_display")(),
            )
            for name in ("check_adult", "check_resident", "check_isolated", "check_no_psychosis")
        ]

    @property
    def meets_target_group(self) -> bool | None:
        """True when every answer is yes, False when any is no, None while anything is unknown."""
        answers = [
            self.check_adult,
            self.check_resident,
            self.check_isolated,
            self.check_no_psychosis,
        ]
        if Answer.NO in answers:
            return False
        if Answer.UNKNOWN in answers:
            return None
        return True

    @property
    def callback_is_due(self) -> bool:
        """A callback not yet made whose date is today or past."""
        due = self.callback_due
        return bool(due and not self.callback_done_at and due <= timezone.localdate())

    @property
    def days_open(self) -> int:
        return ((self.closed_on or timezone.localdate()) - self.received_on).days

    @property
    def display_subject(self) -> str:
        if self.person is not None:
            return self.person.full_name
        return self.person_description or str(_("Not yet identified"))


class IntakeNote(models.Model):
    """What was learned by phone, e-mail or in person, with when and by whom (FL 27 §)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="notes")
    happened_at = models.DateTimeField(_("when it happened"))
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    text = models.TextField(_("what was learned"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("documented"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake note")
        verbose_name_plural = _("intake notes")
        ordering = ["happened_at"]

    def __str__(self) -> str:
        return datetime_text(self.happened_at)


class TalkPlace(models.TextChoices):
    PREMISES = "premises", _("On the premises")
    HOME = "home", _("Home visit")
    OTHER = "other", _("Elsewhere")


class TalkOutcome(models.TextChoices):
    OFFER_MAPPING = "offer_mapping", _("Offer mapping")
    REFERRED = "referred", _("Refer elsewhere")
    ENDED = "ended", _("End")


class AssessmentTalk(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="talks", null=True, blank=True
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessment_talks")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=20, choices=TalkPlace.choices)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), related_name="+"
    )
    companions = models.CharField(
        _("who came with the person"),
        max_length=300,
        blank=True,
        help_text=_("For example a relative, housing-support worker or school counsellor."),
    )
    notes = models.TextField(_("notes"), blank=True)
    reflection_until = models.DateField(_("reflection period ends"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=TalkOutcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    referred_to = models.ForeignKey(
        Service,
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment talk")
        verbose_name_plural = _("assessment talks")
        ordering = ["held_on"]
        # The statistics' "time from intake to talk" (bench/README.md).
        indexes = [models.Index(fields=["intake", "held_on"], name="talk_intake_held_idx")]

    def __str__(self) -> str:
        return str(_("Assessment talk %(date)s") % {"date": self.held_on})


class ReferralOrigin(models.TextChoices):
    INTAKE = "intake", _("Intake")
    TALK = "talk", _("Assessment talk")
    MAPPING = "mapping", _("Mapping")
    DECISION = "decision", _("Decision")
    CLOSURE = "closure", _("Closure")


class ReferralResult(models.TextChoices):
    UNKNOWN = "unknown", _("Not yet known")
    STARTED = "started", _("The person got in touch or started")
    NOT_STARTED = "not_started", _("Did not start")
    DECLINED = "declined", _("The service declined")


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    origin = models.CharField(_("from"), max_length=20, choices=ReferralOrigin.choices)
    service = models.ForeignKey(
        Service, verbose_name=_("to"), on_delete=models.PROTECT, related_name="referrals"
    )
    referred_on = models.DateField(_("when"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    result = models.CharField(
        _("what came of it"),
        max_length=20,
        choices=ReferralResult.choices,
        default=ReferralResult.UNKNOWN,
    )
    result_noted_on = models.DateField(_("result noted"), null=True, blank=True)
    result_note = models.TextField(_("note on the result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on"]

    def __str__(self) -> str:
        return f"{self.service} {self.referred_on}"


class WebSubmission(models.Model):
    """One submission of the public form, kept only as long as the rate limit looks back.

    The client is known only by a salted hash of its address, so nothing here identifies anyone;
    the counter lives in the database because Brygga keeps no state in its processes.
    """

    client_key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["client_key", "at"], name="websubmission_key_at_idx")]

    def __str__(self) -> str:
        return f"{self.client_key[:8]} {datetime_text(self.at)}"


def split_contact(text: str) -> tuple[str, str]:
    """The phone number and the e-mail address in "070-123 45 67 / namn@example.se"."""
    phone, email = "", ""
    for part in (p.strip() for p in text.split("/")):
        if "@" in part and not email:
            email = part
        elif part and not phone:
            phone = part
    return phone[:40], email


# No 0/O, 1/I/L: a reference read aloud over the phone is not misheard.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """Eight random characters ("K7QX-M4PD"), about 39 bits: not guessable from another."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _n in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalised_reference(text: str) -> str:
    """What a caller reads out, as stored: upper case, no spaces, the dash in the middle."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    return f"{chars[:4]}-{chars[4:]}" if len(chars) == 8 else chars
