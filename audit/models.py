"""The access log: append-only and tamper-evident.

Each entry carries the hash of the entry before it, so changing or removing any entry breaks the
chain from that point on; `manage.py verify_access_log` names the first broken entry. The hash is
an HMAC with a key the database does not hold (BRYGGA_ACCESS_LOG_KEYS), so that someone who can
write to the database cannot recompute the chain after an edit (docs/access-log.md).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.timefmt import datetime_text

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    READ = "read", _("Read")
    SEARCH = "search", _("Found in search")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Removed")
    MERGE = "merge", _("Merged")
    REASON = "reason", _("Reason given for access")
    EXPORT = "export", _("Exported")


class AppendOnlyError(Exception):
    """Raised when anything tries to change or delete an access-log entry."""


class AppendOnly(models.Model):
    """A row of the access log: written once, never changed or deleted through the application
    (culling removes whole ranges below the ORM, retention/actions.py)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log cannot be deleted.")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The access log cannot be deleted.")

    def about(self, *people) -> AccessLogQuerySet:
        """Entries about anyone in `people` (each a list of ids or a subquery of them): the
        entries about one of them and the lists that named one (AccessLogSubject).

        The ids are one UNION, each part found through its person index; `person_id IN … OR id
        IN …` made PostgreSQL read the whole log to test the OR on every entry."""
        parts = []
        for group in people:
            parts.append(AccessLogEntry.objects.filter(person_id__in=group).order_by().values("id"))
            parts.append(AccessLogSubject.objects.filter(person_id__in=group).values("entry_id"))
        return self.filter(id__in=parts[0].union(*parts[1:], all=True))


# How the kinds of record read in the log review; a kind not listed is shown as stored.
RECORD_TYPE_LABELS = {
    "person": _("Personal details"),
    "contact": _("Network contact"),
    "attachment": _("Attachment"),
    "intake": _("Intake"),
    "intake_note": _("Intake note"),
    "talk": _("Assessment talk"),
    "referral": _("Referral"),
    "mapping": _("Mapping"),
    "mapping_session": _("Mapping session"),
    "need": _("Need"),
    "application": _("Application"),
    "decision": _("Decision"),
    "decision_letter": _("Decision letter"),
    "letter_delivery": _("Sending of the decision letter"),
    "appeal": _("Appeal"),
    "order": _("Order"),
    "assignment": _("Assignment"),
    "case": _("Case"),
    "plan": _("Implementation plan"),
    "goal": _("Goal"),
    "goal_review": _("Goal review"),
    "visit": _("Visit"),
    "visits": _("Visits"),
    "homework": _("Homework"),
    "journal": _("Journal"),
    "journal_note": _("Journal note"),
    "objection": _("Objection"),
    "group_participant": _("Group participant"),
    "group_attendance": _("Group attendance"),
    "closure": _("Closure"),
    "follow_up": _("Follow-up"),
    "access_log": _("Access log"),
    "instrument_response": _("Self-rating"),
    "home_link": _("Self-rating link"),
    "risk_alert": _("Risk alert"),
    "timeline": _("Timeline"),
    "register_extract": _("Register extract"),
    "retention_exception": _("Exception from culling"),
    "retention_status": _("Culling status"),
    "access_log_cull": _("Culling of the access log"),
    # One entry per imported person (audit.events.one_entry_per_person): what the line made.
    "history_import": _("Import from an earlier system"),
}


