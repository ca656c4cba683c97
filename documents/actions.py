"""Attaching a document: the content is checked (type by its bytes, size) and stored, and the
upload is logged, in one transaction."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from audit.events import log_access
from audit.models import Action
from documents.filetypes import FileType, detect, safe_filename
from documents.models import Attachment, AttachmentKind
from organisation.permissions import may_change_record, require
from people.access import access_level
from people.models import Case, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "BRYGGA_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def too_large_message() -> str:
    return _("The file is larger than %(limit)s, the most a document may be.") % {
        "limit": filesizeformat(max_bytes())
    }


def check_content(content: bytes) -> FileType:
    """The content's type, or a ValidationError saying why the file cannot be attached."""
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    if len(content) > max_bytes():
        raise ValidationError({"file": [too_large_message()]})
    filetype = detect(content)
    if filetype is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only PDF files and PNG, JPEG or TIFF images can be attached. This file "
                        "is none of them, whatever its name says."
                    )
                ]
            }
        )
    return filetype


@transaction.atomic
def add_attachment(
    *,
    user: User,
    person: Person,
    case: Case | None,
    title: str,
    kind: str,
    filename: str,
    content: bytes,
) -> Attachment:
    require(
        may_change_record(access_level(user, person)),
        _("You may not add documents to this person's record."),
    )
    filetype = check_content(content)
    errors = {}
    if case is not None and case.person_id != person.pk:
        errors["case"] = [_("The case belongs to another person.")]
    if kind not in AttachmentKind.values:
        errors["kind"] = [_("Choose what kind of document this is.")]
    if errors:
        raise ValidationError(errors)
    filename = safe_filename(filename, filetype)
    attachment = Attachment.objects.create(
        person=person,
        case=case,
        title=(title or "").strip()[:200] or filename[:200],
        kind=kind,
        content=content,
        filename=filename,
        content_type=filetype.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    log_access(
        user=user,
        person=person,
        action=Action.CREATE,
        record_type="attachment",
        record_id=attachment.pk,
    )
    return attachment
