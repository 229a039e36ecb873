"""The timeline's rows: read marks of audience notifications, delivery preferences, the claims
that make delivery idempotent (sent items, digests), bounced addresses, push subscriptions.

The notifications themselves are `core.Notification` (one row per person, or one per audience).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel


class Group(models.TextChoices):
    """Kinds of notification a person sets a preference for (the kind's app decides)."""

    MESSAGES = "messages", _("Messages")
    NEWS = "news", _("News")
    OTHER = "other", _("Other apps")


class Mode(models.TextChoices):
    FEED = "feed", _("In the feed only")
    IMMEDIATE = "immediate", _("By e-mail at once")
    DAILY = "daily", _("In a daily e-mail digest")
    WEEKLY = "weekly", _("In a weekly e-mail digest")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Web push")


class Period(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class Seen(TenantModel):
    """A person has read an audience notification (per-person rows use `read_at` instead)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(
        "core.Notification", on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "notification"], name="timeline_seen_once")
        ]


class Preference(TenantModel):
    """How a person wants one group of notifications delivered (no row: the defaults)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=20, choices=Group.choices)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    push = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="timeline_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.group}: {self.mode}{' + push' if self.push else ''}"


class Sent(TenantModel):
    """The claim on sending one notification to one person on one channel: inserted (and
    committed) before the send, so no run, retried or concurrent, sends it twice."""

    notification = models.ForeignKey(
        "core.Notification", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    at = models.DateTimeField(default=timezone.now)
    run = models.CharField(max_length=32, help_text="The run that claimed it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "person", "channel"], name="timeline_sent_once"
            )
        ]


class Digest(TenantModel):
    """The claim on one person's digest of one period: at most one e-mail per period."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, choices=Period.choices)
    period_start = models.DateTimeField()
    at = models.DateTimeField(default=timezone.now)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "period_start"], name="timeline_digest_once"
            )
        ]


class Bounce(TenantModel):
    """An address the mail relay refused: no e-mail goes to it while it is the person's."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField()
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "address"])]
        ordering = ["-at", "-id"]


class PushSubscription(TenantModel):
    """One browser of a person, subscribed to web push (its endpoint and encryption keys)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=120)
    auth = models.CharField(max_length=60)
    created = models.DateTimeField(default=timezone.now)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "endpoint"], name="timeline_push_once")
        ]
