"""Culling, exceptions from it, the access log's own retention, and register extracts.

`_delete_rows` is the one deliberate, narrow path past the immutability of issued decisions,
signed journal notes and the access log (their managers and querysets refuse deletes): it is
reached only from `cull_person` and `cull_access_log`, inside a transaction, after the rules said
the rows must go.
"""

from __future__ import annotations

import datetime
import logging
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, connections, models, router, transaction
from django.db.models import Count, Max
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Access, log_access, log_accesses
from audit.models import AccessLogEntry, AccessLogSubject, Action, ChainHead
from core.lookups import among
from jobs.models import Job
from organisation.permissions import RETENTION_ROLES, may_manage_retention, require
from organisation.roles import roles_of
from people.access import access_level, visible_people
from people.models import Case, CaseStatus, Person
from retention import conf
from retention.graph import EXCLUDED, Record, edges_into
from retention.models import (
    AccessLogCheckpoint,
    CullRecord,
    RegisterExtract,
    RetentionException,
    RetentionVerdict,
)
from retention.rules import (
    CASE_EXCEPTION,
    NOT_DUE,
    OPEN_CASE,
    PERMANENT,
    Verdict,
    add_years,
    assess,
    assess_many,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

# Counts only: application logs never hold personal data.
logger = logging.getLogger(__name__)


# Culling people's records


def candidates(today: datetime.date) -> QuerySet[Person]:
    """People who may be due: no case touched and the person not changed since the cutoff.

    A cheap first cut, chosen by the database in one set-based query; `assess` then looks at
    every row of each candidate. Each comes with `stamp`, when the person or a case of theirs
    last changed (`unchanged`): a verdict stored with it holds until that moves.
    """
    # A day of slack either side of midnight: `assess` decides to the day.
    cutoff = add_years(today, -conf.retention_years()) + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    recent_case = Case.objects.filter(person_id=models.OuterRef("pk"), last_entry_at__gte=start)
    return (
        Person.objects.current()
        .filter(updated_at__lt=start, created_at__lt=start)
        .exclude(models.Exists(recent_case))
        .annotate(stamp=_stamp())
        .order_by("pk")
    )


def _stamp() -> Greatest:
    """When the person (the outer query's) or a case of theirs last changed."""
    last_case = (
        Case.objects.filter(person_id=models.OuterRef("pk"))
        .order_by("-last_entry_at")
        .values("last_entry_at")[:1]
    )
    return Greatest("updated_at", Coalesce(models.Subquery(last_case), models.F("updated_at")))


def unchanged(verdicts: QuerySet[RetentionVerdict]) -> QuerySet[RetentionVerdict]:
    """The verdicts (of the outer query's person) after which nothing about the person
    changed: neither their details (`Person.updated_at`) nor any of their cases
    (`Case.last_entry_at`, moved by every save of the case: closing, reopening, a new
    coordinator, a merge) is newer than the stamp the verdict was stored with."""
    newer_case = Case.objects.filter(
        person_id=models.OuterRef("person_id"), last_entry_at__gt=models.OuterRef("stamp")
    )
    return verdicts.filter(stamp__gte=models.OuterRef("updated_at")).exclude(
        models.Exists(newer_case)
    )


def kept_by_earlier_verdict(today: datetime.date) -> models.Q:
    """People whose stored verdict still holds, so that they need not be assessed again:

    - kept for research (born on the 5th, 15th or 25th) or with the birth day unknown, while
      nothing about the person changed since (`unchanged`: their details or a case);
    - kept by a case's exception, while nothing changed and an exception is active;
    - with an open case, while a case is still open;
    - not yet due, until the day they fell due on (newer entries only postpone it).
    The verdict must be made with today's retention period."""
    verdicts = RetentionVerdict.objects.filter(
        person_id=models.OuterRef("pk"), retention_years=conf.retention_years()
    )
    kept = unchanged(verdicts)
    open_case = Case.objects.filter(person_id=models.OuterRef("pk"), status=CaseStatus.OPEN)
    exception = RetentionException.objects.active().filter(case__person_id=models.OuterRef("pk"))
    return (
        models.Q(models.Exists(kept.filter(rule__in=PERMANENT)))
        | (
            models.Q(models.Exists(kept.filter(rule=CASE_EXCEPTION)))
            & models.Q(models.Exists(exception))
        )
        | (
            models.Q(models.Exists(verdicts.filter(rule=OPEN_CASE)))
            & models.Q(models.Exists(open_case))
        )
        | models.Q(models.Exists(verdicts.filter(rule=NOT_DUE, due_on__gt=today)))
    )


def plan_culling(today: datetime.date, *, remember: bool = True) -> list[Verdict]:
    """Every person whose records were due by today and whose earlier verdict no longer holds,
    with the rule that decides each. With `remember`, each verdict that keeps the records is
    stored, so that the next daily run does not assess that person again (a dry run passes
    False: it changes nothing)."""
    verdicts: list[Verdict] = []
    kept: list[Verdict] = []
    stamps: dict = {}
    people = candidates(today).exclude(kept_by_earlier_verdict(today))
    batch: list[Person] = []
    for person in people.iterator(chunk_size=CULL_BATCH):
        stamps[person.pk] = person.stamp  # type: ignore[attr-defined]  # annotated
        batch.append(person)
        if len(batch) == CULL_BATCH:
            verdicts += _plan_batch(batch, today, kept)
            batch = []
    verdicts += _plan_batch(batch, today, kept)
    if remember and kept:
        _remember(kept, stamps)
    return verdicts


def _plan_batch(people: list[Person], today: datetime.date, kept: list[Verdict]) -> list[Verdict]:
    listed = []
    for verdict in assess_many(people, today):
        if verdict.rule in STORED:
            kept.append(verdict)
        if verdict.rule != NOT_DUE:
            # The plan names what is due; the rows are collected again when culling.
            listed.append(verdict)
    return listed


def kept_without_assessing(today: datetime.date) -> int:
    """How many people an earlier verdict keeps today (the culling's output says so)."""
    return candidates(today).filter(kept_by_earlier_verdict(today)).count()


# The verdicts worth keeping: what can change them is known (kept_by_earlier_verdict).
STORED = PERMANENT | {CASE_EXCEPTION, OPEN_CASE, NOT_DUE}


def _remember(verdicts: list[Verdict], stamps: dict) -> None:
    now, years = timezone.now(), conf.retention_years()
    RetentionVerdict.objects.bulk_create(
        [
            RetentionVerdict(
                person_id=v.person_id,
                rule=v.rule,
                due_on=v.due_on,
                retention_years=years,
                assessed_at=now,
                stamp=stamps.get(v.person_id),
            )
            for v in verdicts
        ],
        update_conflicts=True,
        unique_fields=["person_id"],
        update_fields=["rule", "due_on", "retention_years", "assessed_at", "stamp"],
    )


def open_cases_past_retention(user: User, today: datetime.date) -> list[tuple[Person, Verdict]]:
    """People of the manager's units whose records would be due but who have an open case:
    culling never takes them, so the manager sees them instead (close the case, or mark it)."""
    if not roles_of(user).has(*RETENTION_ROLES):
        return []
    people = (
        candidates(today)
        .filter(pk__in=visible_people(user).values("pk"), cases__status=CaseStatus.OPEN)
        .distinct()
    )
    found = []
    for person in people:
        verdict = assess(person, today)
        if verdict.rule == OPEN_CASE:
            found.append((person, verdict))
    return found


def cull_person(person_id: Any, today: datetime.date) -> CullRecord | None:
    """Remove every row of the person if the rules still say so; record what went."""
    culled = cull_people([person_id], today)
    return culled[0] if culled else None


# People assessed and culled in one transaction: the rows of a batch are deleted together.
# 1,000 rather than 200: a fifth of the queries, and the same rows (bench/README.md).
CULL_BATCH = 1000


def cull(
    today: datetime.date, *, listed: list[Verdict] | None = None, workers: int = 1
) -> list[CullRecord]:
    """Cull every person whose records are due today and whose earlier verdict no longer holds.

    Each candidate is assessed once, under the lock that culls them (`cull_people`), a batch
    at a time: nothing written before the lock escapes the assessment, and nothing can be
    written into the record after it. The verdicts that keep the records are stored as in
    `plan_culling`; `listed` receives every verdict but "not yet due" (the command prints them).
    With `workers`, that many threads cull batches side by side, each on its own connection
    (the first cull of a long history: one thread's Python runs while another waits for the
    database).
    """
    people = candidates(today).exclude(kept_by_earlier_verdict(today))
    ids = list(people.values_list("pk", flat=True))
    batches = [ids[start : start + CULL_BATCH] for start in range(0, len(ids), CULL_BATCH)]
    if workers <= 1 or connection.vendor == "sqlite":  # SQLite has one writer at a time
        return [c for batch in batches for c in cull_people(batch, today, listed=listed)]
    pending: queue.SimpleQueue[list] = queue.SimpleQueue()
    for batch in batches:
        pending.put(batch)
    with ThreadPoolExecutor(workers) as pool:
        done = [pool.submit(_cull_worker, pending, today, listed) for _ in range(workers)]
        return [c for future in done for c in future.result()]


def _cull_worker(
    pending: queue.SimpleQueue, today: datetime.date, listed: list[Verdict] | None
) -> list[CullRecord]:
    culled: list[CullRecord] = []
    try:
        while True:
            try:
                batch = pending.get_nowait()
            except queue.Empty:
                return culled
            culled += cull_people(batch, today, listed=listed)
    finally:
        connections.close_all()  # this thread's own connection


def cull_planned(going: list[Verdict], today: datetime.date) -> list[CullRecord]:
    """Cull the people a plan made earlier said must go, a batch at a time: each is assessed
    again under the lock, since the plan was made without one (an entry written since keeps
    them). `cull` needs no plan and assesses each person once."""
    ids = [v.person_id for v in going]
    culled: list[CullRecord] = []
    for start in range(0, len(ids), CULL_BATCH):
        culled += cull_people(ids[start : start + CULL_BATCH], today)
    return culled


def cull_people(
    person_ids: list, today: datetime.date, *, listed: list[Verdict] | None = None
) -> list[CullRecord]:
    """Lock the people, assess them, store the verdicts that keep the records and remove every
    row of each person the rules say must go, in one transaction; record what went."""
    with transaction.atomic():
        people = list(
            Person.objects.select_for_update(of=("self",))
            .filter(among("pk", list(person_ids)))
            .annotate(stamp=_stamp())
            .order_by("pk")
        )
        # On PostgreSQL the records are walked, dated and removed inside the database.
        verdicts = assess_many(people, today, in_database=connection.vendor == "postgresql")
        kept = [v for v in verdicts if v.rule in STORED]
        if kept:
            _remember(kept, {p.pk: p.stamp for p in people})
        if listed is not None:
            listed += [v for v in verdicts if v.rule != NOT_DUE]
        going = [v for v in verdicts if v.cull]
        if not going:
            return []
        culled = _remove(going, today)
    # Not even the people's ids: the CullRecords and the command's output carry those.
    logger.info(
        "Culled %s people's records: %s rows",
        len(culled),
        sum(n for c in culled for n in c.counts.values()),
    )
    return culled


def _remove(going: list[Verdict], today: datetime.date) -> list[CullRecord]:
    """Delete the people's rows, children first, one statement per kind of record for all of
    them; write a CullRecord and an access-log entry for each (both outlive the records)."""
    everything = Record()
    culled = []
    for verdict in going:
        # A CULL verdict always carries the record and its dates (retention.rules).
        assert verdict.record is not None
        assert verdict.last_entry_on is not None and verdict.due_on is not None
        assert verdict.deadline is not None
        if isinstance(verdict.record, Record):
            everything.add(verdict.record)
        culled.append(
            CullRecord(
                person_id=verdict.person_id,
                case_ids=verdict.case_ids,
                counts=verdict.record.counts(),
                rule=verdict.rule,
                last_entry_on=verdict.last_entry_on,
                due_on=verdict.due_on,
                deadline=verdict.deadline,
                culled_on=today,
            )
        )
    ids = [v.person_id for v in going]
    walk = going[0].walk
    if walk is not None:  # walked in the database: the rows are there (one walk a batch)
        walk.delete(ids)
    else:
        _delete_rows(everything)
    RetentionVerdict.objects.filter(among("person_id", ids)).delete()
    Job.objects.filter(among("person_id", ids)).delete()  # extract files made in the background
    culled = CullRecord.objects.bulk_create(culled)
    log_accesses(
        user=None,
        accesses=[
            Access(person_id=v.person_id, record_type="person", action=Action.DELETE, detail=v.rule)
            for v in going
        ],
    )
    return culled


def _delete_rows(record: Record) -> None:
    """Delete exactly the collected rows, children first, without the models' guards."""
    db = router.db_for_write(Person)
    into = edges_into()
    for target, pks in record.rows.items():
        for edge in into.get(target, []):
            if edge.model._meta.label in EXCLUDED and pks:
                models.QuerySet(model=edge.model).filter(
                    **{f"{edge.field.attname}__in": list(pks)}
                ).update(**{edge.field.attname: None})
    for model in record.deletion_order():
        model_pks = list(record.rows[model])
        for start in range(0, len(model_pks), 5000):
            chunk = model_pks[start : start + 5000]
            models.QuerySet(model=model).filter(among("pk", chunk))._raw_delete(db)


def _require_retention_work(user: User, person: Person) -> None:
    """A manager, for a person of their own units (page or any other entry point)."""
    require(
        may_manage_retention(user, access_level(user, person)),
        _("Only a manager of the person's units may do this."),
    )


# Exceptions marked by the manager


def mark_exception(*, user: User, case: Case, reason: str) -> RetentionException:
    _require_retention_work(user, case.person)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for keeping the records.")})
    with transaction.atomic():
        exception = RetentionException.objects.create(case=case, reason=reason, created_by=user)
        log_access(
            user=user,
            person=case.person_id,
            action=Action.CREATE,
            record_type="retention_exception",
            record_id=exception.pk,
            reason=reason,
        )
    return exception


def withdraw_exception(*, user: User, exception: RetentionException) -> RetentionException:
    _require_retention_work(user, exception.case.person)
    if exception.withdrawn_at is not None:
        raise ValidationError(_("The exception has already been withdrawn."))
    with transaction.atomic():
        RetentionException.objects.filter(pk=exception.pk).update(
            withdrawn_by=user, withdrawn_at=timezone.now()
        )
        log_access(
            user=user,
            person=exception.case.person_id,
            action=Action.UPDATE,
            record_type="retention_exception",
            record_id=exception.pk,
        )
    exception.refresh_from_db()
    return exception


# The access log's own retention


@dataclass(frozen=True)
class LogCulling:
    count: int
    last_culled_id: int | None
    before: datetime.datetime


def access_log_cutoff(today: datetime.date) -> datetime.datetime:
    day = add_years(today, -conf.access_log_years())
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def plan_access_log_culling(today: datetime.date) -> LogCulling:
    """The oldest entries, up to the first one still within its retention (a prefix of the chain:
    the chain must stay unbroken from the checkpoint on)."""
    before = access_log_cutoff(today)
    first_kept = AccessLogEntry.objects.filter(at__gte=before).order_by("id").first()
    old = AccessLogEntry.objects.filter(at__lt=before)
    if first_kept is not None:
        old = old.filter(id__lt=first_kept.id)
    last = old.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return LogCulling(0, None, before)
    return LogCulling(AccessLogEntry.objects.filter(id__lte=last).count(), last, before)


def cull_access_log(today: datetime.date) -> LogCulling:
    """Remove the oldest entries behind a checkpoint that verify_access_log starts from: one for
    each chain the culled entries were in (the log has several chains, audit.events)."""
    with transaction.atomic():
        # The chain heads' locks keep writers out while the chains' starts move.
        list(ChainHead.objects.select_for_update().order_by("pk"))
        plan = plan_access_log_culling(today)
        if not plan.count or plan.last_culled_id is None:
            return plan
        culled = AccessLogEntry.objects.filter(id__lte=plan.last_culled_id)
        per_chain = culled.values("chain").annotate(last=Max("id"), count=Count("id"))
        counts = {row["last"]: row["count"] for row in per_chain}
        lasts = AccessLogEntry.objects.filter(id__in=list(counts)).order_by("chain")
        checkpoints = [
            AccessLogCheckpoint(
                chain=last.chain,
                last_culled_id=last.id,
                last_hash=last.entry_hash,
                culled_count=counts[last.id],
                culled_before=plan.before,
            )
            for last in lasts
        ]
        AccessLogCheckpoint.objects.bulk_create(checkpoints)
        # The people the culled lists named go with them (they point at the entries).
        models.QuerySet(model=AccessLogSubject).filter(
            entry_id__lte=plan.last_culled_id
        )._raw_delete(router.db_for_write(AccessLogSubject))
        models.QuerySet(model=AccessLogEntry).filter(id__lte=plan.last_culled_id)._raw_delete(
            router.db_for_write(AccessLogEntry)
        )
        log_accesses(
            user=None,
            accesses=[
                Access(
                    person_id=None,
                    action=Action.DELETE,
                    record_type="access_log_cull",
                    record_id=str(checkpoint.last_culled_id),
                    detail=checkpoint.last_hash,
                )
                for checkpoint in checkpoints
            ],
        )
    logger.info("Culled %s access-log entries up to id %s", plan.count, plan.last_culled_id)
    return plan


def chain_start(chain: int = 0) -> tuple[str, int, dict | None]:
    """(hash before the chain's first kept entry, id of its last culled entry, the culling's
    entry).

    Called by audit.events.verify_from: the chain is verified from its newest checkpoint, and
    the entry that logged the culling (the third value, as field values) must be in the log.
    """
    checkpoint = AccessLogCheckpoint.objects.filter(chain=chain).order_by("-last_culled_id").first()
    if checkpoint is None:
        return "", 0, None
    marker = {
        "record_type": "access_log_cull",
        "record_id": str(checkpoint.last_culled_id),
        "detail": checkpoint.last_hash,
    }
    return checkpoint.last_hash, checkpoint.last_culled_id, marker


# Register extracts


def record_extract(
    *,
    user: User,
    person: Person,
    requested_by: str,
    requester_name: str,
    requested_on: datetime.date,
) -> RegisterExtract:
    _require_retention_work(user, person)
    with transaction.atomic():
        extract = RegisterExtract.objects.create(
            person=person,
            requested_by=requested_by,
            requester_name=requester_name.strip(),
            requested_on=requested_on,
            produced_by=user,
        )
        log_access(
            user=user,
            person=person,
            action=Action.CREATE,
            record_type="register_extract",
            record_id=extract.pk,
        )
    return extract


def log_extract_download(*, user: User, extract: RegisterExtract, kind: str) -> None:
    log_access(
        user=user,
        person=extract.person_id,
        action=Action.EXPORT,
        record_type="register_extract",
        record_id=extract.pk,
        detail=kind,
    )


def status_for(person: Person, today: datetime.date | None = None) -> Verdict:
    today = today or timezone.localdate()
    return assess(person, today)
