"""Uploaded files, wherever they are kept: safe names, the type they are served with, the
optional virus scan and the download response with safe headers."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/msword",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "video/mp4",
        "video/webm",
    }
)
# Types a browser may show inline (previews): never anything that runs or holds scripts.
INLINE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "video/mp4",
        "video/webm",
    }
)
OCTET_STREAM = "application/octet-stream"
SNIFF_BYTES = 512
_OFFICE_ZIP_TYPES = frozenset(
    {
        "application/zip",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
# (offset, leading bytes, the types a name may claim for such content)
_SIGNATURES: tuple[tuple[int, bytes, frozenset[str]], ...] = (
    (0, b"%PDF-", frozenset({"application/pdf"})),
    (0, b"\x89PNG\r\n\x1a\n", frozenset({"image/png"})),
    (0, b"\xff\xd8\xff", frozenset({"image/jpeg"})),
    (0, b"GIF87a", frozenset({"image/gif"})),
    (0, b"GIF89a", frozenset({"image/gif"})),
    (0, b"PK\x03\x04", _OFFICE_ZIP_TYPES),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", frozenset({"application/msword"})),
    (0, b"ID3", frozenset({"audio/mpeg"})),
    (0, b"\xff\xfb", frozenset({"audio/mpeg"})),
    (0, b"\xff\xf3", frozenset({"audio/mpeg"})),
    (0, b"OggS", frozenset({"audio/ogg"})),
    (0, b"\x1a\x45\xdf\xa3", frozenset({"video/webm"})),
    (4, b"ftyp", frozenset({"video/mp4"})),
)
_RIFF_KINDS = {b"WEBP": "image/webp", b"WAVE": "audio/wav"}
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe", b"<head")
_TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/markdown"})
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_file_name(name: str) -> str:
    """The last part of an uploaded name, without path, control or reserved characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME_CHARS.sub("", base).strip(" .")
    return (base or _("file"))[-150:]


def served_type(name: str) -> str:
    """The type a download is served with: a known harmless one, else application/octet-stream
    (HTML, SVG, scripts... are never given a type a browser would run)."""
    guessed = mimetypes.guess_type(name)[0] or ""
    return guessed if guessed in SAFE_TYPES else "application/octet-stream"


def sniffed_type(head: bytes, name: str) -> str:  # noqa: PLR0911 - one answer per case
    """The type to serve a file with, from its first bytes (`SNIFF_BYTES`) checked against
    what its name claims: content and name must agree, else application/octet-stream.

    A PNG named .png is image/png; a PNG named .pdf, an HTML page named .jpg, an SVG, markup or
    a script of any name are octet-stream (downloaded, never run). Text (UTF-8, no NUL byte)
    is text/plain or text/csv when the name says so. The result is always in SAFE_TYPES or
    octet-stream."""
    claimed = mimetypes.guess_type(name)[0] or ""
    riff = head[8:12] if head[:4] == b"RIFF" else b""
    if riff in _RIFF_KINDS:
        return _RIFF_KINDS[riff] if claimed == _RIFF_KINDS[riff] else OCTET_STREAM
    for offset, magic, types in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return claimed if claimed in types and claimed in SAFE_TYPES else OCTET_STREAM
    if b"\x00" in head:
        return OCTET_STREAM
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            return OCTET_STREAM
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode()
    if any(marker in lowered for marker in _MARKUP):
        return OCTET_STREAM
    if claimed in _TEXT_TYPES:
        return "text/csv" if claimed == "text/csv" else "text/plain"
    return OCTET_STREAM


def read_head(file: File) -> bytes:
    """The first bytes of an uploaded or stored file, the file left at its start."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def is_inline_safe(content_type: str) -> bool:
    return content_type in INLINE_TYPES


def scan_upload(upload: UploadedFile) -> None:
    """The optional virus scan: PREAU_ATTACHMENT_SCAN names a callable(file) that raises
    ValidationError for an infected file (e.g. a ClamAV client); empty: no scan."""
    if settings.PREAU_ATTACHMENT_SCAN:
        import_string(settings.PREAU_ATTACHMENT_SCAN)(upload)


def download_response(
    file: File, *, name: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """A stored file streamed with headers no browser can be tricked by: the type given (from
    `served_type`), nosniff, a sandboxing CSP, never cached by shared caches."""
    response = FileResponse(
        file.open("rb"), as_attachment=as_attachment, filename=name, content_type=content_type
    )
    response.block_size = 64 * 1024  # chunks a WSGI server without sendfile sends
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@contextmanager
def cleanup_on_error(stored: list[str]) -> Iterator[None]:
    """Delete the files stored so far if what follows fails (their rows roll back with it)."""
    try:
        yield
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
