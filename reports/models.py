"""A database view for the statistics: each intake beside the later events of its case.

`IntakeStep` is read-only and unmanaged: migration 0001 creates the view `reports_intake_step`.
It joins an intake to its case's decisions and orders on the case id directly. Reached through
the ORM's relations, the same join goes through the case table, which at a million people was
half the cost of the lead-time figures (bench/README.md).
"""

from __future__ import annotations

from django.db import models


class IntakeStep(models.Model):
    """One intake and one talk, decision or start of its case on or after the intake's day.

    An intake appears once per such event, so `intake_id` is not unique here: it is the primary
    key only because Django needs one. Read it with values() and aggregates, never as objects.
    """

    intake_id = models.UUIDField(primary_key=True)
    received_on = models.DateField()
    step = models.CharField(max_length=8)  # "talk", "decision" or "start"
    happened_on = models.DateField()

    class Meta:
        managed = False
        db_table = "reports_intake_step"

    def __str__(self) -> str:
        return f"{self.step} {self.happened_on}"


class CapacityForecast(models.Model):
    """The day's capacity forecast for one set of units, so that the capacity page does not run
    the simulation (and its history queries) on every view: about 0.5–2 s for a large provider.

    `units_key` names the units and what the forecast depends on besides history (the kinds'
    places, the caseload): a change to those gives a new key, so a new forecast at once. History
    recorded later in the day shows in the next day's forecast; the page says when it was made.
    Holds counts and rates only, never a person.
    """

    units_key = models.CharField(max_length=64)
    computed_on = models.DateField()
    computed_at = models.DateTimeField()
    forecasts = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["units_key", "computed_on"], name="capacity_forecast_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.units_key[:8]} {self.computed_on}"
