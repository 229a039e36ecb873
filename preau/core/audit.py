"""One helper to record an audit entry; every action that touches personal data calls it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from preau.core.models import AuditEntry

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Person, School


def record_audit(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    subject: Person | None = None,
    school: School | None = None,
    tenant_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write who did `action` on `target` (and on whose data: `subject`)."""
    if actor is None and tenant_id is None:
        raise ValueError("record_audit needs an actor or a tenant_id")
    return AuditEntry.objects.create(
        tenant_id=actor.tenant.pk if actor else tenant_id,  # type: ignore[misc]
        actor=actor.person if actor else None,
        actor_name=actor.person.full_name if actor else "system",
        action=action,
        school=school,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        subject=subject,
        data=data or {},
        ip=actor.ip if actor else None,
    )
