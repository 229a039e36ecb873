"""Checking and re-encoding avatar pictures: decoded for real, never trusted by name or type."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
SIZE = 256
# A small file may still decode to a huge bitmap (a "decompression bomb"): refuse early.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class ProcessedAvatar:
    content: bytes
    extension: str
    content_type: str


CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


def _refuse_type() -> ValidationError:
    return ValidationError(
        _("This file is not a picture Préau accepts. Choose a PNG, JPEG or WebP image."),
        code="avatar_type",
    )


def process_avatar(upload: IO[bytes], *, size: int | None = None) -> ProcessedAvatar:
    """Decode `upload`, check it, and re-encode it as a square 256 px picture, metadata stripped.

    PNG, JPEG and WebP only, at most settings.PREAU_AVATAR_MAX_BYTES. Pictures with transparency
    become PNG, others JPEG. Raises ValidationError (code avatar_size, avatar_type,
    avatar_corrupt) with a message in the active language.
    """
    max_bytes = settings.PREAU_AVATAR_MAX_BYTES
    if size is None:
        size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > max_bytes:
        raise ValidationError(
            _("This picture weighs %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="avatar_size",
        )
    if size == 0:
        raise _refuse_type()
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(upload)
            if opened.format not in ACCEPTED_FORMATS:
                raise _refuse_type()
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("This picture is too large (%(width)s by %(height)s pixels).")
                    % {"width": width, "height": height},
                    code="avatar_pixels",
                )
            opened.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG: decode at a reduced scale
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except ValidationError:
        raise
    except UnidentifiedImageError as exc:
        raise _refuse_type() from exc
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            _("This picture is damaged and cannot be read. Try another file."),
            code="avatar_corrupt",
        ) from exc

    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    mode, fmt, extension = ("RGBA", "PNG", "png") if has_alpha else ("RGB", "JPEG", "jpg")
    square = ImageOps.fit(image.convert(mode), (SIZE, SIZE), Image.Resampling.LANCZOS)
    # A fresh image carries no metadata (EXIF, ICC, text chunks) from the upload.
    clean = Image.new(mode, (SIZE, SIZE))
    clean.paste(square)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, fmt, quality=85, optimize=True)
    else:
        clean.save(out, fmt, optimize=True)
    return ProcessedAvatar(
        content=out.getvalue(), extension=extension, content_type=CONTENT_TYPES[extension]
    )


def content_type_for(name: str) -> str:
    """The content type of a stored avatar (names are ours: <random>.jpg or .png)."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
