"""The notification hook every app calls. It stores; the timeline shows and delivers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.db import models, transaction

from preau.core.models import Notification

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Audience, Person

# Who delivers what was stored (e-mail, push): each is called after the commit with the ids of
# the new notifications. The timeline registers its deliverer in its `ready()`; a deliverer
# only queues work, it never sends in the caller's request.
DELIVERERS: list[Callable[[list[int]], None]] = []


def notify(
    recipients: Iterable[Person] | Audience,
    *,
    kind: str,
    obj: models.Model | None,
    actor: Actor,
    text: str = "",
    url: str = "",
    expires_at: datetime | None = None,
) -> list[Notification]:
    """Store a notification of `kind` about `obj`.

    An audience gets a single row (resolved when read: fan-out on read); a list of people gets
    one row each, written in one bulk insert. The acting person is never notified of their own act.
    From `expires_at` on, the timeline no longer shows it. After the commit, every registered
    deliverer (`DELIVERERS`) is handed the new rows' ids.
    """
    from preau.directory.models import Audience

    common = {
        "tenant_id": actor.tenant.pk,
        "kind": kind,
        "actor": actor.person,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "text": text[:300],
        "url": url[:300],
        "expires_at": expires_at,
    }
    if isinstance(recipients, Audience):
        if recipients.tenant_id != actor.tenant.pk:
            raise ValueError("audience of another tenant")
        rows = [Notification.objects.create(audience=recipients, **common)]
    else:
        rows = Notification.objects.bulk_create(
            [
                Notification(recipient=person, **common)
                for person in recipients
                if person.pk != actor.person.pk and person.tenant_id == actor.tenant.pk
            ]
        )
    _deliver_on_commit([n.pk for n in rows])
    return rows


def notify_again(
    recipient_ids: Iterable[int], *, kind: str, obj: models.Model, tenant_id: int
) -> None:
    """Hand the stored notifications of `kind` about `obj` to these recipients to every
    deliverer again, after the commit.

    For a background job resumed after a crash: its first run may have died between the commit
    that stored them and the hand-over (`on_commit`), which would lose their e-mail and push.
    The deliverers claim each send, so a hand-over that did happen sends nothing twice.
    """
    ids = list(
        Notification.objects.filter(
            tenant_id=tenant_id,
            recipient_id__in=list(recipient_ids),
            kind=kind,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
        ).values_list("pk", flat=True)
    )
    _deliver_on_commit(ids)


def _deliver_on_commit(ids: list[int]) -> None:
    if not ids:
        return
    for deliver in DELIVERERS:
        transaction.on_commit(partial(deliver, ids))
