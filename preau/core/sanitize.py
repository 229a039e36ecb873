"""User-supplied HTML is sanitised on the way in (nh3) and rendered escaped everywhere else."""

from __future__ import annotations

import re
import unicodedata

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}


# Pictures pasted into a text travel inside it, as data: addresses of these types only (never
# SVG, which can carry script): no file to store, no address to guess.
_INLINE_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+")


def _only_inline_images(tag: str, attribute: str, value: str) -> str | None:
    if value.lstrip()[:5].lower() == "data:" and not (
        tag == "img" and attribute == "src" and _INLINE_IMAGE.fullmatch(value.strip())
    ):
        return None
    return value


def sanitize_html(html: str, *, inline_images: bool = False) -> str:
    """Keep formatting; drop scripts, event handlers, styles and dangerous URL schemes.

    With `inline_images`, an `<img>` may also hold a PNG, JPEG, GIF or WebP picture as a
    base64 `data:` address (and nothing else may use `data:`).
    """
    schemes = {"http", "https", "mailto"}
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=schemes | {"data"} if inline_images else schemes,
        attribute_filter=_only_inline_images if inline_images else None,
        link_rel="noopener noreferrer nofollow",
    )


# Letters that are not a base letter plus accents, spelled out as French does ("Bœuf" → "boeuf").
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case without accents, for accent-insensitive search ("Éloïse" -> "eloise")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
