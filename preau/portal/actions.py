"""Writes of the portal: one's own profile and avatar. Each checks, writes and audits."""

from __future__ import annotations

import secrets
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.permissions import require
from preau.directory.models import Person
from preau.portal.avatars import process_avatar
from preau.portal.models import Visibility, validate_phone
from preau.portal.permissions import Perm, policy

PROFILE_FIELDS = (
    "language",
    "email",
    "email_visibility",
    "phone",
    "mobile",
    "address",
    "phone_visibility",
)
ADDRESS_MAX_LENGTH = 250


def _own_person(actor: Actor) -> Person:
    """The actor's own row, fresh and locked for the update."""
    person = Person.objects.select_for_update().filter(pk=actor.person.pk).first()
    require(policy, actor, Perm.EDIT_PROFILE, person)
    assert person is not None  # the policy refuses None
    return person


def _check_profile(values: dict[str, str]) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def check(name: str, test: bool, message: str, code: str) -> None:
        if name in values and not test:
            errors.setdefault(name, []).append(ValidationError(message, code=code))

    languages = {code for code, _label in settings.LANGUAGES}
    check("language", values.get("language") in languages, _("Choose a language."), "language")
    for name in ("email_visibility", "phone_visibility"):
        check(
            name, values.get(name) in Visibility.values, _("Choose who can see it."), "visibility"
        )
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError as exc:
            errors.setdefault("email", []).append(exc)
    for name in ("phone", "mobile"):
        try:
            validate_phone(values.get(name, ""))
        except ValidationError as exc:
            errors.setdefault(name, []).append(exc)
    check(
        "address",
        len(values.get("address", "")) <= ADDRESS_MAX_LENGTH,
        _("An address has at most %(max)s characters.") % {"max": ADDRESS_MAX_LENGTH},
        "address_length",
    )
    if errors:
        raise ValidationError(errors)


def update_profile(
    *,
    actor: Actor,
    language: str | None = None,
    email: str | None = None,
    email_visibility: str | None = None,
    phone: str | None = None,
    mobile: str | None = None,
    address: str | None = None,
    phone_visibility: str | None = None,
) -> Person:
    """Change the actor's own preferences and contact details (None: leave as is).

    `phone_visibility` also governs the postal address. Raises ValidationError keyed by field
    for a changed value Préau does not accept; nothing is saved then. Audited as
    `profile.update` with the names of the changed fields.
    """
    given = {
        "language": language,
        "email": email,
        "email_visibility": email_visibility,
        "phone": phone,
        "mobile": mobile,
        "address": address,
        "phone_visibility": phone_visibility,
    }
    values = {name: value.strip() for name, value in given.items() if value is not None}
    if "email" in values:  # stored lower-case: the login backend matches e-mails exactly
        values["email"] = values["email"].lower()
    with transaction.atomic():
        person = _own_person(actor)
        changed = [name for name, value in values.items() if getattr(person, name) != value]
        # Only what changes is checked: a value imported from the school's records that
        # Préau would not accept does not block the person's other changes.
        _check_profile({name: values[name] for name in changed})
        if not changed:
            return person
        for name in changed:
            setattr(person, name, values[name])
        person.save(update_fields=changed)
        record_audit(
            actor=actor,
            action="profile.update",
            target=person,
            subject=person,
            school=actor.school,
            data={"fields": changed},
        )
    return person


def _delete_file_later(name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def set_avatar(*, actor: Actor, upload: IO[bytes]) -> None:
    """Check, re-encode and store the actor's avatar; the previous file is deleted.

    Raises ValidationError({"avatar": ...}) for a file that is too big, not a PNG/JPEG/WebP
    picture, or damaged; nothing is saved then. Audited as `profile.avatar_set`.
    """
    try:
        picture = process_avatar(upload)
    except ValidationError as exc:
        raise ValidationError({"avatar": exc.error_list}) from exc
    with transaction.atomic():
        person = _own_person(actor)
        name = default_storage.save(
            f"avatars/{actor.tenant.pk}/{secrets.token_urlsafe(18)}.{picture.extension}",
            ContentFile(picture.content),
        )
        # Should the transaction fail, the new file is orphaned; the old one is never lost.
        old = person.avatar.name
        person.avatar = name
        person.save(update_fields=["avatar"])
        record_audit(
            actor=actor,
            action="profile.avatar_set",
            target=person,
            subject=person,
            school=actor.school,
            data={"format": picture.extension, "bytes": len(picture.content)},
        )
        _delete_file_later(old)


def remove_avatar(*, actor: Actor) -> None:
    """Remove the actor's avatar (a no-op without one). Audited as `profile.avatar_remove`."""
    with transaction.atomic():
        person = _own_person(actor)
        old = person.avatar.name
        if not old:
            return
        person.avatar = ""
        person.save(update_fields=["avatar"])
        record_audit(
            actor=actor,
            action="profile.avatar_remove",
            target=person,
            subject=person,
            school=actor.school,
        )
        _delete_file_later(old)
