"""The timeline JSON API (/api/v1/timeline/): the feed, the unread count, read marks,
delivery preferences and web push subscriptions, for the mobile app and the browser.

Endpoints call the same actions and queries as the pages; `request.auth` is the Actor.
Someone else's — or another school's, or tenant's — notification answers 404 and changes
nothing; every refusal carries a machine-readable `code` and a French `detail`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from preau.core.actor import Actor
from preau.core.models import Notification
from preau.core.pagination import BadCursorError
from preau.timeline import actions, queries
from preau.timeline.models import Group, Mode
from preau.timeline.schemas import (
    FeedOut,
    FeedQueryIn,
    ItemOut,
    PreferencesIn,
    PreferencesOut,
    PushEndpointIn,
    PushSubscriptionIn,
    PushSubscriptionOut,
    ReadAllOut,
    TimelineErrorOut,
    UnreadOut,
)

router = Router(tags=["timeline"])

ERRORS: dict[int, type[TimelineErrorOut]] = {
    400: TimelineErrorOut,
    404: TimelineErrorOut,
    422: TimelineErrorOut,
}
REFUSALS = (Http404, BadCursorError, ValidationError)


def _actor(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined]


def _error(exc: Exception) -> Status[dict[str, Any]]:
    if isinstance(exc, Http404):
        return Status(
            404,
            {"detail": _("This notification does not exist or is not yours."), "code": "not_found"},
        )
    if isinstance(exc, BadCursorError):
        return Status(
            400,
            {
                "detail": _("The cursor is malformed or out of date: start again without `after`."),
                "code": "bad_cursor",
            },
        )
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
        detail = " ".join(m for messages in fields.values() for m in messages)
        return Status(422, {"detail": detail, "code": "invalid", "fields": fields})
    return Status(422, {"detail": " ".join(exc.messages), "code": exc.code or "invalid"})


def _item(n: Notification) -> dict[str, Any]:
    app = queries.app_of(n.kind)
    return {
        "id": n.pk,
        "kind": n.kind,
        "app": app,
        "app_label": str(queries.APP_LABELS.get(app, _("Other"))),
        "text": n.text,
        "url": n.url if actions.is_safe_url(n.url) else "",
        "actor": {"id": n.actor.pk, "full_name": n.actor.full_name} if n.actor else None,
        "created_at": n.created_at,
        "expires_at": n.expires_at,
        "is_read": bool(getattr(n, "is_read", False)),
    }


@router.get("/feed", response={200: FeedOut, **ERRORS}, summary="My feed, newest first")
def feed(request: HttpRequest, filters: Query[FeedQueryIn]) -> Status[dict[str, Any]]:
    """Keyset-paged: follow `next` (as `after`) until it is null. `app` filters by app."""
    actor = _actor(request)
    try:
        page = queries.feed_for(actor, after=filters.after, limit=filters.limit, app=filters.app)
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, {"items": [_item(n) for n in page.items], "next": page.next_cursor})


@router.get("/unread", response=UnreadOut, summary="How many of my notifications are unread")
def unread(request: HttpRequest) -> dict[str, int]:
    return {"unread": queries.unread_count(_actor(request))}


@router.post(
    "/items/{notification_id}/read", response={200: ItemOut, **ERRORS}, summary="Mark one read"
)
def mark_read(request: HttpRequest, notification_id: int) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        item = queries.access_notification(actor, notification_id)
        actions.mark_read(actor=actor, notification=item)
    except REFUSALS as exc:
        return _error(exc)
    item.is_read = True  # type: ignore[attr-defined]
    return Status(200, _item(item))


@router.post("/read-all", response=ReadAllOut, summary="Mark everything read")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    return {"marked": actions.mark_all_read(actor=_actor(request))}


def _preferences(actor: Actor) -> dict[str, Any]:
    bounce = queries.bounce_of(actor)
    return {
        "email": actor.person.email,
        "email_allowed": queries.email_allowed(actor),
        "bounced_at": bounce.at if bounce else None,
        "preferences": [
            {"group": str(g), "label": str(g.label), "mode": str(c.mode), "push": c.push}
            for g, c in queries.preferences_of(actor).items()
        ],
    }


@router.get("/preferences", response=PreferencesOut, summary="My delivery preferences")
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    return _preferences(_actor(request))


@router.put(
    "/preferences",
    response={200: PreferencesOut, **ERRORS},
    summary="Change my delivery preferences (the groups given; the others are kept)",
)
def put_preferences(request: HttpRequest, data: PreferencesIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        actions.set_preferences(
            actor=actor,
            choices={Group(p.group): (Mode(p.mode), p.push) for p in data.preferences},
        )
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _preferences(actor))


@router.post(
    "/push/subscriptions",
    response={201: PushSubscriptionOut, **ERRORS},
    url_name="timeline_push_subscribe",
    summary="Subscribe this browser to web push",
)
def subscribe(request: HttpRequest, data: PushSubscriptionIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        sub = actions.subscribe_push(
            actor=actor, endpoint=data.endpoint, p256dh=data.keys.p256dh, auth=data.keys.auth
        )
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, {"id": sub.pk, "endpoint": sub.endpoint, "created": sub.created})


@router.post(
    "/push/unsubscribe",
    response={204: None, **ERRORS},
    url_name="timeline_push_unsubscribe",
    summary="Unsubscribe a browser from web push",
)
def unsubscribe(request: HttpRequest, data: PushEndpointIn) -> Status[Any]:
    if not actions.unsubscribe_push(actor=_actor(request), endpoint=data.endpoint):
        return Status(404, {"detail": _("This device is not subscribed."), "code": "not_found"})
    return Status(204, None)
