"""Helpers of the messaging tests: actors and audiences."""

from __future__ import annotations

from typing import Any

from preau.directory.models import Audience, AudienceTarget
from preau.directory.queries import build_actor


def actor(person: Any) -> Any:
    """The person acting in their first school (as the site would)."""
    return build_actor(person, tenant=person.tenant)


def audience(tenant: Any, **target: Any) -> Audience:
    """An audience of one target, e.g. audience(t, kind="class_guardians", school_class=c)."""
    a = Audience.objects.create(tenant=tenant, label=target.pop("label", ""))
    AudienceTarget.objects.create(tenant=tenant, audience=a, **target)
    return a
