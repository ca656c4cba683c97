"""Journal notes: read the journal, write drafts, edit one's own draft, sign it.

Through delivery's actions, so a signed note stays immutable: a change to it is refused (409,
saying so); a correction is a new note. Drafts are the author's: nobody else reads them.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from api.common import load_person, opened_at, valid, version_of
from api.errors import responses
from audit.events import Access, log_accesses
from delivery import actions
from delivery.access import is_own_draft
from delivery.forms import NoteForm
from delivery.models import Note, SignedNoteError
from organisation.models import CASE_ROLES
from organisation.permissions import PROVIDER_ROLES, may_do_provider_work

router = Router(tags=["journal notes"])


class NoteOut(Schema):
    id: uuid.UUID
    version: str = Field(description="Send it back when editing or signing: stale gives 409.")
    person_id: uuid.UUID
    happened_on: datetime.date
    text: str
    visit_id: uuid.UUID | None
    corrects_id: uuid.UUID | None
    written_by: str
    signed: bool
    signed_at: datetime.datetime | None


class NoteIn(Schema):
    happened_on: datetime.date
    text: str
    visit: uuid.UUID | None = None


class NoteUpdate(NoteIn):
    version: str


class SignIn(Schema):
    version: str


def note_out(note: Note) -> dict:
    return {
        **{
            n: getattr(note, n)
            for n in NoteOut.model_fields
            if n not in ("version", "written_by", "signed")
        },
        "version": version_of(note),
        "written_by": note.written_by.get_full_name() or note.written_by.get_username(),
        "signed": note.is_signed,
    }


NOTES = Note.objects.select_related("written_by")


def _load(request, note_id, *, write=False):
    """The note through its person; another user's draft is not known to exist. The author's
    own draft opens for them also after the person's case moved on (`delivery.access`)."""
    note = get_object_or_404(NOTES.select_related("person"), pk=note_id)
    if is_own_draft(request.user, note):
        return note, note.person
    roles = PROVIDER_ROLES if write else CASE_ROLES
    person, level = load_person(request, note.person_id, roles=roles)
    if not write and not note.is_signed and note.written_by_id != request.user.pk:
        raise Http404
    if write and not may_do_provider_work(request.user, level):
        raise PermissionDenied
    return note, person


def _signed() -> str:
    return _("The note is signed and can no longer be changed: a correction is a new note.")


def _own_draft(request, note: Note) -> None:
    """A signed note conflicts with any change (409, saying how a mistake is corrected);
    another's draft is not the user's to change (403)."""
    if note.is_signed:
        raise HttpError(409, _signed())
    if note.written_by_id != request.user.pk:
        raise PermissionDenied(_("Only the author changes a draft; a signed note never changes."))


@router.get(
    "/people/{person_id}/notes",
    response=responses({200: list[NoteOut]}),
    summary="A person's journal: signed notes and your own drafts",
)
def journal(request, person_id: uuid.UUID):
    person, _level = load_person(request, person_id)
    notes = [
        n
        for n in NOTES.filter(person=person).order_by("happened_on", "created_at")
        if n.is_signed or n.written_by_id == request.user.pk
    ]
    log_accesses(
        user=request.user,
        accesses=[Access(person.pk, "journal", person.pk)]
        + [Access(person.pk, "journal_note", n.pk) for n in notes],
    )
    return [note_out(n) for n in notes]


@router.post(
    "/people/{person_id}/notes",
    response=responses({201: NoteOut}),
    summary="Write a draft journal note",
)
def create(request, person_id: uuid.UUID, payload: NoteIn):
    person, level = load_person(request, person_id, roles=PROVIDER_ROLES)
    if not may_do_provider_work(request.user, level):
        raise PermissionDenied
    data = valid(NoteForm(payload.dict(), person=person))
    note = actions.create_note(user=request.user, person=person, **data)
    return Status(201, note_out(NOTES.get(pk=note.pk)))


@router.get("/notes/{note_id}", response=responses({200: NoteOut}), summary="A note")
def read(request, note_id: uuid.UUID):
    note, person = _load(request, note_id)
    log_accesses(user=request.user, accesses=[Access(person.pk, "journal_note", note.pk)])
    return note_out(note)


@router.put(
    "/notes/{note_id}",
    response=responses({200: NoteOut}, 409),
    summary="Edit your own draft",
)
def update(request, note_id: uuid.UUID, payload: NoteUpdate):
    note, person = _load(request, note_id, write=True)
    _own_draft(request, note)
    data = valid(NoteForm(payload.dict(exclude={"version"}), person=person))
    try:
        note = actions.update_note(
            user=request.user, note=note, opened=opened_at(payload.version), **data
        )
    except SignedNoteError as error:
        raise HttpError(409, _signed()) from error
    return note_out(NOTES.get(pk=note.pk))


@router.post(
    "/notes/{note_id}/sign",
    response=responses({200: NoteOut}, 409),
    summary="Sign your own draft; it never changes again",
)
def sign(request, note_id: uuid.UUID, payload: SignIn):
    note, _person = _load(request, note_id, write=True)
    _own_draft(request, note)
    try:
        note = actions.sign_note(user=request.user, note=note, opened=opened_at(payload.version))
    except SignedNoteError as error:
        raise HttpError(409, _signed()) from error
    return note_out(NOTES.get(pk=note.pk))
