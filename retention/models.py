"""Exceptions from culling, what culling removed, and register extracts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from people.models import Case, Person


class RetentionExceptionQuerySet(models.QuerySet):
    def active(self) -> RetentionExceptionQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class RetentionException(models.Model):
    """A case the manager has marked to be kept beyond the retention period, and why."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="retention_exceptions"
    )
    reason = models.TextField(_("reason for keeping the records"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("marked"), auto_now_add=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = RetentionExceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("exception from culling")
        verbose_name_plural = _("exceptions from culling")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(_("Exception from culling"))


class CullRecord(models.Model):
    """What one culling removed: ids and counts, never the content (no foreign keys: the rows
    are gone)."""

    id = models.BigAutoField(primary_key=True)
    person_id = models.UUIDField(_("person id"), db_index=True)
    case_ids = models.JSONField(_("case ids"), default=list)
    counts = models.JSONField(_("rows removed per kind of record"), default=dict)
    rule = models.CharField(_("rule"), max_length=200)
    last_entry_on = models.DateField(_("last entry"))
    due_on = models.DateField(_("culling due"))
    deadline = models.DateField(_("to be culled by"))
    culled_on = models.DateField(_("culled on"))
    culled_at = models.DateTimeField(_("culled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("culling record")
        verbose_name_plural = _("culling records")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.culled_on} {self.person_id}"


class AccessLogCheckpoint(models.Model):
    """Where the access log's chain now begins, after its oldest entries were culled.

    `last_hash` is the hash of the last culled entry: the first kept entry's prev_hash must equal
    it. The culling itself is an entry in the log (record_type "access_log_cull", record_id the
    last culled id, detail its hash), so a checkpoint nobody logged does not verify. The log has
    several chains: a culling leaves one checkpoint for each chain it culled entries from.
    """

    id = models.BigAutoField(primary_key=True)
    # One checkpoint per chain that lost entries to the culling (audit.events: several chains).
    chain = models.PositiveSmallIntegerField(_("chain"), default=0, db_default=0)
    last_culled_id = models.BigIntegerField(_("last culled entry"))
    last_hash = models.CharField(_("hash of the last culled entry"), max_length=64)
    culled_count = models.PositiveIntegerField(_("entries culled"))
    culled_before = models.DateTimeField(_("entries older than"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("access-log checkpoint")
        verbose_name_plural = _("access-log checkpoints")
        ordering = ["-last_culled_id"]

    def __str__(self) -> str:
        return f"{self.last_culled_id} {self.last_hash[:12]}"


class Requester(models.TextChoices):
    PERSON = "person", _("The person")
    REPRESENTATIVE = "representative", _("A legal representative (guardian, trustee)")
    OTHER = "other", _("Someone else with the person's authorisation")


class RegisterExtract(models.Model):
    """A register extract produced on request (GDPR art. 15): who asked, when, who produced it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="extracts"
    )
    requested_by = models.CharField(_("who asked"), max_length=20, choices=Requester.choices)
    requester_name = models.CharField(
        _("name of who asked"),
        max_length=200,
        blank=True,
        help_text=_("Needed when someone other than the person asked."),
    )
    requested_on = models.DateField(_("request received"))
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("produced by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    produced_at = models.DateTimeField(_("produced"), auto_now_add=True)

    class Meta:
        verbose_name = _("register extract")
        verbose_name_plural = _("register extracts")
        ordering = ["-produced_at"]

    def __str__(self) -> str:
        return f"{self.requested_on}"


class RetentionVerdict(models.Model):
    """The last assessment of a person whose records were kept, reused by the daily culling
    until something it rests on may have changed (retention.actions.kept_by_earlier_verdict):
    the person's details, an exception, an open case, or the date it falls due. By plain id, not
    a foreign key: it is removed with the person's records when they are culled."""

    person_id = models.UUIDField(_("person id"), primary_key=True)
    rule = models.CharField(_("rule"), max_length=40)
    due_on = models.DateField(_("culling due"), null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField()
    assessed_at = models.DateTimeField(_("assessed"))
    # When the person or a case of theirs last changed, as the assessment saw it
    # (retention.actions.changed_since): the verdict holds until something is newer.
    stamp = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("culling verdict")

    def __str__(self) -> str:
        return f"{self.person_id} {self.rule}"
