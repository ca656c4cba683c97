"""Attachments: what may be attached, how it is served, who may see it, and what is logged."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry, Action
from documents import actions
from documents.models import Attachment
from documents.uploads import CappedMemoryUploadHandler
from tests.factories import PNG_BYTES, AttachmentFactory, CaseFactory, PersonFactory
from tests.test_required_fields import read as read_forms

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TIFF_BYTES = b"II*\x00\x08\x00\x00\x00" + bytes(16)
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert('hej')</script></body></html>"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)

REFUSED_TYPE = "This file is none of them, whatever its name says."


def upload_url(person):
    return f"/dokument/{person.pk}/ny/"


def download_url(attachment):
    return f"/dokument/{attachment.pk}/"


def upload(client, person, name, content, content_type="application/pdf", **fields):
    data = {
        "file": SimpleUploadedFile(name, content, content_type=content_type),
        "title": "Ansökan",
        "kind": "application",
        **fields,
    }
    return client.post(upload_url(person), data)


def file_errors(response) -> list[str]:
    return response.context["form"].errors.get("file", [])


@pytest.fixture
def attachment(person, coordinator):
    return AttachmentFactory(person=person, case=person.cases.get(), uploaded_by=coordinator)


# What may be attached


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("ansokan.pdf", PDF_BYTES, "application/pdf"),
        ("samtycke.png", PNG_BYTES, "image/png"),
        ("brev.jpg", JPEG_BYTES, "image/jpeg"),
        ("skanning.tiff", TIFF_BYTES, "image/tiff"),
    ],
)
def test_pdf_and_images_are_attached_to_the_persons_record(
    login, officer, person, name, content, content_type
):
    response = upload(login(officer), person, name, content, case=person.cases.get().pk)

    assert response.status_code == 302
    assert response["Location"].split("?")[0] == f"/personer/{person.pk}/"
    attachment = Attachment.objects.get()
    assert bytes(attachment.content) == content
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (attachment.person, attachment.case, attachment.uploaded_by) == (
        person,
        person.cases.get(),
        officer,
    )


def test_a_png_named_pdf_is_accepted_as_the_png_it_is(login, officer, person):
    upload(login(officer), person, "skanning.pdf", PNG_BYTES, content_type="application/pdf")

    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.filename == "skanning.png"


@pytest.mark.parametrize(
    ("name", "content", "sent_as"),
    [
        ("ansokan.pdf", HTML_BYTES, "application/pdf"),
        ("ansokan.pdf", EXE_BYTES, "application/pdf"),
        ("program.exe", EXE_BYTES, "application/octet-stream"),
        ("bild.png", b"GIF89a\x01\x00\x01\x00", "image/png"),
        ("sida.html", HTML_BYTES, "text/html"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_with_a_message(
    login, officer, person, name, content, sent_as
):
    response = upload(login(officer), person, name, content, content_type=sent_as)

    assert response.status_code == 200
    assert len(file_errors(response)) == 1
    assert REFUSED_TYPE in file_errors(response)[0]
    assert REFUSED_TYPE in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused(login, officer, person):
    response = upload(login(officer), person, "tom.pdf", b"")

    assert file_errors(response) == ["The file is empty."]


def test_a_missing_file_is_refused(login, officer, person):
    response = login(officer).post(upload_url(person), {"title": "x", "kind": "other"})

    assert file_errors(response) == ["Choose the file to attach."]


def test_the_file_is_marked_as_required(login, officer, person):
    html = login(officer).get(upload_url(person)).content.decode()
    form = next(form for form in read_forms(html).forms if "file" in form.controls)
    assert form.has_marker("file") and form.has_required_attribute("file")
    assert not form.has_marker("title")  # the file name is used when it is empty


def test_the_size_limit_is_a_setting(login, officer, person, settings):
    settings.BRYGGA_ATTACHMENT_MAX_BYTES = 1000
    client = login(officer)

    at_limit = PDF_BYTES + b"%" * (1000 - len(PDF_BYTES))
    assert upload(client, person, "ok.pdf", at_limit).status_code == 302

    response = upload(client, person, "stor.pdf", at_limit + b"%")
    assert response.status_code == 200
    [message] = file_errors(response)
    assert message.startswith("The file is larger than 1000\xa0byte")
    assert message in response.content.decode()
    assert Attachment.objects.count() == 1


def test_the_default_limit_is_ten_megabytes(login, officer, person, settings):
    assert settings.BRYGGA_ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    client = login(officer)
    client.cookies["django_language"] = "en"

    response = upload(client, person, "stor.pdf", PDF_BYTES + bytes(10 * 1024 * 1024))

    assert file_errors(response) == [
        "The file is larger than 10.0\xa0MB, the most a document may be."
    ]
    assert not Attachment.objects.exists()


def test_an_oversized_upload_is_never_kept_in_full():
    """The handler drops the file as soon as the request's files pass the limit."""
    handler = CappedMemoryUploadHandler(limit=10)
    handler.new_file("file", "a.pdf", "application/pdf", 100)
    handler.receive_data_chunk(b"%PDF-1234", 0)

    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"56", 9)
    assert handler.too_large
    assert handler.buffer.getvalue() == b""


