"""Display helpers of the console: audit action labels and account statuses."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Profile

register = template.Library()

# What an audit action means, in words; an unknown action shows its code.
AUDIT_LABELS = {
    "directory.school_created": _("Created a school"),
    "directory.school_updated": _("Changed a school"),
    "directory.person_created": _("Created an account"),
    "directory.person_updated": _("Changed a person's details"),
    "directory.class_created": _("Created a class"),
    "directory.class_updated": _("Changed a class"),
    "directory.class_pupil_added": _("Added a pupil to a class"),
    "directory.class_pupil_removed": _("Removed a pupil from a class"),
    "directory.group_created": _("Created a group"),
    "directory.group_updated": _("Changed a group"),
    "directory.group_member_added": _("Added a member to a group"),
    "directory.group_member_removed": _("Removed a member from a group"),
    "directory.communication_rules_changed": _("Changed the communication rules"),
    "accounts.person_blocked": _("Blocked an account"),
    "accounts.person_unblocked": _("Unblocked an account"),
    "accounts.password_reset_by_admin": _("Reset a password"),
    "accounts.activation_code_issued": _("Issued an activation code"),
    "accounts.account_activated": _("Activated their account"),
    "accounts.password_reset_requested": _("Asked for a password reset"),
    "accounts.password_reset_with_code": _("Reset their password with a code"),
    "accounts.session_revoked": _("Ended one of their sessions"),
    "accounts.sessions_revoked": _("Ended their other sessions"),
    "accounts.api_token_created": _("Created an API token"),
    "accounts.api_token_revoked": _("Revoked an API token"),
    "directory.import_started": _("Started an import"),
    "directory.import_applied": _("Applied an import"),
}

# The kinds of lines of an import's report.
CHANGE_KINDS = {
    "school": _("Schools"),
    "subject": _("Subjects"),
    "level": _("Levels (MEF)"),
    "class": _("Classes"),
    "group": _("Groups"),
    "person": _("People"),
    "membership": _("Places in schools"),
    "group_member": _("Group members"),
    "assignment": _("Teaching assignments"),
    "link": _("Guardian links"),
}


@register.filter
def audit_label(action: str) -> Any:
    return AUDIT_LABELS.get(action, action)


@register.filter
def account_status(person: Any) -> str:
    """ "blocked", "active" or "pending" (not activated yet)."""
    if person.is_blocked:
        return "blocked"
    if person.activated_at:
        return "active"
    return "pending"


@register.filter
def contains(values: Any, item: Any) -> bool:
    return str(item) in values


@register.filter
def change_kind(kind: str) -> Any:
    return CHANGE_KINDS.get(kind, kind)


# The fields a report line's details name, in words.
DETAIL_LABELS = {
    "profile": _("profile"),
    "to": _("to"),
    "from": _("from"),
    "school": _("school"),
    "class": _("class"),
    "functions": _("functions"),
    "groups": _("groups"),
    "assignments": _("teaching"),
    "level": _("level"),
    "label": _("label"),
    "name": _("name"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "title": _("title"),
    "email": _("e-mail"),
    "birth_date": _("birth date"),
    "ine": _("INE"),
    "phone": _("phone"),
    "mobile": _("mobile"),
    "address": _("address"),
    "external_id": _("join key"),
    "is_blocked": _("blocked"),
    "deletion_due_on": _("deletion due on"),
    "kinship": _("kinship"),
    "contact_priority": _("contact priority"),
    "existing": _("account typed by hand"),
    "reason": _("why"),
    "city": _("city"),
    "kind": _("kind"),
    "sector": _("sector"),
}


def _detail_value(name: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_detail_value(name, v) for v in value)
    if name == "profile" and value in Profile.values:
        return str(Profile(value).label)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


@register.filter
def change_details(details: Any) -> list[tuple[str, str]]:
    """A report line's details as (field, "old → new") pairs, or (field, text), in words."""
    out = []
    for name, value in (details or {}).items():
        label = str(DETAIL_LABELS.get(name, name))
        if isinstance(value, list) and len(value) == 2 and name not in {"existing"}:
            old, new = (_detail_value(name, v) for v in value)
            out.append((label, f"{old or '∅'} → {new or '∅'}"))
        else:
            out.append((label, _detail_value(name, value)))
    return out


@register.filter
def change_action(action: str) -> Any:
    from preau.directory.models import ImportChange

    return ImportChange.Action(action).label if action in ImportChange.Action.values else action
