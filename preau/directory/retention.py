"""Retention of personal data: what happens to a person's traces when their account is erased.

The law (arrêté of 30 November 2006, amended 13 October 2017; see STANDARDS.md "Law and
retention") says an account is deleted within three months after the person loses the right to
it, and that their contributions in shared spaces may be kept unless they object. A complete feed
pre-deletes whoever it no longer lists (blocked, `Person.deletion_due_on` = today + the tenant's
`retention_days`); `actions.erase_expired_people`, run daily, erases them on that day.

Erasing a person:

- deletes the `Person` row, and with it (cascade) their memberships, group memberships,
  teaching assignments, guardian links, authority rights, one-time codes, sessions and tokens;
- pseudonymises the audit log instead of deleting it: entries about them (subject or target)
  and entries they wrote (actor) keep their action, date, school and keys, but their name is
  replaced by `pseudonym(...)` and the values of `data` by "—" (see `scrub_data`);
- leaves their contributions in shared spaces to the content apps, under the rule below.

Rule for content apps (messages, forums, blogs, documents, ... — none exists yet). A foreign key
from content to `Person` (its author, its owner) must be `on_delete=models.SET_NULL`, nullable,
and the content shows `former_user_name()` ("Ancien utilisateur" / "Former user") when it is
null: contributions are kept by default. When the person objected (`Person.erase_contributions`
is set), the app must delete them: it registers an eraser here, at import time of its
`apps.py` `ready()`, for example::

    from preau.directory.retention import ERASERS

    def erase_posts(person: Person) -> None:
        Post.objects.filter(tenant_id=person.tenant_id, author=person).delete()

    ERASERS.append(erase_posts)

`erase_expired_people` calls every eraser, in the person's transaction and before the row is
deleted, for each person with `erase_contributions=True`; an eraser that fails rolls that person's
erasure back (they are tried again the next day).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from preau.directory.models import Person

# The content apps' erasers, called for people who objected to keeping their contributions.
# Empty today: no content app exists yet.
ERASERS: list[Callable[[Person], None]] = []

SCRUBBED = "—"
PSEUDONYM_PREFIX = "personne-"


def former_user_name() -> str:
    """The neutral author name content apps show for a contribution whose author was erased."""
    return _("Former user")


def pseudonym(*, tenant_id: int, person_id: int) -> str:
    """A stable pseudonym of an erased person: `personne-` and 12 hex digits.

    HMAC-SHA-256 keyed by the deployment's SECRET_KEY over the tenant and the row id: the same
    person always gets the same pseudonym (entries about them can still be told apart and
    grouped), and without the key it cannot be traced back to anyone.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"directory.person:{tenant_id}:{person_id}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return PSEUDONYM_PREFIX + digest[:12]


def scrub_data(data: Any) -> Any:
    """The audit `data` with its keys kept and every value replaced by "—" (dicts recursively)."""
    if isinstance(data, dict):
        return {key: scrub_data(value) for key, value in data.items()}
    return SCRUBBED


def mask_names(text: str, names: Iterable[str], replacement: str) -> str:
    """`text` with every occurrence of `names` (case-insensitive, longest first) replaced."""
    needles = sorted({n for n in names if n and n.strip()}, key=len, reverse=True)
    if not needles or not text:
        return text
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    return pattern.sub(replacement, text)


def identifying_strings(person: Person) -> list[str]:
    """The strings that name `person` in free text: names, login, e-mail, join keys."""
    return [
        person.full_name,
        person.sort_name,
        f"{person.last_name} {person.first_name}",
        person.login,
        person.email,
        person.external_id,
        person.ine,
    ]
