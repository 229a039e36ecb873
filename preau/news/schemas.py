"""Input and output schemas of the news API (separate classes, never the models)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from preau.directory.schemas import ErrorOut

TARGETS_MAX = 50


class NewsErrorOut(ErrorOut):
    fields: dict[str, list[str]] | None = Field(
        None, description="With `invalid`: the reasons, per input field."
    )


class PersonRefOut(Schema):
    id: int
    full_name: str


class AddressedOut(Schema):
    key: str = Field(description="The target key, e.g. `class_guardians:12`.")
    label: str


class NewsSummaryOut(Schema):
    id: int
    title: str
    status: str = Field(description="draft, submitted, scheduled, published, rejected, withdrawn")
    author: PersonRefOut | None
    school_id: int | None
    authority_id: int | None
    is_urgent: bool
    allow_comments: bool
    publish_at: dt.datetime | None
    published_at: dt.datetime | None
    expires_at: dt.datetime | None
    is_read: bool


class NewsPageOut(Schema):
    items: list[NewsSummaryOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last.")


class FileOut(Schema):
    id: int
    kind: str = Field(description="`image` (shown in the news) or `attachment`.")
    name: str
    size: int
    url: str


class NewsOut(NewsSummaryOut):
    body_html: str = Field(description="The sanitised HTML, as stored.")
    addressed: list[AddressedOut]
    rejection_reason: str
    files: list[FileOut]


class TargetChoiceOut(Schema):
    key: str
    label: str
    group: str


class PageQueryIn(Schema):
    after: str | None = Field(None, description="The `next` cursor of the previous page.")


class NewsIn(Schema):
    title: str = Field(max_length=1000)
    body: str = Field(
        "",
        max_length=4 * 1024**2,
        description="HTML (pictures inside as data: addresses); sanitised.",
    )
    targets: list[str] = Field(
        default_factory=list,
        max_length=TARGETS_MAX,
        description="Target keys from `/news/targets` (`school:3`, `class_guardians:12`…).",
    )
    publish_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    is_urgent: bool = False
    allow_comments: bool = False
