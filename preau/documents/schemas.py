"""Input and output schemas of the documents API (separate classes, never the models)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from preau.directory.schemas import ErrorOut

PEOPLE_MAX = 200


class DocumentsErrorOut(ErrorOut):
    fields: dict[str, list[str]] | None = Field(
        None, description="With `invalid`: the reasons, per input field."
    )


class PersonRefOut(Schema):
    id: int
    full_name: str


class SpaceOut(Schema):
    id: int
    kind: Literal["personal", "class", "group", "school"]
    name: str


class OpenSpaceIn(Schema):
    kind: Literal["personal", "class", "group", "school"]
    ref_id: int | None = Field(None, description="The class, group or school (not personal).")


class FolderOut(Schema):
    id: int
    name: str
    parent_id: int | None
    created_at: dt.datetime


class DocumentOut(Schema):
    id: int
    name: str
    folder_id: int | None
    space_id: int
    size: int
    content_type: str = Field(description="The type it is served with (sniffed from content).")
    owner: PersonRefOut | None
    updated_at: dt.datetime
    in_trash: bool


class FolderPageOut(Schema):
    folders: list[FolderOut] = Field(description="Sub-folders (first page only).")
    files: list[DocumentOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page of files.")


class ShareIn(Schema):
    right: Literal["read", "comment", "contribute", "manage", "publish"]
    people: list[int] = Field(default_factory=list, max_length=PEOPLE_MAX)
    audiences: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Collective targets as keys: `class_pupils:<id>`, `group:<id>`, `school:<id>`…",
    )


class ShareOut(Schema):
    id: int
    right: str
    person: PersonRefOut | None
    audience_label: str


class QuotaOut(Schema):
    used: int
    total: int
