"""How files leave once the permission is checked: streamed by Django, handed to the proxy
(X-Accel-Redirect) or redirected to the storage's signed URL; and folders as a zip written
while it is sent, never held whole in memory."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase

from preau.core.files import OCTET_STREAM, download_response, is_inline_safe
from preau.documents.models import Document, Folder, Version
from preau.documents.queries import folder_tree

CHUNK = 64 * 1024


def _disposition(name: str, *, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _safe_headers(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(
    document: Document, version: Version, *, inline: bool = False, mode: str | None = None
) -> HttpResponseBase:
    """The response giving `version` of `document`: inline only for a type that cannot run
    (`INLINE_TYPES`), else always an attachment; with nosniff and a sandboxing CSP."""
    content_type = version.content_type or OCTET_STREAM
    inline = inline and is_inline_safe(content_type)
    mode = mode or settings.PREAU_DOCUMENT_DOWNLOADS
    if mode == "accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PREAU_DOCUMENT_ACCEL_PREFIX + quote(
            str(version.file.name)
        )
        response["Content-Disposition"] = _disposition(document.name, inline=inline)
        return _safe_headers(response)
    if mode == "redirect":
        storage: Any = default_storage  # S3Storage.url takes parameters and expire
        url = storage.url(
            version.file.name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": _disposition(document.name, inline=inline),
            },
            expire=settings.PREAU_DOCUMENT_URL_SECONDS,
        )
        return _safe_headers(HttpResponseRedirect(url))
    return download_response(
        version.file, name=document.name, content_type=content_type, as_attachment=not inline
    )


class _Sink:
    """What zipfile writes to: bytes kept until the response's generator takes them."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    stem, dot, ext = name.rpartition(".")
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
    taken.add(candidate.lower())
    return candidate


# Stored as they are in a zip: deflating them again costs CPU and saves nothing.
ALREADY_COMPRESSED = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/zip",
        "audio/mpeg",
        "audio/ogg",
        "video/mp4",
        "video/webm",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)


def _zip_time(document: Document) -> tuple[int, int, int, int, int, int]:
    from django.utils import timezone

    t = timezone.localtime(document.updated_at)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second)


def zip_chunks(folder: Folder) -> Iterator[bytes]:
    """The folder and everything under it as a zip, produced chunk by chunk."""
    folders, documents = folder_tree(folder)
    by_id = {f.pk: f for f in folders}
    taken: set[str] = set()
    paths: dict[int, str] = {}
    for f in folders:  # ordered by path: parents before children
        parent = paths.get(f.parent_id or 0, "") if f.pk != folder.pk else ""
        paths[f.pk] = _unique(f"{parent}{f.name}/", taken) if f.pk != folder.pk else ""
    sink = _Sink()
    with zipfile.ZipFile(
        sink,  # type: ignore[call-overload]
        mode="w",
        compression=zipfile.ZIP_DEFLATED,
        compresslevel=1,  # the fastest: a zip is for carrying files, not for shrinking them
    ) as archive:
        for f in folders:
            if paths[f.pk]:
                archive.writestr(paths[f.pk], b"")
        yield sink.take()
        for document in documents:
            assert document.current_version is not None
            assert document.folder_id in by_id
            arcname = _unique(paths[document.folder_id] + document.name, taken)
            entry: str | zipfile.ZipInfo = arcname
            if document.current_version.content_type in ALREADY_COMPRESSED:
                entry = zipfile.ZipInfo(arcname, date_time=_zip_time(document))
                entry.compress_type = zipfile.ZIP_STORED
            with (
                document.current_version.file.open("rb") as source,
                archive.open(entry, "w", force_zip64=True) as target,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def zip_response(folder: Folder) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk for chunk in zip_chunks(folder) if chunk), content_type="application/zip"
    )
    response["Content-Disposition"] = _disposition(f"{folder.name}.zip", inline=False)
    _safe_headers(response)
    return response
