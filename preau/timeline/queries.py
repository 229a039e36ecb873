"""Every read of the timeline: a person's feed (fan-out on read), its unread count, one item,
their delivery preferences with the defaults, and the state of their e-mail address."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from preau.core.actor import Actor
from preau.core.models import Notification
from preau.core.pagination import Page, keyset_page
from preau.timeline.models import Bounce, Group, Mode, Preference, PushSubscription, Seen
from preau.timeline.permissions import Perm, is_pupil, policy

PAGE_SIZE = 20
HOME_SIZE = 8

# The apps whose notifications the feed can be filtered on: the kind's prefix ("news" of
# "news.published") and its label. A kind of an app not listed still shows, under "Other".
APP_LABELS = {
    "messaging": _("Messages"),
    "news": _("News"),
    "homework": _("Homework"),
    "timetable": _("Timetable"),
    "documents": _("Documents"),
    "forums": _("Forums"),
    "blogs": _("Blogs"),
}

# Preferences when a person has set none, documented in docs/timeline.md: adults get their
# messages by e-mail at once and the rest in a daily digest; pupils (minors) the feed only,
# e-mail being theirs to opt into where the tenant allows it. Push goes wherever the person
# subscribed a browser (subscribing is the opt-in), unless switched off per group.
ADULT_DEFAULTS = {Group.MESSAGES: Mode.IMMEDIATE, Group.NEWS: Mode.DAILY, Group.OTHER: Mode.DAILY}
PUPIL_DEFAULTS = {Group.MESSAGES: Mode.FEED, Group.NEWS: Mode.FEED, Group.OTHER: Mode.FEED}
PUSH_DEFAULT = True
EMAIL_MODES = (Mode.IMMEDIATE, Mode.DAILY, Mode.WEEKLY)


def app_of(kind: str) -> str:
    """The app a kind belongs to: its prefix before the dot."""
    return kind.split(".", 1)[0]


def group_of(kind: str) -> Group:
    app = app_of(kind)
    if app == "messaging":
        return Group.MESSAGES
    if app == "news":
        return Group.NEWS
    return Group.OTHER


def filter_apps() -> list[tuple[str, str]]:
    """The app filters the feed page offers: the listed apps that are installed (no query)."""
    return [
        (key, str(label)) for key, label in APP_LABELS.items() if apps.is_installed(f"preau.{key}")
    ]


def email_allowed(actor: Actor) -> bool:
    """May the actor choose e-mail (a pupil only where the tenant allows it)?"""
    return policy.can(actor, Perm.RECEIVE_EMAIL)


# --- the feed --------------------------------------------------------------------------------


def _visible(actor: Actor) -> QuerySet[Notification]:
    return policy.visible(actor, Notification.objects.all())


def _with_read_state(actor: Actor, qs: QuerySet[Notification]) -> QuerySet[Notification]:
    seen = Seen.objects.filter(person=actor.person, notification=OuterRef("pk"))
    return qs.annotate(
        is_read=ExpressionWrapper(
            Q(read_at__isnull=False) | Q(Exists(seen)), output_field=BooleanField()
        )
    )


def notifications_for(actor: Actor, *, app: str | None = None) -> QuerySet[Notification]:
    """The actor's visible notifications with `is_read`, optionally of one app."""
    qs = _visible(actor)
    if app:
        qs = qs.filter(kind__startswith=f"{app}.")
    return _with_read_state(actor, qs).select_related("actor")


def feed_for(
    actor: Actor, *, after: str | None = None, limit: int = PAGE_SIZE, app: str | None = None
) -> Page[Notification]:
    """A page of the actor's feed, newest first (one query). Raises BadCursorError."""
    return keyset_page(
        notifications_for(actor, app=app),
        order=("-created_at", "-id"),
        after=after,
        limit=limit,
        base_query={"app": app} if app else {},
    )


def unread_for(actor: Actor) -> QuerySet[Notification]:
    seen = Seen.objects.filter(person=actor.person, notification=OuterRef("pk"))
    return _visible(actor).filter(
        Q(recipient__isnull=False, read_at__isnull=True)
        | Q(recipient__isnull=True, audience__isnull=False) & ~Q(Exists(seen))
    )


def unread_count(actor: Actor) -> int:
    """How many of the actor's notifications are unread (the header's badge): one query."""
    return unread_for(actor).count()


def access_notification(actor: Actor, notification_id: int) -> Notification:
    """One of the actor's notifications; 404 for a missing, expired or someone else's one."""
    item = notifications_for(actor).filter(pk=notification_id).first()
    if item is None:
        raise Http404
    return item


# --- preferences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    group: Group
    mode: Mode
    push: bool


def defaults_for(*, pupil: bool) -> dict[Group, Mode]:
    return dict(PUPIL_DEFAULTS if pupil else ADULT_DEFAULTS)


def effective_mode(mode: str | None, *, pupil: bool, group: Group, email_ok: bool) -> Mode:
    """The mode that applies: the stored one, else the default; e-mail modes fall back to the
    feed when e-mail is not allowed (a pupil under a no-e-mail policy)."""
    value = Mode(mode) if mode else defaults_for(pupil=pupil)[group]
    if value in EMAIL_MODES and not email_ok:
        return Mode.FEED
    return value


def preferences_of(actor: Actor) -> dict[Group, Choice]:
    """The actor's preference per group (stored, or the defaults): one query."""
    stored = {
        p.group: p for p in Preference.objects.filter(tenant=actor.tenant, person=actor.person)
    }
    pupil = is_pupil(actor)
    ok = email_allowed(actor)
    choices = {}
    for group in Group:
        row = stored.get(group)
        choices[group] = Choice(
            group=group,
            mode=effective_mode(row.mode if row else None, pupil=pupil, group=group, email_ok=ok),
            push=row.push if row else PUSH_DEFAULT,
        )
    return choices


def bounce_of(actor: Actor) -> Bounce | None:
    """The latest bounce of the actor's current address: e-mail to it is stopped."""
    if not actor.person.email:
        return None
    return (
        Bounce.objects.filter(
            tenant=actor.tenant, person=actor.person, address__iexact=actor.person.email
        )
        .order_by("-at", "-id")
        .first()
    )


def subscriptions_of(actor: Actor) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(tenant=actor.tenant, person=actor.person).order_by(
        "-created"
    )
