"""Input and output schemas of the messaging API (separate classes, never the models)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from preau.directory.schemas import ErrorOut

RECIPIENTS_MAX = 1000
AUDIENCES_MAX = 20


class MessagingErrorOut(ErrorOut):
    count: int | None = Field(
        None, description="With `confirm`: how many people the message would go to."
    )
    fields: dict[str, list[str]] | None = Field(
        None, description="With `invalid`: the reasons, per input field."
    )


# --- out ------------------------------------------------------------------------------------


class PersonRefOut(Schema):
    id: int
    full_name: str


class AddressedOut(Schema):
    kind: Literal["person", "audience"]
    id: int
    label: str


class FolderOut(Schema):
    key: str = Field(
        description="What to pass to /folders/{key}: `inbox`, `sent`, `drafts`, `trash`, or the "
        "id of a personal folder."
    )
    kind: Literal["inbox", "sent", "drafts", "trash", "personal"]
    id: int | None = Field(description="A personal folder's id; null for the others.")
    name: str
    unread: int = Field(description="Copies not read yet (0 for sent, drafts and trash).")


class MessageSummaryOut(Schema):
    id: int = Field(description="A received copy's id (`kind` received), else the message's.")
    kind: Literal["received", "sent", "draft"]
    message_id: int
    subject: str
    sender: PersonRefOut
    addressed: list[AddressedOut]
    recipient_count: int
    at: dt.datetime | None = Field(description="Delivered (received), sent, or last saved.")
    is_read: bool
    is_flagged: bool
    folder_id: int | None
    in_trash: bool


class MessagePageOut(Schema):
    items: list[MessageSummaryOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last.")


class MessageOut(MessageSummaryOut):
    body_html: str = Field(description="The sanitised HTML, as stored.")
    thread_id: int | None
    reply_to_id: int | None
    is_broadcast: bool = Field(description="A school's broadcast: answer the sender only.")
    sent_at: dt.datetime | None


class RecalledOut(Schema):
    id: int
    recalled_at: dt.datetime


class SentOut(Schema):
    id: int
    thread_id: int | None
    recipient_count: int
    sent_at: dt.datetime | None


# --- in -------------------------------------------------------------------------------------


class PageQueryIn(Schema):
    after: str | None = Field(None, description="The `next` cursor of the previous page.")


class SendIn(Schema):
    subject: str = Field("", max_length=1000)
    body: str = Field("", max_length=200_000, description="HTML; sanitised on the way in.")
    people: list[int] = Field(default_factory=list, max_length=RECIPIENTS_MAX)
    audiences: list[int] = Field(
        default_factory=list, max_length=AUDIENCES_MAX, description="Audience ids."
    )
    broadcast: bool = Field(False, description="From the school, no reply-all (staff only).")
    confirmed: bool = Field(False, description="Resend with true after a 409 `confirm`.")
    draft_id: int | None = Field(None, description="Send this draft of mine.")
    forward_of: int | None = Field(
        None, description="A message I sent or received: its attachments go along."
    )


class DraftIn(Schema):
    subject: str = Field("", max_length=1000)
    body: str = Field("", max_length=200_000, description="HTML; sanitised on the way in.")
    people: list[int] = Field(default_factory=list, max_length=RECIPIENTS_MAX)
    audiences: list[int] = Field(default_factory=list, max_length=AUDIENCES_MAX)


class FlagIn(Schema):
    flagged: bool = True


class ReplyIn(Schema):
    subject: str | None = Field(None, max_length=1000, description="Default: “Re: <subject>”.")
    body: str = Field("", max_length=200_000)
    reply_all: bool = False
    confirmed: bool = False


class MoveIn(Schema):
    to: Literal["inbox", "trash", "restore"] | int = Field(
        description="`inbox`, `trash`, `restore` (out of the trash, back where it was) or the id "
        "of one of my folders."
    )


class ReadIn(Schema):
    read: bool = True


class FolderIn(Schema):
    name: str = Field(max_length=200)
