"""What a case's closing finds open in the person's support, and how it settles it
(`provision.closure.CLOSING_PARTS`, registered in apps.py).

Visits planned after the closing are cancelled by staff, and a booked transport with them;
homework not yet followed up is withdrawn. A visit that has passed unrecorded, the plan and draft
notes are shown but left as they are: only the coordinator knows whether the visit was held, and
a draft is signed or deleted by its author.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.events import Access
from audit.models import Action
from core.concurrency import claim
from core.timefmt import date_text, datetime_text
from delivery.models import Homework, HomeworkResult, Note, Plan, Visit, VisitStatus
from people.models import Case
from provision.closure import ClosingPart, OpenItem, add_closing_part


def cancelled_from(closed_on: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """Visits from this moment on are cancelled: those after the closing date, and, when the
    case closes today or earlier, those still ahead (a visit later today does not happen)."""
    tz = timezone.get_current_timezone()
    next_day = datetime.datetime.combine(
        closed_on + datetime.timedelta(days=1), datetime.time(), tz
    )
    return next_day if closed_on > timezone.localdate(now) else min(now, next_day)


def _planned(case: Case) -> QuerySet[Visit]:
    return Visit.objects.filter(person_id=case.person_id, status=VisitStatus.PLANNED)


def _open_homework(case: Case) -> QuerySet[Homework]:
    return Homework.objects.filter(
        given_at__person_id=case.person_id, result="", followed_up_at__isnull=True
    )


def _visit_item(visit: Visit, cancelled: bool) -> OpenItem:
    what = _("%(kind)s %(when)s, %(place)s") % {
        "kind": visit.get_kind_display(),
        "when": datetime_text(visit.planned_at),
        "place": visit.place,
    }
    if visit.transport:
        what += " " + _("(transport booked)")
    if not cancelled:
        outcome = _("Not changed: it has passed; record whether it was held.")
    elif visit.transport:
        outcome = _(
            "Cancelled, and its transport marked cancelled: cancel the booking with the "
            "transport service."
        )
    else:
        outcome = _("Cancelled.")
    url = reverse("delivery:visit_detail", args=[visit.pk])
    return OpenItem("visit", visit.pk, what, outcome, settled=cancelled, url=url)


def open_items(case: Case, closed_on: datetime.date, now: datetime.datetime) -> list[OpenItem]:
    start = cancelled_from(closed_on, now)
    items = [_visit_item(v, v.planned_at >= start) for v in _planned(case).order_by("planned_at")]
    items += [
        OpenItem(
            "homework",
            h.pk,
            _("Homework: %(text)s") % {"text": h.text[:80]},
            _("Withdrawn: it will not be followed up."),
        )
        for h in _open_homework(case).order_by("pk")
    ]
    plan = Plan.objects.filter(person_id=case.person_id).order_by("-version").first()
    if plan is not None:
        items.append(
            OpenItem(
                "plan",
                plan.pk,
                _("Implementation plan, version %(version)s (next follow-up %(date)s)")
                % {"version": plan.version, "date": date_text(plan.next_follow_up)},
                _("Kept in the record as it is; no follow-up is due after closing."),
                settled=False,
                url=reverse("delivery:plan_detail", args=[plan.pk]),
            )
        )
    items += [
        OpenItem(
            "journal_note",
            n.pk,
            _("Unsigned note of %(date)s") % {"date": date_text(n.happened_on)},
            _("Not changed: its author signs or deletes it."),
            settled=False,
        )
        for n in Note.objects.drafts().filter(person_id=case.person_id).order_by("happened_on")
    ]
    return items


def settle(user: Any, case: Case, closed_on: datetime.date, now: datetime.datetime) -> list[Access]:
    person = case.person_id
    accesses = []
    for visit in _planned(case).filter(planned_at__gte=cancelled_from(closed_on, now)):
        claim(visit, None)
        visit.status = VisitStatus.CANCELLED_BY_STAFF
        visit.transport_cancelled = visit.transport
        visit.save(update_fields=["status", "transport_cancelled"])
        accesses.append(Access(person, "visit", visit.pk, Action.UPDATE, detail="closure"))
    for homework in _open_homework(case):
        claim(homework, None)
        homework.result = HomeworkResult.WITHDRAWN
        homework.followed_up_by = user
        homework.save(update_fields=["result", "followed_up_by"])
        accesses.append(Access(person, "homework", homework.pk, Action.UPDATE, detail="closure"))
    return accesses


add_closing_part(
    ClosingPart(
        key="delivery",
        heading=gettext_lazy("Visits, homework and the journal"),
        items=open_items,
        settle=settle,
    )
)
