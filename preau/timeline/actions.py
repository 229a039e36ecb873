"""Every write of the timeline: read marks, preferences, push subscriptions, bounces, and the
delivery jobs (e-mail at once, web push, daily and weekly digests).

Delivery runs in Celery (`tasks.py`), queued after the commit of `notify` (core.notify's
DELIVERERS), never in the request. It is idempotent by claims: before sending a notification to
a person on a channel, a `Sent` row unique on (notification, person, channel) is inserted and
committed; a digest is claimed by a `Digest` row unique on (person, period, period_start). A run
that crashes, retried or run twice, never sends the same thing twice (at most once). A send that
fails with an error releases its claim first, so the retry sends it; only a worker killed between
its claim and its send loses that one e-mail — the item stays in the person's feed.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.models import Notification, Tenant
from preau.core.permissions import require
from preau.directory.audiences import resolve_audience
from preau.directory.models import Membership, Person, Profile
from preau.timeline import push, queries
from preau.timeline.models import (
    Bounce,
    Channel,
    Digest,
    Group,
    Mode,
    Period,
    Preference,
    PushSubscription,
    Seen,
    Sent,
)
from preau.timeline.permissions import Perm, policy, pupil_email_allowed

log = logging.getLogger(__name__)

BATCH = 1000
PUSH_MAX_FAILURES = 10


# --- reading ---------------------------------------------------------------------------------


def mark_read(*, actor: Actor, notification: Notification) -> None:
    """Mark one of the actor's notifications read (`access_notification` gave it)."""
    require(policy, actor, Perm.READ, notification)
    if notification.recipient_id is not None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return
    Seen.objects.bulk_create(
        [Seen(tenant_id=actor.tenant.pk, person=actor.person, notification=notification)],
        ignore_conflicts=True,
    )


