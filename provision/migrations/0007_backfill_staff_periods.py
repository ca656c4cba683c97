"""Backfill the periods of staff on cases (people.StaffPeriod) from the history there is.

Before this, `CaseStaff` held only today's staff and `AssignmentEvent` when coordinators were
assigned at acceptance and moved by reassignment (no end). The periods are rebuilt per case and
role: an assignment starts a period on its day (the first one no later than the case's first
start of support), a reassignment ends the previous holder's on its day and starts the new
holder's, and today's staff hold theirs up to the case's closure (or still). Staff named with no
event (officers, coordinators from before the events) are taken to have held the role from the
case's start: its first accepted order for coordinators, its opening for others.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db import migrations
from django.db.models import Min

COORDINATOR_ROLES = ("coordinator", "second_coordinator")


def _periods_of(case, role, events, current, first_start):
    start_of_case = case["opened_on"]
    if role in COORDINATOR_ROLES and first_start:
        start_of_case = first_start
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    holders, periods = {}, []
    for event in events:
        day = event.at.astimezone(zone).date()
        if event.kind == "assigned":
            holders.setdefault(event.to_user_id, min(day, start_of_case) if not holders else day)
            continue
        began = holders.pop(event.from_user_id, start_of_case)
        if began <= day:
            periods.append((event.from_user_id, began, day))
        holders.setdefault(event.to_user_id, day)
    end = case["closed_on"] if case["status"] == "closed" else None
    for user_id in current:
        began = holders.get(user_id, start_of_case)
        periods.append((user_id, began, max(end, began) if end else None))
    return periods


def backfill(apps, schema_editor):
    Case = apps.get_model("people", "Case")
    CaseStaff = apps.get_model("people", "CaseStaff")
    StaffPeriod = apps.get_model("people", "StaffPeriod")
    AssignmentEvent = apps.get_model("provision", "AssignmentEvent")
    Order = apps.get_model("provision", "Order")

    current = defaultdict(list)
    for case_id, user_id, role in CaseStaff.objects.values_list("case_id", "user_id", "role"):
        current[case_id, role].append(user_id)
    events = defaultdict(list)
    for event in AssignmentEvent.objects.order_by("at"):
        events[event.case_id, event.role].append(event)
    first_start = dict(
        Order.objects.filter(accepted_on__isnull=False)
        .values("case_id")
        .annotate(first=Min("accepted_on"))
        .values_list("case_id", "first")
    )
    case_ids = {case_id for case_id, _role in current.keys() | events.keys()}
    cases = Case.objects.filter(pk__in=case_ids).values("pk", "opened_on", "closed_on", "status")
    batch = []
    for case in cases.iterator():
        for role in ("officer", "coordinator", "second_coordinator", "other"):
            key = (case["pk"], role)
            for user_id, valid_from, valid_to in _periods_of(
                case, role, events.get(key, []), current.get(key, []), first_start.get(case["pk"])
            ):
                batch.append(
                    StaffPeriod(
                        case_id=case["pk"],
                        user_id=user_id,
                        role=role,
                        valid_from=valid_from,
                        valid_to=valid_to,
                    )
                )
        if len(batch) >= 5000:
            StaffPeriod.objects.bulk_create(batch)
            batch = []
    StaffPeriod.objects.bulk_create(batch)


def forget(apps, schema_editor):
    apps.get_model("people", "StaffPeriod").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_staff_periods"),
        ("provision", "0006_assignment_role_choices"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
