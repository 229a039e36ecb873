"""Helpers of the timeline tests: actors, audiences, notifications at a given time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from preau.core.models import Notification
from preau.core.notify import notify
from preau.directory.models import Audience, AudienceTarget
from preau.directory.queries import build_actor


def actor(person: Any) -> Any:
    return build_actor(person, tenant=person.tenant)


def audience(tenant: Any, kind: str = AudienceTarget.Kind.SCHOOL, **target: Any) -> Audience:
    """An audience of one target (`audience(t, "class_guardians", school_class=c)`)."""
    a = Audience.objects.create(tenant=tenant, label=f"{kind} {target}")
    AudienceTarget.objects.create(tenant=tenant, audience=a, kind=kind, **target)
    return a


def post(
    author: Any,
    recipients: Any,
    *,
    kind: str = "news.published",
    text: str = "La cantine est fermée jeudi",
    url: str = "/news/1/",
    at: dt.datetime | None = None,
    **kw: Any,
) -> Notification:
    """Store one notification (as an app would through notify), optionally dated `at`."""
    rows = notify(recipients, kind=kind, obj=None, actor=actor(author), text=text, url=url, **kw)
    if at is not None:
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(created_at=at)
    return rows[0]


@pytest.fixture
def delivered(django_capture_on_commit_callbacks: Any) -> Any:
    """`delivered(author, recipients, **kw)`: `post`, with the after-commit delivery run."""

    def make(*args: Any, **kw: Any) -> Notification:
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kw)

    return make


def ago(**delta: Any) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)
