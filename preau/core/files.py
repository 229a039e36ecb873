"""Uploaded files, wherever they are kept: safe names, the type they are served with, the
optional virus scan and the download response with safe headers."""

from __future__ import annotations

import mimetypes
import re

from django.conf import settings
from django.core.files import File
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
        "video/mp4",
    }
)
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
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