def mark_all_read(*, actor: Actor) -> int:
    """Mark every visible unread notification of the actor read; how many were. The audience
    rows get their `Seen` rows in one bulk insert, limited to what the actor can see."""
    unread = queries.unread_for(actor)
    now = timezone.now()
    with transaction.atomic():
        own = Notification.objects.filter(
            pk__in=unread.filter(recipient=actor.person).values("pk")
        ).update(read_at=now)
        audience_ids = list(unread.filter(recipient__isnull=True).values_list("pk", flat=True))
        Seen.objects.bulk_create(
            [
                Seen(tenant_id=actor.tenant.pk, person=actor.person, notification_id=pk, at=now)
                for pk in audience_ids
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return own + len(audience_ids)


def is_safe_url(url: str) -> bool:
    """A same-site relative path ("/news/3/"), never another site ("//x", "https://x", "\\x")."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(c) < 32 for c in url)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )


def open_notification(*, actor: Actor, notification: Notification) -> str:
    """Mark it read and give where to go: its url when same-site, else the feed."""
    mark_read(actor=actor, notification=notification)
    return notification.url if is_safe_url(notification.url) else reverse("timeline:index")


# --- preferences -----------------------------------------------------------------------------


def set_preferences(*, actor: Actor, choices: dict[Group, tuple[Mode, bool]]) -> None:
    """Store the actor's choice per group (mode and push). E-mail modes are refused to a pupil
    when the tenant's policy sends no e-mail to pupils."""
    require(policy, actor, Perm.SET_PREFERENCES)
    if not queries.email_allowed(actor):
        refused = {
            f"{group}_mode": [_("Your territory does not send e-mail to pupils.")]
            for group, (mode, _push) in choices.items()
            if mode in queries.EMAIL_MODES
        }
        if refused:
            raise ValidationError(refused)
    before = queries.preferences_of(actor)
    with transaction.atomic():
        for group, (mode, push_on) in choices.items():
            Preference.objects.update_or_create(
                tenant=actor.tenant,
                person=actor.person,
                group=group,
                defaults={"mode": mode, "push": push_on},
            )
        changes = {
            str(group): f"{before[group].mode}{'+push' if before[group].push else ''}"
            f" → {mode}{'+push' if push_on else ''}"
            for group, (mode, push_on) in choices.items()
            if (before[group].mode, before[group].push) != (mode, push_on)
        }
        if changes:
            record_audit(
                actor=actor,
                action="timeline.preferences_changed",
                subject=actor.person,
                data=changes,
            )


def subscribe_push(*, actor: Actor, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Register (or refresh) one browser of the actor for web push."""
    require(policy, actor, Perm.SUBSCRIBE_PUSH)
    if not push.endpoint_allowed(endpoint):
        raise ValidationError(
            _("This push address is not accepted: it must be an https address."),
            code="bad_endpoint",
        )
    if not push.keys_valid(p256dh, auth):
        raise ValidationError(_("The browser's push keys are malformed."), code="bad_keys")
    with transaction.atomic():
        subscription, created = PushSubscription.objects.update_or_create(
            tenant=actor.tenant,
            person=actor.person,
            endpoint=endpoint,
            defaults={"p256dh": p256dh, "auth": auth, "failures": 0},
        )
        if created:
            record_audit(
                actor=actor, action="timeline.push_subscribed", target=None, subject=actor.person
            )
    return subscription


def unsubscribe_push(*, actor: Actor, endpoint: str) -> bool:
    deleted, _rows = PushSubscription.objects.filter(
        tenant=actor.tenant, person=actor.person, endpoint=endpoint
    ).delete()
    if deleted:
        record_audit(actor=actor, action="timeline.push_unsubscribed", subject=actor.person)
    return bool(deleted)


# --- bounces ---------------------------------------------------------------------------------


def flag_bounce(*, person: Person, address: str, reason: str) -> Bounce:
    """Stop e-mail to `address` while it is the person's (they change it on their profile)."""
    with transaction.atomic():
        bounce = Bounce.objects.create(
            tenant_id=person.tenant_id, person=person, address=address, reason=reason[:300]
        )
        record_audit(
            actor=None,
            tenant_id=person.tenant_id,
            action="timeline.email_bounced",
            subject=person,
            data={"reason": reason[:300]},
        )
    return bounce


def report_bounce(*, tenant: Tenant, address: str, reason: str) -> int:
    """The mail relay's report: flag the address for everyone of the tenant who has it."""
    people = Person.objects.filter(tenant=tenant, email__iexact=address.strip())
    return len([flag_bounce(person=p, address=p.email, reason=reason) for p in people])


# --- delivery: who gets what -----------------------------------------------------------------


def _pupil_only() -> Q:
    """The person has only pupil memberships this year (as `permissions.is_pupil`)."""
    now = Membership.objects.filter(year__is_current=True, person_id=OuterRef("pk"))
    return Q(Exists(now.filter(profile=Profile.PUPIL))) & ~Q(
        Exists(now.exclude(profile=Profile.PUPIL))
    )


def _recipients(qs: QuerySet[Person], groups: list[Group]) -> QuerySet[Person]:
    """People annotated with what delivery needs: their stored mode and push switch per group,
    whether they are a pupil, whether their address bounced, whether a browser subscribed."""
    annotations: dict[str, Any] = {}
    for group in groups:
        mine = Preference.objects.filter(person=OuterRef("pk"), group=group)
        annotations[f"mode_{group}"] = Subquery(mine.values("mode")[:1])
        annotations[f"push_{group}"] = Subquery(mine.values("push")[:1])
    return qs.annotate(
        **annotations,
        pupil=ExpressionWrapper(_pupil_only(), output_field=BooleanField()),
        bounced=Exists(
            Bounce.objects.filter(person=OuterRef("pk"), address__iexact=OuterRef("email"))
        ),
        subscribed=Exists(PushSubscription.objects.filter(person=OuterRef("pk"))),
    )


def _in_batches(qs: QuerySet[Person]) -> Iterator[list[Person]]:
    """The people of `qs` by id keyset, BATCH at a time (never all in memory)."""
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _mode(person: Any, group: Group, tenant: Tenant) -> Mode:
    email_ok = not person.pupil or pupil_email_allowed(tenant)
    return queries.effective_mode(
        getattr(person, f"mode_{group}"), pupil=person.pupil, group=group, email_ok=email_ok
    )


def _push_on(person: Any, group: Group) -> bool:
    value = getattr(person, f"push_{group}")
    return queries.PUSH_DEFAULT if value is None else bool(value)


def _can_email(person: Any) -> bool:
    return bool(person.email) and not person.bounced and not person.is_blocked


# --- delivery: e-mail and push ---------------------------------------------------------------


def site_url(tenant: Tenant, path: str) -> str:
    """An absolute address on the tenant's first host (links in e-mails)."""
    host = tenant.hosts.values_list("host", flat=True).first() or "localhost"
    scheme = "http" if settings.DEBUG or settings.TESTING else "https"
    return f"{scheme}://{host}{path}"


def _claim(notification: Notification, person: Person, channel: Channel, run: str) -> bool:
    """Insert and commit the claim on this send; False when someone already has it."""
    try:
        with transaction.atomic():
            Sent.objects.create(
                tenant_id=notification.tenant_id,
                notification=notification,
                person=person,
                channel=channel,
                run=run,
            )
    except IntegrityError:
        return False
    return True


def _release(notification: Notification, person: Person, channel: Channel, run: str) -> None:
    Sent.objects.filter(notification=notification, person=person, channel=channel, run=run).delete()


def _send_email(
    connection: Any, person: Person, *, subject: str, template: str, context: dict[str, Any]
) -> bool:
    """Send one e-mail (text and HTML, in French); False when the relay refused the address
    (it is then flagged). Other errors propagate."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"timeline/email/{template}.txt", context)
        html = render_to_string(f"timeline/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [person.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    try:
        connection.open()  # once per run: the relay's connection is kept for the next e-mails
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = [
            f"{code} {err.decode(errors='replace') if isinstance(err, bytes) else err}"
            for code, err in exc.recipients.values()
        ]
        flag_bounce(person=person, address=person.email, reason="; ".join(reasons))
        return False
    return True


def _item_context(notification: Notification, person: Person) -> dict[str, Any]:
    tenant = notification.tenant
    return {
        "person": person,
        "tenant": tenant,
        "item": notification,
        "app_label": queries.APP_LABELS.get(queries.app_of(notification.kind), ""),
        "open_url": site_url(tenant, reverse("timeline:open", args=[notification.pk])),
        "preferences_url": site_url(tenant, reverse("timeline:preferences")),
    }


def _push_to(person: Person, notification: Notification) -> bool:
    """Push to every browser of the person; True when at least one took it."""
    payload = {
        "title": str(
            queries.APP_LABELS.get(queries.app_of(notification.kind), notification.tenant.name)
        ),
        "body": notification.text,
        "url": reverse("timeline:open", args=[notification.pk]),
        "tag": f"preau-{notification.pk}",
    }
    delivered = False
    for sub in PushSubscription.objects.filter(person=person):
        try:
            push.send_push(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth, payload=payload)
        except push.PushGoneError:
            sub.delete()
            continue
        except Exception:  # one browser's push service failing stops no one else
            log.warning("push to subscription %s failed", sub.pk, exc_info=True)
            sub.failures += 1
            if sub.failures >= PUSH_MAX_FAILURES:
                sub.delete()
            else:
                sub.save(update_fields=["failures"])
            continue
        PushSubscription.objects.filter(pk=sub.pk).update(last_ok_at=timezone.now(), failures=0)
        delivered = True
    return delivered


def deliver(notification_ids: list[int]) -> int:
    """Send the new notifications by e-mail at once and by push, to whoever chose so; the
    number of sends. Audience rows are resolved here, in the background, BATCH people at a
    time. Idempotent: see the module's docstring."""
    run = uuid.uuid4().hex
    done = 0
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("tenant", "audience")
    for notification in rows.order_by("pk"):
        if notification.expires_at and notification.expires_at <= timezone.now():
            continue
        group = queries.group_of(notification.kind)
        if notification.recipient_id is not None:
            people = Person.objects.filter(
                pk=notification.recipient_id, tenant_id=notification.tenant_id, is_blocked=False
            )
        elif notification.audience is not None:
            people = resolve_audience(notification.audience)
            if notification.actor_id:
                people = people.exclude(pk=notification.actor_id)
        else:
            continue
        candidates = _recipients(people, [group]).filter(_wants_now(group))
        connection = get_connection()
        try:
            for batch in _in_batches(candidates):
                for person in batch:
                    done += _deliver_one(notification, person, group, run, connection)
        finally:
            connection.close()
    return done


def _wants_now(group: Group) -> Q:
    """Pre-filter in SQL: a browser subscribed, or e-mail at once chosen (or by default)."""
    immediate = Q(**{f"mode_{group}": Mode.IMMEDIATE})
    if queries.ADULT_DEFAULTS[group] == Mode.IMMEDIATE:
        immediate |= Q(**{f"mode_{group}__isnull": True})
    return Q(subscribed=True) | (immediate & ~Q(email=""))


def _deliver_one(
    notification: Notification, person: Any, group: Group, run: str, connection: Any
) -> int:
    sent = 0
    tenant = notification.tenant
    if (
        _mode(person, group, tenant) == Mode.IMMEDIATE
        and _can_email(person)
        and _claim(notification, person, Channel.EMAIL, run)
    ):
        with translation.override(settings.LANGUAGE_CODE):
            subject = f"[{tenant.name}] {notification.text or _('New notification')}"[:200]
        try:
            accepted = _send_email(
                connection,
                person,
                subject=subject,
                template="item",
                context=_item_context(notification, person),
            )
        except BaseException:
            _release(notification, person, Channel.EMAIL, run)
            raise
        sent += int(accepted)
    if (
        person.subscribed
        and _push_on(person, group)
        and _claim(notification, person, Channel.PUSH, run)
    ):
        try:
            _push_to(person, notification)
        except BaseException:
            _release(notification, person, Channel.PUSH, run)
            raise
        sent += 1
    return sent


# --- digests ---------------------------------------------------------------------------------


def period_bounds(
    period: Period, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The period a digest sent `now` covers, in local time: the previous day, or the previous
    week from Monday 00:00 to Monday 00:00."""
    local = timezone.localtime(now or timezone.now())
    end = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == Period.WEEKLY:
        end -= dt.timedelta(days=end.weekday())
        start = end - dt.timedelta(days=7)
    else:
        start = end - dt.timedelta(days=1)
    # Rebuilt in the zone so a DST change inside the period keeps local midnights.
    zone = timezone.get_current_timezone()
    start = start.replace(tzinfo=None).replace(tzinfo=zone)
    end = end.replace(tzinfo=None).replace(tzinfo=zone)
    return start, end


GROUP_KINDS = {
    Group.MESSAGES: Q(kind__startswith="messaging."),
    Group.NEWS: Q(kind__startswith="news."),
    Group.OTHER: ~Q(kind__startswith="messaging.") & ~Q(kind__startswith="news."),
}


def send_digests(period: Period, *, now: dt.datetime | None = None) -> int:
    """One e-mail per person listing their unread items of the period, in the groups they get
    by this digest; the number sent. Each is claimed by a `Digest` row first (see above)."""
    start, end = period_bounds(period, now)
    sent = 0
    tenant_ids = (
        Notification.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    groups = list(Group)
    for tenant in Tenant.objects.filter(pk__in=list(tenant_ids)).order_by("pk"):
        claimed = Digest.objects.filter(person=OuterRef("pk"), period=period, period_start=start)
        people = _recipients(
            Person.objects.filter(tenant=tenant, is_blocked=False).exclude(email=""), groups
        ).filter(~Q(Exists(claimed)), Q(bounced=False))
        connection = get_connection()
        try:
            for batch in _in_batches(people):
                for person in batch:
                    sent += _digest_one(
                        tenant, person, period, start=start, end=end, connection=connection
                    )
        finally:
            connection.close()
    return sent


def _digest_one(
    tenant: Tenant,
    person: Any,
    period: Period,
    *,
    start: dt.datetime,
    end: dt.datetime,
    connection: Any,
) -> int:
    wanted = [g for g in Group if _mode(person, g, tenant) == Mode(period)]
    if not wanted:
        return 0
    kinds = Q(pk__in=[])
    for group in wanted:
        kinds |= GROUP_KINDS[group]
    actor = Actor(person=person, tenant=tenant)
    items = list(
        queries.unread_for(actor)
        .filter(kinds, created_at__gte=start, created_at__lt=end)
        .select_related("actor")
        .order_by("-created_at", "-id")[:100]
    )
    if not items:
        return 0
    try:
        with transaction.atomic():
            claim = Digest.objects.create(
                tenant=tenant, person=person, period=period, period_start=start, items=len(items)
            )
    except IntegrityError:
        return 0
    context = {
        "person": person,
        "tenant": tenant,
        "period": period,
        "start": start,
        "end": end - dt.timedelta(seconds=1),
        "items": [
            {
                "item": n,
                "app_label": queries.APP_LABELS.get(queries.app_of(n.kind), ""),
                "open_url": site_url(tenant, reverse("timeline:open", args=[n.pk])),
            }
            for n in items
        ],
        "feed_url": site_url(tenant, reverse("timeline:index")),
        "preferences_url": site_url(tenant, reverse("timeline:preferences")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("[%(tenant)s] Your daily digest")
            if period == Period.DAILY
            else _("[%(tenant)s] Your weekly digest")
        ) % {"tenant": tenant.name}
    try:
        accepted = _send_email(
            connection, person, subject=subject, template="digest", context=context
        )
    except BaseException:
        claim.delete()
        raise
    return 1 if accepted else 0
