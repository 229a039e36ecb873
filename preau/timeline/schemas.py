"""Input and output schemas of the timeline API (separate classes, never the models)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from preau.directory.schemas import ErrorOut

ModeName = Literal["feed", "immediate", "daily", "weekly"]
GroupName = Literal["messages", "news", "other"]


class TimelineErrorOut(ErrorOut):
    fields: dict[str, list[str]] | None = Field(
        None, description="With `invalid`: the reasons, per input field."
    )


class PersonRefOut(Schema):
    id: int
    full_name: str


class ItemOut(Schema):
    id: int
    kind: str = Field(description="`<app>.<event>`, e.g. `news.published`.")
    app: str = Field(description="The kind's app: `messaging`, `news`, ...")
    app_label: str
    text: str
    url: str = Field(description="Where the item leads (a same-site path), or empty.")
    actor: PersonRefOut | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    is_read: bool


class FeedOut(Schema):
    items: list[ItemOut]
    next: str | None = Field(description="Pass as `after` for the next page; null at the end.")


class FeedQueryIn(Schema):
    after: str | None = Field(None, description="The `next` cursor of the previous page.")
    app: str | None = Field(None, description="Only this app's items (`messaging`, `news`...).")
    limit: int = Field(20, ge=1, le=100)


class UnreadOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int


class PreferenceOut(Schema):
    group: GroupName
    label: str
    mode: ModeName
    push: bool


class PreferencesOut(Schema):
    email: str = Field(description="The address e-mails go to (empty: none).")
    email_allowed: bool = Field(description="False for a pupil when the territory sends none.")
    bounced_at: dt.datetime | None = Field(description="When that address was refused, if so.")
    preferences: list[PreferenceOut]


class PreferenceIn(Schema):
    group: GroupName
    mode: ModeName
    push: bool = True


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(max_length=10)


class PushKeysIn(Schema):
    p256dh: str = Field(max_length=120)
    auth: str = Field(max_length=60)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000)
    keys: PushKeysIn


class PushEndpointIn(Schema):
    endpoint: str = Field(max_length=1000)


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    created: dt.datetime
