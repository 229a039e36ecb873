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
    space_id: int
    created_at: dt.datetime
    in_trash: bool = False


class FolderIn(Schema):
    name: str = Field(max_length=200)
    parent: int | None = Field(None, description="The folder to create it in (the top without).")


class RenameIn(Schema):
    name: str = Field(max_length=200)


class PlaceIn(Schema):
    """Where to move or copy: a folder (`folder`), or the top of a space (`space`); neither
    for the top of the item's own space."""

    space: int | None = None
    folder: int | None = None


class SharedItemOut(Schema):
    share_id: int
    kind: Literal["folder", "file"]
    id: int = Field(description="The folder's or the file's id.")
    name: str
    space_id: int
    right: str
    shared_by: PersonRefOut | None
    shared_at: dt.datetime


class SharedPageOut(Schema):
    items: list[SharedItemOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")


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
