"""Applications, decisions (myndighetsutövning), their letters and appeals.

A decision, once issued, never changes: a correction or change is a new decision that refers to
the old one. Anything but a full grant carries its reasons (FL 32 §) and an appeal instruction.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.timefmt import date_text
from organisation.models import SupportKind
from people.models import Case, Person


class ImmutableError(Exception):
    """Raised when something tries to change an issued decision."""


class ApplicationForm(models.TextChoices):
    WRITTEN = "written", _("In writing")
    ORAL = "oral", _("Orally")


class Application(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="applications")
    support_kind = models.ForeignKey(
        SupportKind, verbose_name=_("kind of support"), on_delete=models.PROTECT
    )
    applied_on = models.DateField(_("applied"))
    form = models.CharField(_("how"), max_length=10, choices=ApplicationForm.choices)
    what = models.TextField(_("what the person applies for"))
    # Communication before a decision that is not a full grant (FL 25 §)
    communicated_on = models.DateField(_("material communicated"), null=True, blank=True)
    communication_method = models.CharField(
        _("how it was communicated"), max_length=200, blank=True
    )
    communication_response = models.TextField(_("the person's response"), blank=True)
    response_by = models.DateField(_("response requested by"), null=True, blank=True)
    communication_exemption = models.TextField(
        _("why the material was not communicated"),
        blank=True,
        help_text=_("Only where FL 25 § allows an exception."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # A decision has been made on the application. Kept by the database alone (migration
    # 0010_h8_application_decided): a decision's insert sets it, whoever inserts it (an action,
    # the history import's bulk inserts, the synthetic data), and no save of a stale copy clears
    # it. It lets the officer's "waiting for a decision" read the few undecided applications
    # through a partial index instead of testing every application against the decisions.
    decided = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-applied_on"]
        indexes = [
            models.Index(
                fields=["applied_on", "created_at"],
                name="application_undecided_idx",
                condition=models.Q(decided=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.support_kind} {self.applied_on}"

    @property
    def communicated(self) -> bool:
        return self.communicated_on is not None


class LegalGround(models.TextChoices):
    """What a legal basis is for; when the law changes, another section holds the same ground."""

    ASSISTANCE = "assistance", _("The right to insatser after a needs assessment (bistånd)")
    OFFER = "offer", _("The board's duty to offer insatser")


class LegalBasisQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> LegalBasisQuerySet:
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )

    def cited_on(self, day: datetime.date, ground: str = "assistance") -> LegalBasis | None:
        """The section a decision of this day cites for this ground: the one then in force."""
        return self.filter(ground=ground).in_force_on(day).order_by("-valid_from").first()


class LegalBasis(models.Model):
    """A section of an act, in force from one day to another: a decision cites the one in force
    on its date, so that history from before a change of the law keeps the sections it had.
    (Socialtjänstlagen (2001:453) was replaced by socialtjänstlagen (2025:400) on 1 July 2025.)"""

    ground = models.CharField(_("ground"), max_length=20, choices=LegalGround.choices)
    section = models.CharField(_("section"), max_length=100, help_text=_("As “11 kap. 1 §”."))
    act = models.CharField(_("act"), max_length=200, help_text=_("As “socialtjänstlagen”."))
    sfs = models.CharField(_("SFS number"), max_length=20, help_text=_("As “2025:400”."))
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the section was checked: the statute text or the government bill."),
    )

    objects = LegalBasisQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["ground", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["ground", "valid_from"], name="legal_basis_one_a_day"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="legal_basis_period_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        """As a letter cites it: "11 kap. 1 § socialtjänstlagen (2025:400)"."""
        return f"{self.section} {self.act} ({self.sfs})"


def not_ended_by(day: datetime.date, path: str = "") -> models.Q:
    """A decision not ended early on or before the day by an ending decision referring to it
    (an ending decision's `period_to` is the support's last day)."""
    endings = Decision.objects.filter(
        kind=DecisionKind.ENDING, replaces_id=models.OuterRef(f"{path}pk"), period_to__lt=day
    )
    return ~models.Q(models.Exists(endings))


def citing(day: datetime.date, *, missing: str = "", bases: list | None = None) -> dict:
    """A decision's `legal_basis` and `cites` for its date: the right to assistance in force.

    `bases` (all legal bases, read once) spares a query per decision when many are made."""
    if bases is None:
        basis = LegalBasis.objects.cited_on(day, LegalGround.ASSISTANCE)
    else:
        basis = next(
            (
                b
                for b in sorted(bases, key=lambda b: b.valid_from, reverse=True)
                if b.ground == LegalGround.ASSISTANCE
                and b.valid_from <= day
                and (b.valid_to is None or day <= b.valid_to)
            ),
            None,
        )
    return {"legal_basis": basis.citation if basis else missing, "cites": basis}


class Outcome(models.TextChoices):
    GRANT = "grant", _("Granted")
    PARTIAL = "partial", _("Partly granted")
    REJECTION = "rejection", _("Rejected")
    # An ending decision (upphörande): a granted support ends before its period is over.
    ENDED = "ended", _("Support ended early")


# Outcomes that grant support: a decision with one of them that refers to an earlier decision
# takes over from it (a change or a renewal replaces; a rejected change leaves the earlier one).
GRANTED = (Outcome.GRANT, Outcome.PARTIAL)
# `Decision.left_running_until` of a grant with no end to its period.
NO_END = datetime.date(9999, 12, 31)


class DecisionQuerySet(models.QuerySet):
    """Bulk changes would bypass Decision.save(); they are refused like it.

    (Merging two person records moves decisions through the base manager, which is allowed:
    it changes whose record the decision sits in, not the decision.)
    """

    def update(self, **kwargs):
        raise ImmutableError("Issued decisions cannot be changed; issue a new decision.")

    def delete(self):
        raise ImmutableError("Issued decisions cannot be deleted.")


class DecisionKind(models.TextChoices):
    NEW = "new", _("New decision")
    RENEWAL = "renewal", _("Renewal")
    CHANGE = "change", _("Change or correction of an earlier decision")
    ENDING = "ending", _("Ending of an earlier decision before its period is over")


class Decision(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # Room for a history number, H-<source>-<id> (history/importer.py).
    number = models.CharField(_("decision number"), max_length=60, unique=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="decisions")
    # Each looked up through an index it leads (decision_case_date_idx, decision_kind_date_idx),
    # not one of its own: one index fewer to write per decision (issue 17, hI).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    support_kind = models.ForeignKey(
        SupportKind, verbose_name=_("kind of support"), on_delete=models.PROTECT, db_index=False
    )
    kind = models.CharField(
        _("kind of decision"), max_length=10, choices=DecisionKind.choices, default="new"
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("refers to the earlier decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    decided_on = models.DateField(_("decision date"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    content = models.TextField(_("the decision"))
    goals = models.TextField(_("goals of the support"), blank=True)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    # The citation as the letter gave it, from the legal basis in force on the decision date;
    # kept as text, like the rest of an issued decision, whatever later happens to the data.
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    cites = models.ForeignKey(
        LegalBasis,
        verbose_name=_("legal basis in force"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presented by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    participants = models.CharField(_("others who took part"), max_length=300, blank=True)
    # An ending decision made because the person asked to end the support: it goes their way,
    # so it carries no appeal instruction (FL 33 §); one against their wish does.
    at_own_request = models.BooleanField(_("at the person's own request"), default=False)
    # Made in an earlier system and recorded here by the history import: Brygga sent no letter
    # for it, and a corrected re-import may correct the record (decisions.actions).
    from_history = models.BooleanField(_("recorded from an earlier system"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The day the decision's case ended (its closing day, or its opening day where none was
    # recorded); null while the case is open. Kept by the database alone (migration
    # decisions.0011_ha_decision_case_ended_on): set when the decision is inserted, however it
    # is inserted, and again whenever its case is closed, reopened or its dates change. What
    # is given here on an insert is ignored. For the officer's "still in force in a closed
    # case" (decisions.sections), its order.
    case_ended_on = models.DateField(null=True, editable=False)
    # For a grant (or partial grant) in a closed case, the last day of its period (NO_END when
    # it has none) while that day has not passed; null for any other decision, and once the day
    # has passed. Kept by the same triggers, also when the period is corrected; a day that
    # passes is cleared by the daily jobs (`manage.py clear_ended_periods`, decisions.0012), so
    # that `decision_left_in_force_idx` holds little more than the running ones. The list still
    # asks `left_running_until > today`: a day not yet cleared is never shown.
    left_running_until = models.DateField(null=True, editable=False)
    # Whether a delivery of the letter has been recorded. Kept by the database alone (migration
    # decisions.0014_letter_sent): set when a delivery is inserted, however it is inserted, and
    # never cleared by an update (the save of a copy read before the delivery). Deliveries are
    # facts and are not deleted, except with their decision when the person's data is culled.
    # For the officer's "decisions whose letter has not been sent" (decisions.sections), read
    # from `decision_unsent_idx` instead of testing every decision for a delivery.
    letter_sent = models.BooleanField(default=False, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-created_at"]
        indexes = [
            models.Index(fields=["support_kind", "decided_on"], name="decision_kind_date_idx"),
            models.Index(fields=["period_to"], name="decision_period_to_idx"),
            # The statistics' "time to decision" per case (bench/README.md).
            models.Index(fields=["case", "decided_on"], name="decision_case_date_idx"),
            # Decisions of a period by outcome, kind and person, index-only (bench/README.md).
            models.Index(
                fields=["decided_on", "outcome", "kind", "person"], name="decision_report_idx"
            ),
            # The grants of closed cases still running, in the list's order: walked until a
            # page is full (decisions.sections._left_in_force, decisions.0012, bench/README.md).
            models.Index(
                fields=["case_ended_on", "number"],
                condition=models.Q(left_running_until__isnull=False),
                name="decision_left_in_force_idx",
            ),
            # The decisions made here whose letter has not been sent, in the list's order
            # (decisions.sections._unsent, decisions.0014).
            models.Index(
                fields=["decided_on", "number"],
                condition=models.Q(letter_sent=False, from_history=False),
                name="decision_unsent_idx",
            ),
        ]
        constraints = [
            # An application is decided once; changes and renewals are decisions of their own
            # kind referring to the earlier one (decisions.actions.refuse_second_original).
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(kind="new"),
                name="decision_one_original_per_application",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="grant") | ~models.Q(reasons=""),
                name="decision_not_grant_has_reasons",
            ),
            models.CheckConstraint(
                condition=models.Q(period_to__isnull=True)
                | models.Q(period_from__isnull=True)
                | models.Q(period_to__gte=models.F("period_from")),
                name="decision_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_outcome_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("An issued decision cannot be changed; issue a new decision.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("An issued decision cannot be deleted.")

    @property
    def appealable(self) -> bool:
        """Anything but a full grant carries an appeal instruction (FL 33 §), except an ending
        the person asked for themselves: it does not go against them."""
        if self.outcome == Outcome.ENDED:
            return not self.at_own_request
        return self.outcome != Outcome.GRANT

    @property
    def takes_over(self) -> bool:
        """A granted decision that refers to an earlier one replaces it from its start."""
        return self.replaces_id is not None and self.outcome in GRANTED

    @property
    def starts_on(self) -> datetime.date:
        """The day this decision takes over: its period's start, but never before it is made
        (until then the earlier decision was the one in force)."""
        return max(self.period_from or self.decided_on, self.decided_on)

    @property
    def is_ending(self) -> bool:
        return self.kind == DecisionKind.ENDING

    def chain(self) -> list[Decision]:
        """Earlier decisions this one refers to, newest first."""
        chain, current = [], self.replaces
        while current is not None:
            chain.append(current)
            current = current.replaces
        return chain


def replaced_on(day: datetime.date) -> models.Exists:
    """For a decision of the outer query: a granted decision referring to it has taken over by
    the day (it starts on or before it). Exclude it to keep the decisions in force."""
    return models.Exists(
        Decision.objects.filter(
            replaces_id=models.OuterRef("pk"), outcome__in=GRANTED, decided_on__lte=day
        ).filter(models.Q(period_from__isnull=True) | models.Q(period_from__lte=day))
    )


def replacements(decisions) -> dict:
    """Of decisions already read (a person's): earlier decision's id -> the granted decision
    that took over from it, the first to start. No query."""
    found: dict = {}
    for decision in sorted(decisions, key=lambda d: (d.starts_on, d.decided_on, d.created_at)):
        if decision.takes_over:
            found.setdefault(decision.replaces_id, decision)
    return found


def replaced_text(later: Decision) -> str:
    """What a replaced decision says of the one that took over from it."""
    values = {"number": later.number, "date": date_text(later.starts_on)}
    if later.kind == DecisionKind.RENEWAL:
        return str(_("Renewed by decision %(number)s from %(date)s") % values)
    return str(_("Replaced by decision %(number)s from %(date)s") % values)


def mark_replaced(decisions) -> list:
    """Set `replaced_by_decision` and its `replaced_note` on each decision read (None and "" when
    nothing has taken over from it)."""
    decisions = list(decisions)
    found = replacements(decisions)
    for decision in decisions:
        later = found.get(decision.pk)
        # For the pages, set on the rows.
        decision.replaced_by_decision = later
        decision.replaced_note = replaced_text(later) if later else ""
    return decisions


class DeliveryMethod(models.TextChoices):
    POST = "post", _("By post")
    HANDED_OVER = "handed_over", _("Handed over in person")
    DIGITAL = "digital", _("Digital mailbox")
    SERVICE = "service", _("Formal service (delgivning)")


class LetterDelivery(models.Model):
    """How and when the decision letter was sent or handed over, and when it was received."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField(_("how"), max_length=20, choices=DeliveryMethod.choices)
    sent_on = models.DateField(_("sent or handed over"))
    received_on = models.DateField(
        _("received by the person"),
        null=True,
        blank=True,
        help_text=_("The appeal period runs from this date."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter delivery")
        verbose_name_plural = _("letter deliveries")
        ordering = ["sent_on"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.sent_on}"


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    RECONSIDERED = "reconsidered", _("Reconsidered and changed by the board")
    FORWARDED = "forwarded", _("Forwarded to the administrative court")
    DISMISSED = "dismissed", _("Dismissed as too late")
    JUDGED = "judged", _("Judgment given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Judgment(models.TextChoices):
    UPHELD = "upheld", _("The decision stands")
    CHANGED = "changed", _("The court changed the decision")
    RETURNED = "returned", _("Returned to the board")


class Appeal(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    received_on = models.DateField(_("appeal received"))
    decision_received_on = models.DateField(
        _("the person received the decision"),
        help_text=_("The three weeks are counted from this date (FL 44 §)."),
    )
    deadline = models.DateField(_("last day to appeal"))
    in_time = models.BooleanField(_("in time"))
    instruction_missing_or_wrong = models.BooleanField(
        _("the appeal instruction was wrong or missing"),
        default=False,
        help_text=_("Then a late appeal is not dismissed (FL 45 §)."),
    )
    court_received_on = models.DateField(
        _("reached the court"),
        null=True,
        blank=True,
        help_text=_(
            "If the appeal was sent to the administrative court instead of the board: the day the "
            "court received it. Within the time, the appeal is in time (FL 45 §)."
        ),
    )
    content = models.TextField(_("what the appeal says"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    reconsideration_decision = models.ForeignKey(
        Decision,
        verbose_name=_("the board's new decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    forwarded_on = models.DateField(_("forwarded to the court"), null=True, blank=True)
    court = models.CharField(_("court"), max_length=200, blank=True)
    judgment = models.CharField(_("judgment"), max_length=20, choices=Judgment.choices, blank=True)
    judgment_on = models.DateField(_("judgment date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["deadline"]

    def __str__(self) -> str:
        return str(_("Appeal received %(date)s") % {"date": self.received_on})

    @property
    def reached_court_in_time(self) -> bool:
        """FL 45 §: an appeal that reached the reviewing court within the time is not late."""
        return self.court_received_on is not None and self.court_received_on <= self.deadline

    @property
    def admissible(self) -> bool:
        """FL 45 §: not dismissed if in time, if it reached the court in time, or if the
        appeal instruction was wrong or missing."""
        return self.in_time or self.reached_court_in_time or self.instruction_missing_or_wrong
