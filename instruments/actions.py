"""Instrument actions: start a response, save answers, send and use a home link, act on a risk.

Each takes the acting user (None for the person answering through a home link), runs in one
transaction and writes its access-log entry inside it.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import log_access
from audit.models import Action
from instruments import definitions, scoring
from instruments.models import (
    Channel,
    HomeLink,
    InstrumentText,
    Response,
    ResponseStatus,
    RiskAlert,
    hash_token,
)
from organisation.permissions import may_change_record, require
from people.access import access_level
from people.models import Case, CaseStatus, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

    from instruments.definitions import Definition
    from mapping.models import MappingSession

LINK_DAYS_DEFAULT = 14
LINK_DAYS_MAX = 60


def _log(
    user: User | None, response: Response, action: str, record_type: str = "instrument_response"
) -> None:
    log_access(
        user=user,
        person=response.person_id,
        action=action,
        record_type=record_type,
        record_id=response.pk,
    )


def definition_for(code: str, version: str | None = None) -> definitions.Definition:
    """The definition with the licensed texts the administrator has loaded laid over it."""
    defn = definitions.load(code, version)
    texts = InstrumentText.objects.filter(code=defn.code, version__in=["", defn.version])
    # A text for this very version wins over one for every version.
    overlay = {t.item_id: t.text for t in sorted(texts, key=lambda t: t.version)}
    known = {item.id for item in defn.all_items()}
    overlay = {key: text for key, text in overlay.items() if key in known}
    return defn.with_text(overlay) if overlay else defn


def age_on(person: Person, day: datetime.date) -> int | None:
    born = person.birth_date
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def score_for(defn: Definition, answers: dict, person: Person, day: datetime.date) -> scoring.Score:
    # Person.sex is "F", "M" or "X": with "X" the engine returns every sex-specific cut-off.
    return scoring.score(defn, answers, sex=person.sex or None, age=age_on(person, day))


def snapshot(score: scoring.Score) -> dict:
    """The whole Score as JSON, as it was computed: never recomputed from a newer definition."""
    if hasattr(score, "as_dict"):
        return _jsonable(score.as_dict())
    return _jsonable(dataclasses.asdict(score))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _require_rating_work(user: User, person: Person) -> None:
    """Staff enter ratings, send links and act on alerts for people whose record they may change
    (whatever the entry point: page, API, FHIR import)."""
    require(
        may_change_record(access_level(user, person)),
        _("You may not change this person's ratings."),
    )


def _open_case(person: Person) -> Case | None:
    return person.cases.filter(status=CaseStatus.OPEN).order_by("-opened_on").first()


@transaction.atomic
def start_response(
    *,
    user: User,
    person: Person,
    code: str,
    occasion: str,
    administered_on: datetime.date,
    channel: str = Channel.STAFF,
    mapping_session: MappingSession | None = None,
    # delivery's Visit and provision's FollowUp: layers above, so not named here
    visit: Any = None,
    follow_up: Any = None,
    version: str | None = None,
) -> Response:
    _require_rating_work(user, person)
    # version None = the newest; a FHIR import names the version its answers were given to.
    defn = definitions.load(code, version)
    response = Response.objects.create(
        person=person,
        case=_open_case(person),
        code=defn.code,
        version=defn.version,
        occasion=occasion,
        administered_on=administered_on,
        channel=channel,
        mapping_session=mapping_session,
        visit=visit,
        follow_up=follow_up,
        created_by=user,
    )
    _log(user, response, Action.CREATE)
    return response


def clean_answers(defn: Definition, answers: dict) -> dict:
    """Only known answerable items, no empty values: an unanswered item is absent."""
    known = {item.id for item in defn.answerable_items()}
    return {k: v for k, v in answers.items() if k in known and v not in (None, "")}


@transaction.atomic
def save_answers(
    *,
    user: User | None,
    response: Response,
    answers: dict,
    complete: bool,
    all_required: bool = False,
) -> Response:
    """Save a draft, or complete: validate, score, snapshot, raise risk alerts at once.

    `user` None is the person themselves, through a home link (`answer_by_link` checks it).
    `all_required`: an import (the API, a FHIR response) may only complete a rating whose
    required items are all answered; on the page, staff may complete a form the person left
    partly blank, and the total is then not computable."""
    if user is not None:
        _require_rating_work(user, response.person)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_complete:
        raise ValidationError(_("This rating has already been completed and cannot be changed."))
    defn = definitions.load(response.code, response.version)
    answers = clean_answers(defn, answers)
    errors = scoring.validate_answers(defn, answers)
    if errors:
        raise ValidationError({item_id: [message] for item_id, message in errors.items()})
    if complete and all_required:
        _require_all_answered(defn, answers)
    response.answers = answers
    if complete:
        _complete(response, defn)
    response.save()
    _log(user, response, Action.UPDATE)
    return response


def _require_all_answered(defn: Definition, answers: dict) -> None:
    missing = scoring.unanswered_required(defn, answers)
    if missing:
        raise ValidationError(
            {
                item.id: [
                    _("Question %(item)s (%(label)s) is required: it is not answered.")
                    % {"item": item.id, "label": item.label}
                ]
                for item in missing
            }
        )


def _complete(response: Response, defn: Definition) -> None:
    person = response.person
    result = score_for(defn, response.answers, person, response.administered_on)
    response.status = ResponseStatus.COMPLETE
    response.completed_at = timezone.now()
    response.computable = bool(result.computable)
    response.total = result.total if result.computable else None
    response.band_code = result.band.code if result.band is not None else ""
    response.score = snapshot(result)
    response.save()
    RiskAlert.objects.bulk_create(
        [
            RiskAlert(
                response=response,
                person_id=response.person_id,
                flag_code=flag.code,
                label=flag.label[:300],
                item_id=flag.item_id or "",
            )
            for flag in result.flags
            if flag.risk
        ]
    )


# -- home links ------------------------------------------------------------------------------


def home_link_definitions() -> list[Definition]:
    """The instruments a home link may be sent for: the latest of each that the rule allows."""
    return [d for d in definitions.latest_all() if electronic_use_refusal(d) is None]


def electronic_use_refusal(defn: Definition) -> str | None:
    """Why a home link may not be sent for this instrument, or None when it may."""
    if defn.licence.electronic_use:
        return None
    return _(
        "%(title)s cannot be sent as a link: its licence does not record permission for "
        "electronic use. Fill it in on paper together with the person and enter the answers."
    ) % {"title": defn.title}


@transaction.atomic
def send_home_link(
    *,
    user: User,
    person: Person,
    code: str,
    occasion: str,
    days: int = LINK_DAYS_DEFAULT,
    **links: Any,
) -> tuple[HomeLink, str]:
    """A draft response and a one-time link to it; the token is returned once, kept hashed."""
    _require_rating_work(user, person)
    defn = definitions.load(code)
    refusal = electronic_use_refusal(defn)
    if refusal:
        raise ValidationError({"code": [refusal]})
    if not 1 <= days <= LINK_DAYS_MAX:
        raise ValidationError(
            {"days": [_("Choose between 1 and %(max)s days.") % {"max": LINK_DAYS_MAX}]}
        )
    response = start_response(
        user=user,
        person=person,
        code=code,
        occasion=occasion,
        administered_on=timezone.localdate(),
        channel=Channel.HOME,
        **links,
    )
    token = secrets.token_urlsafe(32)
    link = HomeLink.objects.create(
        response=response,
        token_hash=hash_token(token),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        created_by=user,
    )
    log_access(
        user=user,
        person=person,
        action=Action.CREATE,
        record_type="home_link",
        record_id=link.pk,
    )
    return link, token


def link_for_token(token: str) -> HomeLink | None:
    """The link a token opens, whatever its state; None for a token that never existed."""
    if not token or len(token) > 200:
        return None
    return (
        HomeLink.objects.select_related("response__person")
        .filter(token_hash=hash_token(token))
        .first()
    )


def log_link_use(link: HomeLink, action: str) -> None:
    """Every use of a link enters the access log, without a user: it is the person."""
    log_access(
        user=None,
        person=link.response.person_id,
        action=action,
        record_type="home_link",
        record_id=link.pk,
    )


@transaction.atomic
def open_link(link: HomeLink) -> None:
    if link.first_opened_at is None:
        HomeLink.objects.filter(pk=link.pk).update(first_opened_at=timezone.now())
    log_link_use(link, Action.READ)


@transaction.atomic
def answer_by_link(*, link: HomeLink, answers: dict, submit: bool) -> Response:
    """Save progress or submit once; a used, withdrawn or expired link refuses."""
    locked = HomeLink.objects.select_for_update().get(pk=link.pk)
    if not locked.usable:
        raise LinkClosed
    response = save_answers(user=None, response=locked.response, answers=answers, complete=submit)
    if submit:
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at"])
    log_link_use(locked, Action.UPDATE)
    return response


class LinkClosed(Exception):
    """The link was used, withdrawn or has expired."""


@transaction.atomic
def revoke_link(*, user: User, link: HomeLink) -> None:
    _require_rating_work(user, link.response.person)
    if link.submitted_at is None and link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        log_access(
            user=user,
            person=link.response.person_id,
            action=Action.UPDATE,
            record_type="home_link",
            record_id=link.pk,
        )


def link_url(request: HttpRequest, token: str) -> str:
    path = f"/skatta/{token}/"
    base = getattr(settings, "BRYGGA_PUBLIC_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


# -- risk alerts -----------------------------------------------------------------------------


@transaction.atomic
def resolve_alert(*, user: User, alert: RiskAlert, action_taken: str) -> RiskAlert:
    _require_rating_work(user, alert.person)
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": [_("Write what was done.")]})
    alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise ValidationError(_("What was done has already been recorded for this alert."))
    alert.action_taken = action_taken
    alert.resolved_by = user
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["action_taken", "resolved_by", "resolved_at"])
    log_access(
        user=user,
        person=alert.person_id,
        action=Action.UPDATE,
        record_type="risk_alert",
        record_id=alert.pk,
    )
    return alert


# -- licensed texts --------------------------------------------------------------------------


@transaction.atomic
def load_texts(*, code: str, version: str, texts: dict[str, str]) -> int:
    """Store licensed item texts for an instrument; ValueError naming unknown items."""
    targets = [definitions.load(code, version or None)]
    if not version:
        targets = [definitions.load(code, v) for v in definitions.versions(code)]
    known = set().union(*({i.id for i in d.all_items()} for d in targets))
    unknown = sorted(set(texts) - known)
    if unknown:
        raise ValueError(f"unknown item ids for {code}: {', '.join(unknown)}")
    for item_id, text in texts.items():
        InstrumentText.objects.update_or_create(
            code=code, version=version or "", item_id=item_id, defaults={"text": text.strip()}
        )
    return len(texts)