class AccessLogEntry(AppendOnly):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Found through accesslog_user_at_idx, which leads with it: an index of its own was
        # one more to write for every entry (bench/README.md, the history import, 7 Dec).
        db_index=False,
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    # Plain values, not foreign keys: the log outlives merges and culling of what it points to.
    person_id = models.UUIDField(_("person"), null=True, db_index=True)
    record_type = models.CharField(_("record"), max_length=50)
    record_id = models.CharField(_("record id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Only a reason a person gave (why they opened a record outside their cases, for instance).
    reason = models.TextField(_("reason"), blank=True)
    # What the system records about the access itself: a step, the fields changed, a rule.
    detail = models.TextField(_("detail"), blank=True)
    prev_hash = models.CharField(max_length=64)
    # Unique through Meta.constraints: `unique=True` also made a LIKE index on PostgreSQL
    # (varchar_pattern_ops), never used for a hash, one more index written per entry.
    entry_hash = models.CharField(max_length=64)
    # Which of BRYGGA_ACCESS_LOG_KEYS keyed the hash; empty (NULL) on entries written before keys.
    key_id = models.CharField(_("key"), max_length=20, null=True, blank=True)
    # Which chain the entry links into (one head each, so that writers rarely wait on each other).
    chain = models.PositiveSmallIntegerField(_("chain"), default=0, db_default=0)

    objects = AccessLogQuerySet.as_manager()

    # The people a list entry names (its AccessLogSubject rows, by id as text, sorted); empty for
    # an entry about one person (person_id). Set when written; loaded for many entries at once by
    # `attach_people`, else read on first use.
    _people: tuple[str, ...] | None = None

    class Meta:
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access-log entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="accesslog_user_at_idx"),
            models.Index(fields=["chain", "id"], name="accesslog_chain_id_idx"),
        ]
        constraints = [
            # The name of the constraint `unique=True` made before: the same index is kept.
            models.UniqueConstraint(
                fields=["entry_hash"], name="audit_accesslogentry_entry_hash_key"
            ),
        ]
        # Django's internal manager would otherwise be a plain one that updates and deletes.
        base_manager_name = "objects"

    def __str__(self) -> str:
        at = datetime_text(self.at, seconds=True)
        return f"{at} {self.username} {self.action} {self.record_type}"

    @property
    def record_type_label(self) -> str:
        return str(RECORD_TYPE_LABELS.get(self.record_type, self.record_type))

    @property
    def people(self) -> tuple[str, ...]:
        if self._people is None:
            self._people = (
                tuple(sorted(str(p) for p in self.subjects.values_list("person_id", flat=True)))
                if self.pk is not None
                else ()
            )
        return self._people

    @people.setter
    def people(self, value) -> None:
        self._people = named_people(value)

    def compute_hash(self) -> str | None:
        """The entry's hash; None when its key is not configured (it then cannot verify)."""
        if self.key_id is None:
            return chain_hash(self.prev_hash, self.payload())
        key = access_log_key(self.key_id)
        if key is None:
            return None
        return chain_hash(self.prev_hash, self.payload(), key)

    def payload(self) -> dict:
        return entry_payload(
            at=self.at.astimezone(datetime.UTC).isoformat(),
            user_id=self.user_id,
            username=self.username,
            person_id=self.person_id,
            record_type=self.record_type,
            record_id=self.record_id,
            action=self.action,
            reason=self.reason,
            detail=self.detail,
            key_id=self.key_id,
            chain=self.chain,
            people=self.people,
        )


def named_people(people) -> tuple[str, ...]:
    """The people a list entry names as its hash covers them: each id once, as text, sorted."""
    return tuple(sorted({str(p) for p in people}))


def entry_payload(
    *,
    at: str,
    user_id,
    username: str,
    person_id,
    record_type: str,
    record_id: str,
    action: str,
    reason: str,
    detail: str,
    key_id: str | None,
    chain: int,
    people: tuple = (),
) -> dict:
    """What an entry's hash covers: the one home of its shape, for an entry (`payload`) and for
    the rows `audit.events` writes in bulk without making an entry of each."""
    return {
        # Always written in UTC, so the hash holds whatever time zone the value came in.
        "at": at,
        "user": user_id,
        "username": username,
        "person": str(person_id) if person_id else "",
        "record_type": record_type,
        "record_id": record_id,
        "action": action,
        "reason": reason,
        # Added later: left out when empty, so entries written before keep their hashes.
        **({"detail": detail} if detail else {}),
        # The key's id is covered too; entries without one hash as they always did.
        **({"key": key_id} if key_id is not None else {}),
        # Chain 0 (the one chain of before) is left out, so its entries keep their hashes.
        **({"chain": chain} if chain else {}),
        # The people a list names: removing, adding or changing one breaks the chain.
        **({"people": list(people)} if people else {}),
    }


def payload_texts(*, at: str, key_id: str | None, chain: int) -> Callable[..., str]:
    """`canonical_payload(entry_payload(...))` for entries naming no list of people, made
    straight as text for many entries of one time, key and chain (the history import's batches:
    a hundred thousand entries; the same text, `tests/test_access_log_bulk.py`). The function
    returned takes the other fields of `entry_payload` by position: user_id, username,
    person_id, record_type, record_id, action, reason, detail. Keys in sorted order, as
    `_canonical` writes them."""
    text = json.encoder.encode_basestring  # the strings of ensure_ascii=False
    at_part = ',"at":' + text(at)
    chain_part = f',"chain":{_canonical(chain)}' if chain else ""
    key_part = ',"key":' + text(key_id) if key_id is not None else ""
    users: dict = {}

    def payload_text(user_id, username, person_id, record_type, record_id, action, reason, detail):
        user_part = users.get((user_id, username))
        if user_part is None:
            user_part = f',"user":{_canonical(user_id)},"username":{text(username)}}}'
            users[(user_id, username)] = user_part
        return "".join(
            (
                '{"action":',
                text(action),
                at_part,
                chain_part,
                ',"detail":' + text(detail) if detail else "",
                key_part,
                ',"person":',
                text(str(person_id) if person_id else ""),
                ',"reason":',
                text(reason),
                ',"record_id":',
                text(record_id),
                ',"record_type":',
                text(record_type),
                user_part,
            )
        )

    return payload_text


