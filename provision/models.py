"""Orders (uppdrag) from the authority to a provider. The provider's work builds on these."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.timefmt import date_text
from decisions.models import Decision
from organisation.models import SupportKind, Unit
from people.models import Case, CaseStaffRole, Person


class OrderStatus(models.TextChoices):
    NEW = "new", _("New, not yet accepted")
    ACCEPTED = "accepted", _("Accepted")
    ENDED = "ended", _("Ended")


class Order(models.Model):
    days_waited: int  # not a column: set on the rows of provision.actions.waiting_list

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="order")
    # Each looked up through an index it leads (order_person_start_idx, order_case_start_idx),
    # not one of its own: one index fewer to write per order (issue 17, hI).
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="orders", db_index=False)
    support_kind = models.ForeignKey(SupportKind, on_delete=models.PROTECT, related_name="+")
    provider_unit = models.ForeignKey(
        Unit, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="orders"
    )
    goals = models.TextField(_("goals of the support"), blank=True)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)
    # A decision that changes or renews an earlier one does not send a second order: the
    # earlier order ends and this one takes over from it, accepted as it was (one in force).
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces the order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    # A copy of its decision's date, kept by the database (triggers, provision.0013): the new
    # orders' lists are by that date, and an index on the order then finds the first of a
    # large provider's thousands without reading each one's decision (issue 17).
    decided_on = models.DateField(null=True, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        # First start of support per person and per case, for the statistics (bench/README.md).
        indexes = [
            models.Index(fields=["person", "accepted_on"], name="order_person_start_idx"),
            models.Index(fields=["case", "accepted_on"], name="order_case_start_idx"),
            # Starts in a period (new people per year), index-only (bench/README.md).
            models.Index(fields=["accepted_on", "person"], name="order_start_person_idx"),
            # New orders of a provider's units (the waiting list, the start page's worklists):
            # a few hundred among all orders, found without reading them all; and the places
            # used (accepted orders in their period per kind), counted from the index alone
            # (issue 17).
            models.Index(
                fields=["status", "provider_unit", "support_kind", "period_from", "period_to"],
                name="order_places_idx",
            ),
            # The start page's new orders, oldest decision first: walked in order, stopped
            # after a page, instead of every new order joined to its decision and sorted.
            models.Index(
                fields=["decided_on", "created_at", "id"],
                condition=models.Q(status="new"),
                name="order_new_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.support_kind} → {self.provider_unit}"


class AssignmentEvent(models.Model):
    """Append-only: a coordinator assigned to a case, or a case moved from one to another."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned at acceptance")
        REASSIGNED = "reassigned", _("Reassigned")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignment_events")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role on the case"), max_length=20, choices=CaseStaffRole.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    beyond_ceiling = models.BooleanField(_("confirmed beyond the caseload ceiling"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {date_text(self.at)}"


class ClosureReason(models.TextChoices):
    GOALS_REACHED = "goals_reached", _("Goals reached")
    MOVED = "moved", _("Moved")
    DECLINED = "declined", _("Declined to continue")
    OTHER_SUPPORT = "other_support", _("Moved on to other support")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown (not recorded)")  # only history from an earlier system


class Occupation(models.TextChoices):
    STUDIES = "studies", _("Studies")
    WORK = "work", _("Work")
    OTHER = "other", _("Other occupation")
    NONE = "none", _("None")
    UNKNOWN = "unknown", _("Unknown (not recorded)")


class Isolation(models.TextChoices):
    NONE = "none", _("Not isolated")
    PARTLY = "partly", _("Partly isolated")
    AS_BEFORE = "as_before", _("Isolated as before")
    UNKNOWN = "unknown", _("Unknown (not recorded)")


class Closure(models.Model):
    """Why a case was closed and the person's situation then (the review's missing figures)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # A foreign key, not one-to-one: a case reopened by a later order can be closed again.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="closures")
    closed_on = models.DateField(_("closed"))
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    reason_text = models.TextField(_("about the reason"), blank=True)
    occupation = models.CharField(_("occupation"), max_length=10, choices=Occupation.choices)
    isolation = models.CharField(_("isolation"), max_length=10, choices=Isolation.choices)
    # None: not recorded (history from an earlier system only; new closures record it).
    follow_up_consent = models.BooleanField(
        _("consents to follow-up at 6 and 12 months"), null=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-closed_on"]
        indexes = [
            # Closures of a period by reason and situation, index-only (bench/README.md).
            models.Index(
                fields=["closed_on", "reason", "occupation", "isolation", "follow_up_consent"],
                name="closure_report_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.closed_on}"


class FollowUpPlace(models.Model):
    """A consenting closure's follow-up place, one row for each kind of support and provider
    unit of its case's orders: what the capacity page counts
    (`actions._follow_up_places_used`) from one index instead of testing each of a year's
    closures against its case's orders (issue 17, bench/README.md).

    Kept by the database alone (migration `provision.0014`): triggers on closures and orders
    rewrite a case's rows whenever one of its closures or orders is inserted, changed (also
    moved to another case) or deleted, also by bulk inserts, the history import, merging and
    culling. Plain columns, no keys: nothing else points here, and the rows go with the case's
    closures and orders. The application writes them only where the triggers were off
    (`rewrite`)."""

    id = models.BigAutoField(primary_key=True)
    closure_id = models.UUIDField()
    case_id = models.UUIDField()
    support_kind_id = models.BigIntegerField()
    provider_unit_id = models.BigIntegerField()
    closed_on = models.DateField()

    class Meta:
        default_permissions = ()
        indexes = [
            # The count: a unit's places of a year, index-only (kind and closure included).
            models.Index(
                fields=["provider_unit_id", "closed_on", "support_kind_id", "closure_id"],
                name="followupplace_count_idx",
            ),
            # The triggers' rewrite of one case's rows.
            models.Index(fields=["case_id"], name="followupplace_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.closure_id} {self.support_kind_id} {self.provider_unit_id}"

    @staticmethod
    def rewrite(case_ids: list) -> None:
        """What the triggers do, for cases whose closures or orders were written with the
        triggers off: the synthetic data on PostgreSQL (`session_replication_role = replica`).
        On SQLite nothing turns them off."""
        if not case_ids or connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM provision_followupplace WHERE case_id = ANY(%s)", [case_ids]
            )
            cursor.execute(
                "INSERT INTO provision_followupplace"
                " (closure_id, case_id, support_kind_id, provider_unit_id, closed_on)"
                " SELECT DISTINCT c.id, c.case_id, o.support_kind_id, o.provider_unit_id,"
                " c.closed_on FROM provision_closure c"
                " JOIN provision_order o ON o.case_id = c.case_id"
                " WHERE c.case_id = ANY(%s) AND c.follow_up_consent",
                [case_ids],
            )


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("Not yet done")
    DONE = "done", _("Done")
    REFUSED = "refused", _("The person declined")
    NO_ANSWER = "no_answer", _("No answer")


class FollowUp(models.Model):
    """A follow-up 6 or 12 months after closure, scheduled only with the person's consent."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # Looked up through follow_up_once_per_month (closure, months), not an index of its own.
    closure = models.ForeignKey(
        Closure, on_delete=models.PROTECT, related_name="follow_ups", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after closure"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    done_on = models.DateField(_("done"), null=True, blank=True)
    occupation = models.CharField(
        _("occupation"), max_length=10, choices=Occupation.choices, blank=True
    )
    isolation = models.CharField(
        _("isolation"), max_length=10, choices=Isolation.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Copies of its closure's case and that case's units now, kept by the database (triggers,
    # provision.0012; a case moved to another team takes them along): what `people.access`
    # tests a case by, on the follow-up itself, so that an index finds a manager's follow-ups
    # due instead of testing every pending one through its closure and case (issue 17). Not
    # relations to follow: nothing is deleted through them, and no key checks them.
    case = models.ForeignKey(
        Case,
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    authority_unit = models.ForeignKey(
        Unit,
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    provider_unit = models.ForeignKey(
        Unit,
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["closure", "months"], name="follow_up_once_per_month")
        ]
        indexes = [
            # The start page's follow-ups now due, oldest first: for a manager over every case
            # the list stops after its rows instead of sorting every pending one (issue 17).
            models.Index(
                fields=["due_on"],
                condition=models.Q(status="pending"),
                name="followup_pending_due_idx",
            ),
            # A manager's or team's follow-ups now due: those of their units, then by date.
            models.Index(
                fields=["provider_unit", "due_on"],
                condition=models.Q(status="pending"),
                name="followup_pending_provider_idx",
            ),
            models.Index(
                fields=["authority_unit", "due_on"],
                condition=models.Q(status="pending"),
                name="followup_pending_authority_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.months} → {self.due_on}"
