"""Who may open a journal note's pages: its person's access, and the author's own draft.

Only the author signs a note. When the person's case moves to another coordinator, the author's
unsigned notes stay theirs to finish (edit, sign or remove), so the link on their start page never
leads to a page they may not use (`organisation.permissions.may_finish_own_draft`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from delivery.models import Note
from organisation.permissions import Level, may_finish_own_draft
from people.access import access_level, get_person_for_user

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def is_own_draft(user: User, note: Note) -> bool:
    return not note.is_signed and may_finish_own_draft(
        user, is_author=note.written_by_id == user.pk
    )


def load_note(user: User, pk: Any, *, write: bool = False) -> tuple[Note, Level]:
    """The note and the user's level: its author's own draft opens for them whatever their access
    to the person is now; anything else follows the person (404, reason, 403)."""
    note = Note.objects.select_related("person", "written_by").filter(pk=pk).first()
    if note is None:
        raise Http404
    if is_own_draft(user, note):
        return note, Level.WRITE
    _person, level = get_person_for_user(user, note.person_id, write=write)
    return note, level


def may_read_person(user: User, note: Note) -> bool:
    """Does the user still read the note's person (the journal), without giving a reason?"""
    return access_level(user, note.person) >= Level.READ