class AccessLogSubject(AppendOnly):
    """One person named by a list entry: a list page writes one entry naming everyone it shows,
    not one entry per person (docs/access-log.md). Covered by the entry's hash."""

    pk = models.CompositePrimaryKey("entry_id", "person_id")
    # The primary key's index (entry first) finds an entry's people; no index of its own.
    entry = models.ForeignKey(
        AccessLogEntry, on_delete=models.PROTECT, related_name="subjects", db_index=False
    )
    # A plain value, as the entry's person_id: the log outlives merges and culling.
    person_id = models.UUIDField(_("person"))

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("person named in an access-log entry")
        verbose_name_plural = _("people named in access-log entries")
        indexes = [models.Index(fields=["person_id", "entry"], name="accesslog_subject_person_idx")]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.entry_id} {self.person_id}"


def attach_people(entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """Load the people named by each of `entries` in one query (verification, the log review)."""
    named: dict[int, list[str]] = {}
    rows = AccessLogSubject.objects.filter(entry_id__in=[e.pk for e in entries])
    for entry_id, person_id in rows.values_list("entry_id", "person_id"):
        named.setdefault(entry_id, []).append(str(person_id))
    for entry in entries:
        entry.people = named.get(entry.pk, ())
    return entries


def chain_hash(prev_hash: str, payload: dict, key: bytes | None = None) -> str:
    """HMAC-SHA256 with the key; plain SHA-256 only for entries written before keys."""
    if key is None:
        return hashlib.sha256(_message(prev_hash, payload)).hexdigest()
    return hmac.new(key, _message(prev_hash, payload), hashlib.sha256).hexdigest()


def canonical_payload(payload: dict) -> str:
    """The text of a payload a hash covers, after the previous hash (`_message`)."""
    return _canonical(payload)


def keyed_text_hasher(key: bytes) -> Callable[[str, str], str]:
    """`keyed_hasher` for a payload already made text (`canonical_payload`): the same hashes."""
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def hashed(prev_hash: str, canonical: str) -> str:
        mac = keyed.copy()
        mac.update(_text_message(prev_hash, canonical))
        return mac.hexdigest()

    return hashed


def keyed_hasher(key: bytes) -> Callable[[str, dict], str]:
    """`chain_hash` with `key`, keyed once for many entries (the HMAC's key set-up is not
    repeated per entry): the same hashes."""
    hashed = keyed_text_hasher(key)
    return lambda prev_hash, payload: hashed(prev_hash, _canonical(payload))


# What `json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))` makes,
# with the encoder made once: json.dumps makes one per call when given options, a third of the
# time of hashing an import's hundred thousand entries.
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _message(prev_hash: str, payload: dict) -> bytes:
    return _text_message(prev_hash, _canonical(payload))


def _text_message(prev_hash: str, canonical: str) -> bytes:
    return f"{prev_hash}|{canonical}".encode()


def current_key() -> tuple[str, bytes]:
    """(id, key): the first of BRYGGA_ACCESS_LOG_KEYS keys new entries; the others only verify."""
    return next(iter(settings.BRYGGA_ACCESS_LOG_KEYS.items()))


def access_log_key(key_id: str) -> bytes | None:
    return settings.BRYGGA_ACCESS_LOG_KEYS.get(key_id)


class ChainHead(models.Model):
    """The newest hash of one chain (its id is the chain's number). Locking it serialises the
    writers of that chain on PostgreSQL; a writer takes a chain nobody holds (audit.events)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("access-log chain head")

    def __str__(self) -> str:
        return self.last_hash


class VerifiedUpTo(models.Model):
    """A point up to which `verify_access_log` found the chain whole, sealed with an HMAC under
    the access-log key, so that someone who can only write to the database cannot forge one.

    The daily check verifies from the newest checkpoint whose seal holds and whose entry is still
    in the log with the same hash, so it reads only what is new; a full verification from the
    start runs weekly and on demand (docs/access-log.md).
    """

    id = models.BigAutoField(primary_key=True)
    chain = models.PositiveSmallIntegerField(_("chain"), default=0, db_default=0)
    entry_id = models.BigIntegerField(_("verified up to entry"))
    entry_hash = models.CharField(max_length=64)
    keyed = models.BooleanField(default=False)
    full = models.BooleanField(_("verified from the start"), default=False)
    at = models.DateTimeField(_("verified"))
    key_id = models.CharField(max_length=20)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("access-log verification")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {datetime_text(self.at, seconds=True)}"

    def fields(self) -> dict:
        return {
            "entry_id": self.entry_id,
            "entry_hash": self.entry_hash,
            "keyed": self.keyed,
            "full": self.full,
            "at": self.at.astimezone(datetime.UTC).isoformat(),
            "key": self.key_id,
            # Chain 0 left out, so checkpoints sealed before chains keep their seals.
            **({"chain": self.chain} if self.chain else {}),
        }

    # The entries' own keyed hash, with a label of its own in place of a previous hash, so that
    # a checkpoint's seal can never pass for an entry's hash or the other way round.
    SEAL_LABEL = "verified"

    def seal(self) -> None:
        self.key_id, key = current_key()
        self.mac = chain_hash(self.SEAL_LABEL, self.fields(), key)

    def sealed(self) -> bool:
        key = access_log_key(self.key_id)
        if key is None:
            return False
        return hmac.compare_digest(chain_hash(self.SEAL_LABEL, self.fields(), key), self.mac)