def test_a_case_of_another_person_is_refused(officer, person, org):
    other_case = CaseFactory(person=PersonFactory(), authority_unit=org["authority"])

    with pytest.raises(actions.ValidationError) as refused:
        actions.add_attachment(
            user=officer,
            person=person,
            case=other_case,
            title="x",
            kind="other",
            filename="a.pdf",
            content=PDF_BYTES,
        )
    assert "case" in refused.value.message_dict


def test_the_title_defaults_to_the_file_name(login, officer, person):
    upload(login(officer), person, "brev.pdf", PDF_BYTES, title="")

    assert Attachment.objects.get().title == "brev.pdf"


def test_the_upload_form_is_protected_against_csrf(officer, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer, backend="organisation.auth.BryggaModelBackend")

    response = upload(client, person, "ansokan.pdf", PDF_BYTES)

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_an_upload_is_logged(login, officer, person):
    upload(login(officer), person, "ansokan.pdf", PDF_BYTES)

    attachment = Attachment.objects.get()
    entry = AccessLogEntry.objects.get(record_type="attachment")
    assert (entry.action, entry.user, entry.person_id, entry.record_id) == (
        Action.CREATE,
        officer,
        person.pk,
        str(attachment.pk),
    )


# Downloading


def test_a_download_is_served_as_an_attachment_with_the_stored_type(login, coordinator, attachment):
    response = login(coordinator).get(download_url(attachment))

    assert response.status_code == 200
    assert response.content == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="samtycke.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PNG_BYTES))
    assert "no-store" in response["Cache-Control"]


def test_a_non_ascii_file_name_is_sent_safely(login, coordinator, person):
    attachment = AttachmentFactory(person=person, filename="Ansökan från Elin.png")

    response = login(coordinator).get(download_url(attachment))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Ans%C3%B6kan%20fr%C3%A5n%20Elin.png"
    )


def test_a_download_is_logged_as_an_export(login, officer, attachment, person):
    login(officer).get(download_url(attachment))

    entry = AccessLogEntry.objects.get(record_type="attachment", action=Action.EXPORT)
    assert (entry.user, entry.person_id, entry.record_id) == (
        officer,
        person.pk,
        str(attachment.pk),
    )


# Who may do what


@pytest.mark.parametrize("user", ["coordinator", "officer", "manager"])
def test_staff_of_the_case_may_download_and_attach(request, login, attachment, person, user):
    client = login(request.getfixturevalue(user))

    assert client.get(download_url(attachment)).status_code == 200
    assert client.get(upload_url(person)).status_code == 200


@pytest.mark.parametrize("user", ["colleague", "outsider_officer"])
def test_staff_outside_the_case_must_first_give_a_reason(request, login, attachment, person, user):
    client = login(request.getfixturevalue(user))

    for target in (download_url(attachment), upload_url(person)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].split("?")[0] == f"/personer/{person.pk}/skal/"
    assert upload(client, person, "a.pdf", PDF_BYTES)["Location"].split("?")[0].endswith("/skal/")
    assert Attachment.objects.count() == 1
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("user", ["colleague", "outsider_officer"])
def test_a_protected_persons_documents_do_not_exist_for_outsiders(
    request, login, attachment, person, user
):
    person.protected_identity = True
    person.save()
    client = login(request.getfixturevalue(user))

    assert client.get(download_url(attachment)).status_code == 404
    assert client.get(upload_url(person)).status_code == 404


def test_an_unknown_document_is_not_found(login, coordinator):
    response = login(coordinator).get("/dokument/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404


@pytest.mark.parametrize("user", ["analyst", "meeting_staff", "administrator"])
def test_roles_without_case_work_are_refused(request, login, attachment, person, user):
    client = login(request.getfixturevalue(user))

    assert client.get(download_url(attachment)).status_code == 403
    assert client.get(upload_url(person)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, attachment, person):
    for target in (download_url(attachment), upload_url(person)):
        assert client.get(target)["Location"].startswith("/accounts/login/?next=")


def test_a_reader_with_a_reason_may_download_but_not_attach(login, colleague, attachment, person):
    client = login(colleague)
    client.post(f"/personer/{person.pk}/skal/", {"reason": "Vikarierar för Kim."})

    assert client.get(download_url(attachment)).status_code == 200
    assert client.get(upload_url(person)).status_code == 403
    page = client.get(f"/personer/{person.pk}/").content.decode()
    assert download_url(attachment) in page
    assert upload_url(person) not in page


# The person page


def test_the_person_page_lists_the_documents(login, coordinator, attachment, person):
    page = login(coordinator).get(f"/personer/{person.pk}/").content.decode()

    assert "Undertecknat samtycke" in page
    assert "Signed consent" in page
    assert download_url(attachment) in page
    assert upload_url(person) in page
    assert "Delete" not in page and "ta-bort" not in page


def person_page(client, person):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/personer/{person.pk}/").status_code == 200
    return captured


def test_the_person_page_runs_as_many_queries_for_20_documents_as_for_1(login, coordinator, person):
    client = login(coordinator)
    AttachmentFactory(person=person)
    one = person_page(client, person)

    AttachmentFactory.create_batch(19, person=person)
    twenty = person_page(client, person)

    assert len(twenty) == len(one)
    listing = [q["sql"] for q in twenty.captured_queries if "documents_attachment" in q["sql"]]
    assert listing, "the section lists the documents"
    assert not any('"content"' in sql for sql in listing), "the list never loads the files"
