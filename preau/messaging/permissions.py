"""Who may write to whom (the directory's communication rules), who may broadcast for a school,
and whose copy of a message one may read."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from preau.core.actor import Actor
from preau.directory.models import Profile, School
from preau.messaging.models import Delivery, Message


class Perm(StrEnum):
    SEND = "messaging.send"
    BROADCAST = "messaging.broadcast"
    RECALL = "messaging.recall"


class MessagingPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if perm == Perm.SEND:
            return not actor.person.is_blocked
        if perm == Perm.BROADCAST:
            # The school's staff and administrators speak for it.
            return (
                isinstance(obj, School)
                and obj.tenant_id == actor.tenant.pk
                and (
                    actor.is_operator
                    or obj.pk in actor.admin_school_ids
                    or Profile.STAFF in actor.profiles_in(obj.pk)
                )
            )
        if perm == Perm.RECALL:
            return isinstance(obj, Message) and obj.sender_id == actor.person.pk
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Messages: those the actor sent or received (a live copy of theirs)."""
        received = Delivery.objects.filter(recipient=actor.person).values("message_id")
        return qs.filter(tenant=actor.tenant).filter(
            Q(sender=actor.person, sender_deleted_at__isnull=True) | Q(pk__in=received)
        )


policy = MessagingPolicy()
