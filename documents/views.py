"""Upload and download of attachments. Need-to-know is the person's: loaded through
people.access, so whoever may not know the person exists gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from audit.events import log_access
from audit.models import Action
from documents import actions
from documents.forms import AttachmentForm
from documents.models import Attachment
from documents.uploads import CappedMemoryUploadHandler
from people.opening import person_view, record_view
from submissions import resend


@csrf_exempt
@resend.checked_in_view
def attachment_upload(request, pk):
    # The upload handler must be in place before anything reads the body, and the CSRF check
    # reads it; so CSRF is checked just below, once the handler is set.
    request.upload_handlers = [CappedMemoryUploadHandler(request, limit=actions.max_bytes())]
    return _attachment_upload(request, pk)


@csrf_protect
@person_view(write=True)
def _attachment_upload(request, person):
    posted = (request.POST, request.FILES) if request.method == "POST" else ()
    # The body is read only now (see above), so the resent-form check is made here.
    resent = resend.begin(request) if posted else None
    if resent is not None:
        return resent
    # Read only once the body has been parsed (just above), which is when the handler knows.
    too_large = any(getattr(handler, "too_large", False) for handler in request.upload_handlers)
    form = AttachmentForm(
        *posted,
        person=person,
        too_large_message=actions.too_large_message() if too_large else None,
    )
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            actions.add_attachment(
                user=request.user,
                person=person,
                case=form.cleaned_data["case"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                filename=uploaded.name,
                content=uploaded.read(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The document has been attached."))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "documents/upload_form.html",
        {"form": form, "person": person, "max_bytes": actions.max_bytes()},
    )


# A function attribute, which mypy cannot type on a def.
attachment_upload.required_roles = _attachment_upload.required_roles  # type: ignore[attr-defined]


def _load_attachment(pk) -> tuple[Attachment, object]:
    attachment = Attachment.objects.without_content().filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment, attachment.person_id


@record_view(_load_attachment, record_type="attachment")  # logged as an export
def attachment_download(request, attachment, _person):
    pk = attachment.pk
    # Only now, with access settled, is the content itself read.
    content = bytes(Attachment.objects.values_list("content", flat=True).get(pk=pk))
    log_access(
        user=request.user,
        person=attachment.person_id,
        action=Action.EXPORT,
        record_type="attachment",
        record_id=attachment.pk,
    )
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.filename
    )
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    # Personal data: never kept by a browser or proxy cache; never run as a page if opened.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
