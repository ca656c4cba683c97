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


@dataclasses.dataclass(frozen=True)
class Wording:
    """A definition with the published texts the administrator has loaded laid over it, and
    whether those texts are complete enough to show the form to a person."""

    definition: Definition
    missing: tuple[str, ...]  # what the published form has that is not loaded, in words
    sources: tuple[str, ...]  # where the loaded texts come from, as recorded when loaded
    demo: bool  # some loaded text is the demo's own wording, not the published form

    @property
    def complete(self) -> bool:
        return not self.missing


def _text_rows(defns: list[Definition]) -> list[InstrumentText]:
    if not defns:
        return []
    return list(InstrumentText.objects.filter(code__in={d.code for d in defns}))


def _wording(defn: Definition, rows: list[InstrumentText]) -> Wording:
    # A text for this very version wins over one for every version.
    mine = sorted(
        (r for r in rows if r.code == defn.code and r.version in ("", defn.version)),
        key=lambda r: r.version,
    )
    items = {item.id: item for item in defn.all_items()}
    texts: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    intro = None
    used: list[InstrumentText] = []
    for row in mine:
        if row.item_id == InstrumentText.INTRO:
            intro = row.text
        elif row.item_id not in items:
            continue
        elif row.option_value:
            if items[row.item_id].option(row.option_value) is None:
                continue
            options.setdefault(row.item_id, {})[row.option_value] = row.text
        else:
            texts[row.item_id] = row.text
        used.append(row)
    shown = defn.with_text(texts, options, intro) if used else defn
    missing: list[str] = []
    if defn.wording != "published":
        for item_id, value in defn.required_texts():
            if value is None and item_id not in texts:
                missing.append(_("the text of question %(item)s") % {"item": item_id})
            elif value is not None and value not in options.get(item_id, {}):
                missing.append(
                    _("answer %(value)s of question %(item)s") % {"item": item_id, "value": value}
                )
    return Wording(
        definition=shown,
        missing=tuple(missing),
        sources=tuple(dict.fromkeys(r.source for r in used if r.source)),
        demo=any(r.demo for r in used),
    )


def wording_for(code: str, version: str | None = None) -> Wording:
    """The definition with its loaded published texts, and whether they are complete."""
    defn = definitions.load(code, version)
    return _wording(defn, _text_rows([defn]))


def definition_for(code: str, version: str | None = None) -> definitions.Definition:
    """The definition with the licensed texts the administrator has loaded laid over it."""
    return wording_for(code, version).definition


def text_refusal(wording: Wording) -> str | None:
    """Why the form may not be shown to a person (home link, or on screen), or None."""
    if wording.complete:
        return None
    missing = wording.missing
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    return _(
        "%(title)s cannot be shown to the person: a self-rating is valid only in its published "
        "wording, and the published text of the form has not been loaded in full (missing: "
        "%(missing)s). An administrator loads it from the rights holder's form (the command "
        "load_instrument_texts); until then, fill in the paper form together with the person "
        "and enter the answers."
    ) % {"title": wording.definition.title, "missing": shown}


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
    return [d for d, refusal in home_link_refusals() if refusal is None]


def home_link_refusals() -> list[tuple[Definition, str | None]]:
    """Each instrument's latest definition and why a home link may not be sent for it (None:
    it may). One query for the loaded texts of them all."""
    latest = definitions.latest_all()
    rows = _text_rows(latest)
    return [(defn, home_link_refusal(defn, _wording(defn, rows))) for defn in latest]


def home_link_refusal(defn: Definition, wording: Wording | None = None) -> str | None:
    """The one rule for sending a form to be answered at home: the licence permits electronic
    use, and the person will see the published wording in full."""
    return electronic_use_refusal(defn) or text_refusal(wording or wording_for(defn.code))


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
    refusal = home_link_refusal(defn)
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
def load_texts(
    *,
    code: str,
    version: str,
    texts: dict[str, object],
    source: str,
    intro: str | None = None,
    demo: bool = False,
) -> int:
    """Store a form's published texts: {item id: text} or {item id: {"text": ..., "options":
    {value: description}}}, and the instructions. `source` names the form and version they
    were taken from. ValueError naming what is unknown; nothing is stored then."""
    source = (source or "").strip()
    if not source:
        raise ValueError('name the source of the texts (publisher, form and version) in "source"')
    targets = [definitions.load(code, version or None)]
    if not version:
        targets = [definitions.load(code, v) for v in definitions.versions(code)]
    items = {i.id: i for d in targets for i in d.all_items()}
    unknown = sorted(set(texts) - set(items))
    if unknown:
        raise ValueError(f"unknown item ids for {code}: {', '.join(unknown)}")
    rows: list[tuple[str, str, str]] = []
    for item_id, value in texts.items():
        if isinstance(value, str):
            value = {"text": value}
        if not isinstance(value, dict):
            raise ValueError(f"item {item_id}: give a text or an object with text and options")
        if value.get("text"):
            rows.append((item_id, "", str(value["text"])))
        described = value.get("options") or {}
        if not isinstance(described, dict):
            raise ValueError(f"item {item_id}: options must be an object {{value: text}}")
        known = {str(o.value) for d in targets if (it := d.item(item_id)) for o in it.options}
        bad = sorted(set(map(str, described)) - known)
        if bad:
            raise ValueError(f"item {item_id}: unknown option values {', '.join(bad)}")
        rows += [(item_id, str(v), str(t)) for v, t in described.items()]
    if intro:
        rows.append((InstrumentText.INTRO, "", intro))
    for item_id, option_value, text in rows:
        InstrumentText.objects.update_or_create(
            code=code,
            version=version or "",
            item_id=item_id,
            option_value=option_value,
            defaults={"text": text.strip(), "source": source[:300], "demo": demo},
        )
    return len(rows)


def load_text_file(data: object) -> tuple[int, list[str]]:
    """Load a texts file's blocks (all or nothing; the format in the command
    load_instrument_texts): the count and a line per form still incomplete."""
    blocks = data if isinstance(data, list) else [data]
    total = 0
    codes: list[tuple[str, str]] = []
    with transaction.atomic():
        for block in blocks:
            if not isinstance(block, dict) or not isinstance(block.get("items"), dict):
                raise ValueError('Each block needs "code", "source" and an "items" object.')
            code, version = str(block.get("code", "")), str(block.get("version", "") or "")
            try:
                total += load_texts(
                    code=code,
                    version=version,
                    texts=block["items"],
                    source=str(block.get("source", "")),
                    intro=block.get("intro") or None,
                    demo=bool(block.get("demo", False)),
                )
            except definitions.UnknownDefinition as error:
                raise ValueError(f"unknown instrument {error}") from None
            codes.append((code, version))
    incomplete = []
    for code, version in codes:
        wording = wording_for(code, version or None)
        if not wording.complete:
            incomplete.append(
                f"{wording.definition.key}: not complete, cannot be sent as a link yet "
                f"(missing {len(wording.missing)} texts)"
            )
    return total, incomplete
