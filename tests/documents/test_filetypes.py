"""A file's type is judged by its first bytes; its name only gets an extension that matches."""

from __future__ import annotations

import pytest

from documents.filetypes import JPEG, PDF, PNG, TIFF, detect, safe_filename


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", JPEG),
        (b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", JPEG),
        (b"II*\x00\x08\x00\x00\x00", TIFF),
        (b"MM\x00*\x00\x00\x00\x08", TIFF),
    ],
)
def test_accepted_types_are_recognised_by_content(content, expected):
    assert detect(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script>",
        b"<html>%PDF-1.4",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable
        b"\x7fELF\x02\x01\x01",
        b"PK\x03\x04",  # a zip, or a Word document
        b"GIF89a",
        b" %PDF-1.4",
        b"%PDF",
        b"",
    ],
)
def test_anything_else_is_not_recognised(content):
    assert detect(content) is None


@pytest.mark.parametrize(
    ("name", "filetype", "expected"),
    [
        ("ansokan.pdf", PDF, "ansokan.pdf"),
        ("Ansökan 3 mars.PDF", PDF, "Ansökan 3 mars.PDF"),
        ("skanning.pdf", PNG, "skanning.png"),
        ("foto.jpeg", JPEG, "foto.jpeg"),
        ("foto", JPEG, "foto.jpg"),
        ("C:\\Users\\kim\\brev.tif", TIFF, "brev.tif"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ('sam"tycke\r\n.pdf', PDF, "sam_tycke_.pdf"),
        ("", PDF, "document.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 251 + ".pdf"),
    ],
)
def test_file_names_lose_paths_and_get_an_extension_matching_the_content(name, filetype, expected):
    assert safe_filename(name, filetype) == expected
