"""What a file is, judged by its first bytes, never by its name or the browser's say-so."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one given to a misnamed file

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("application/pdf", ("pdf",))
PNG = FileType("image/png", ("png",))
JPEG = FileType("image/jpeg", ("jpg", "jpeg", "jpe"))
TIFF = FileType("image/tiff", ("tif", "tiff"))

# Magic numbers: PDF 1.0–2.0 (ISO 32000), PNG (RFC 2083), JPEG/JFIF/Exif (SOI marker and the
# first marker's 0xFF), TIFF (little- and big-endian byte order marks followed by 42).
SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)


def detect(content: bytes) -> FileType | None:
    """The accepted type the content really is, or None (HTML, an executable, anything else)."""
    for magic, filetype in SIGNATURES:
        if content.startswith(magic):
            return filetype
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def safe_filename(name: str, filetype: FileType, default: str = "document") -> str:
    """The name without any path or control characters, with an extension matching the content.

    A PNG sent as "scan.pdf" is kept as "scan.png", so the downloaded file opens as what it is.
    """
    name = re.split(r"[\\/]", name or "")[-1]
    name = _UNSAFE.sub("_", name).strip(" ._") or default
    stem, ext = os.path.splitext(name)
    if ext.lower().lstrip(".") not in filetype.extensions:
        ext = "." + filetype.extension
    return stem[: 255 - len(ext)] + ext
