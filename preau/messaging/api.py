"""The messaging JSON API (/api/v1/messages/): folders, pages of a folder, reading, sending,
replying, filing and the trash, for the mobile app.

Endpoints call the same actions and queries as the pages; `request.auth` is the Actor (session
or token). Another person's — or school's, or tenant's — message, copy, folder or audience
answers 404 and changes nothing; every refusal carries a machine-readable `code`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from preau.core.actor import Actor
from preau.core.pagination import BadCursorError, Page
from preau.directory.models import Audience
from preau.messaging import actions, queries
from preau.messaging.models import Delivery, Folder, Message
from preau.messaging.schemas import (
    DraftIn,
    FlagIn,
    FolderIn,
    FolderOut,
    MessageOut,
    MessagePageOut,
    MessageSummaryOut,
    MessagingErrorOut,
    MoveIn,
    PageQueryIn,
    ReadIn,
    RecalledOut,
    ReplyIn,
    SendIn,
    SentOut,
)

router = Router(tags=["messaging"])

ERRORS: dict[int, type[MessagingErrorOut]] = {
    400: MessagingErrorOut,
    403: MessagingErrorOut,
    404: MessagingErrorOut,
    409: MessagingErrorOut,
    422: MessagingErrorOut,
}
BUILT_IN_FOLDERS = ("inbox", "sent", "drafts", "trash")


class NotFoundError(Exception):
    """A missing — or someone else's — object, with the code the app sees."""

    def __init__(self, code: str = "not_found") -> None:
        super().__init__(code)
        self.code = code


def _actor(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined]


def _error(exc: Exception) -> Status[dict[str, Any]]:
    """The 4xx answer of a refusal raised by an action or a query."""
    if isinstance(exc, Http404 | NotFoundError):
        code = exc.code if isinstance(exc, NotFoundError) else "not_found"
        detail = (
            _("This folder does not exist or is not yours.")
            if code == "folder_not_found"
            else _("This audience does not exist.")
            if code == "audience_not_found"
            else _("This message does not exist or is not yours.")
        )
        return Status(404, {"detail": detail, "code": code})
    if isinstance(exc, BadCursorError):
        return Status(
            400,
            {
                "detail": _("The cursor is malformed or out of date: start again without `after`."),
                "code": "bad_cursor",
            },
        )
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": _("You are not allowed to do this."), "code": "forbidden"})
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
        detail = " ".join(m for messages in fields.values() for m in messages)
        return Status(422, {"detail": detail, "code": "invalid", "fields": fields})
    detail = " ".join(exc.messages)
    if exc.code == "confirm":
        return Status(409, {"detail": detail, "code": "confirm", "count": _confirm_count(exc)})
    return Status(422, {"detail": detail, "code": exc.code or "invalid"})


def _confirm_count(exc: ValidationError) -> int | None:
    """The number of people of a `confirm` refusal (its `count` parameter)."""
    params = getattr(exc, "params", None) or {}
    return int(params["count"]) if "count" in params else None


REFUSALS = (Http404, NotFoundError, BadCursorError, PermissionDenied, ValidationError)


# --- output -----------------------------------------------------------------------------------


def _person(person: Any) -> dict[str, Any]:
    return {"id": person.pk, "full_name": person.full_name}


def _copy(copy: Delivery) -> dict[str, Any]:
    message = copy.message
    return {
        "id": copy.pk,
        "kind": "received",
        "message_id": message.pk,
        "subject": message.subject,
        "sender": _person(message.sender),
        "addressed": message.addressed,
        "recipient_count": message.recipient_count,
        "at": copy.delivered_at,
        "is_read": copy.read_at is not None,
        "is_flagged": copy.is_flagged,
        "folder_id": copy.folder_id,
        "in_trash": copy.trashed_at is not None,
    }


def _message(message: Message) -> dict[str, Any]:
    """A message the actor wrote: sent, or a draft."""
    return {
        "id": message.pk,
        "kind": "sent" if message.sent_at else "draft",
        "message_id": message.pk,
        "subject": message.subject,
        "sender": _person(message.sender),
        "addressed": message.addressed,
        "recipient_count": message.recipient_count,
        "at": message.sent_at or message.updated_at,
        "is_read": True,
        "is_flagged": False,
        "folder_id": None,
        "in_trash": False,
    }


def _detail(summary: dict[str, Any], message: Message) -> dict[str, Any]:
    return {
        **summary,
        "body_html": message.body_html,
        "thread_id": message.thread_id,
        "reply_to_id": message.reply_to_id,
        "is_broadcast": message.is_broadcast,
        "sent_at": message.sent_at,
    }


def _sent(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "thread_id": message.thread_id,
        "recipient_count": message.recipient_count,
        "sent_at": message.sent_at,
    }


# --- folders ----------------------------------------------------------------------------------


def _unread_by_folder(actor: Actor) -> dict[int | None, int]:
    """Unread copies out of the trash per folder (None: the inbox), in one query."""
    rows = (
        Delivery.objects.filter(
            tenant=actor.tenant, recipient=actor.person, read_at__isnull=True, trashed_at=None
        )
        .order_by()
        .values("folder_id")
        .annotate(n=Count("id"))
        .values_list("folder_id", "n")
    )
    return dict(rows)


def _own_folder(actor: Actor, folder_id: int) -> Folder:
    folder = queries.folders_of(actor).filter(pk=folder_id).first()
    if folder is None:
        raise NotFoundError("folder_not_found")
    return folder


@router.get("/folders", response=list[FolderOut], summary="My folders, with unread counts")
def folders(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    unread = _unread_by_folder(actor)
    names = {
        "inbox": _("Inbox"),
        "sent": _("Sent"),
        "drafts": _("Drafts"),
        "trash": _("Trash"),
    }
    rows: list[dict[str, Any]] = [
        {
            "key": key,
            "kind": key,
            "id": None,
            "name": names[key],
            "unread": unread.get(None, 0) if key == "inbox" else 0,
        }
        for key in BUILT_IN_FOLDERS
    ]
    rows += [
        {
            "key": str(f.pk),
            "kind": "personal",
            "id": f.pk,
            "name": f.name,
            "unread": unread.get(f.pk, 0),
        }
        for f in queries.folders_of(actor)
    ]
    return rows


@router.post("/folders", response={201: FolderOut, **ERRORS}, summary="Create a personal folder")
def create_folder(request: HttpRequest, data: FolderIn) -> Status[dict[str, Any]]:
    try:
        folder = actions.create_folder(actor=_actor(request), name=data.name)
    except REFUSALS as exc:
        return _error(exc)
    return Status(
        201,
        {"key": str(folder.pk), "kind": "personal", "id": folder.pk, "name": folder.name,
         "unread": 0},
    )  # fmt: skip


@router.get(
    "/folders/{folder}",
    response={200: MessagePageOut, **ERRORS},
    summary="One page of a folder, newest first",
)
def folder_page(
    request: HttpRequest, folder: str, filters: Query[PageQueryIn]
) -> Status[dict[str, Any]]:
    """`folder`: `inbox`, `sent`, `drafts`, `trash` or a personal folder's id. Keyset-paged:
    follow `next` (as `after`) until it is null."""
    actor = _actor(request)
    try:
        items: list[dict[str, Any]]
        page: Page[Any]
        if folder in {"sent", "drafts"}:
            messages = queries.sent_by(actor) if folder == "sent" else queries.drafts_of(actor)
            page = queries.page_of_messages(messages, after=filters.after)
            items = [_message(m) for m in page.items]
        else:
            if folder == "inbox":
                copies = queries.inbox_for(actor)
            elif folder == "trash":
                copies = queries.trash_for(actor)
            elif folder.isdigit():
                copies = queries.inbox_for(actor, folder=_own_folder(actor, int(folder)))
            else:
                raise NotFoundError("folder_not_found")
            page = queries.page_of_copies(copies, after=filters.after)
            items = [_copy(c) for c in page.items]
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, {"items": items, "next": page.next_cursor})


# --- reading ----------------------------------------------------------------------------------


@router.get(
    "/copies/{copy_id}",
    response={200: MessageOut, **ERRORS},
    summary="Read a message I received (marks it read)",
)
def read_copy(request: HttpRequest, copy_id: int) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        copy = queries.access_copy(actor, copy_id)
        if copy.read_at is None:
            actions.mark_read(actor=actor, delivery=copy)
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _detail(_copy(copy), copy.message))


@router.get(
    "/sent/{message_id}",
    response={200: MessageOut, **ERRORS},
    summary="Read a message I sent",
)
def read_sent(request: HttpRequest, message_id: int) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        message = queries.access_message(actor, message_id)
        if message.sender_id != actor.person.pk:
            raise Http404
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _detail(_message(message), message))


@router.post(
    "/copies/{copy_id}/read",
    response={200: MessageSummaryOut, **ERRORS},
    summary="Mark a message read or unread",
)
def mark_read(request: HttpRequest, copy_id: int, data: ReadIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        copy = queries.access_copy(actor, copy_id)
        actions.mark_read(actor=actor, delivery=copy, read=data.read)
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _copy(copy))


@router.post(
    "/copies/{copy_id}/flag",
    response={200: MessageSummaryOut, **ERRORS},
    summary="Flag a message to find it again, or take the flag off",
)
def flag(request: HttpRequest, copy_id: int, data: FlagIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        copy = queries.access_copy(actor, copy_id)
        actions.flag_copy(actor=actor, delivery=copy, flagged=data.flagged)
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _copy(copy))


# --- sending ----------------------------------------------------------------------------------


def _audiences(actor: Actor, ids: list[int]) -> list[Audience]:
    """The actor's tenant's audiences of `ids`; one missing (or of another tenant): 404."""
    wanted = set(ids)
    found = list(Audience.objects.filter(tenant=actor.tenant, pk__in=wanted).order_by("id"))
    if len(found) != len(wanted):
        raise NotFoundError("audience_not_found")
    return found


@router.post(
    "",
    response={201: SentOut, **ERRORS},
    summary="Send a message",
)
def send(request: HttpRequest, data: SendIn) -> Status[dict[str, Any]]:
    """To people (ids of people I may write to: `/api/v1/people`) and audiences. Above the
    confirmation threshold, or to guardians, the answer is 409 `confirm` with `count`: ask, then
    send again with `confirmed: true`. A recipient I may not write to refuses the whole message
    (422 `recipient_refused` or `audience_refused`): nothing is sent."""
    actor = _actor(request)
    try:
        draft = queries.access_draft(actor, data.draft_id) if data.draft_id else None
        forward_of = queries.access_message(actor, data.forward_of) if data.forward_of else None
        message = actions.send_message(
            actor=actor,
            subject=data.subject,
            body=data.body,
            recipients=actions.Recipients(
                people=sorted(set(data.people)), audiences=_audiences(actor, data.audiences)
            ),
            draft=draft,
            broadcast=data.broadcast,
            confirmed=data.confirmed,
            forward_of=forward_of,
        )
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _sent(message))


@router.post(
    "/{message_id}/reply",
    response={201: SentOut, **ERRORS},
    summary="Reply to a message (its author; with `reply_all`, everyone addressed too)",
)
def reply(request: HttpRequest, message_id: int, data: ReplyIn) -> Status[dict[str, Any]]:
    """A message I received or sent. The reply-all of a school's broadcast goes to its author
    only. Confirmation as for sending (409 `confirm`)."""
    actor = _actor(request)
    try:
        original = queries.access_message(actor, message_id)
        subject = data.subject
        if subject is None:
            subject = _("Re: %(subject)s") % {"subject": original.subject}
        message = actions.send_message(
            actor=actor,
            subject=subject[: actions.SUBJECT_MAX],
            body=data.body,
            recipients=actions.reply_recipients(
                actor=actor, message=original, reply_all=data.reply_all
            ),
            reply_to=original,
            confirmed=data.confirmed,
        )
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _sent(message))


# --- filing and the trash ---------------------------------------------------------------------


@router.post(
    "/copies/{copy_id}/move",
    response={200: MessageSummaryOut, **ERRORS},
    summary="Move a message: to a folder, to the inbox, to the trash, or out of it",
)
def move(request: HttpRequest, copy_id: int, data: MoveIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        copy = queries.access_copy(actor, copy_id)
        if data.to == "trash":
            actions.move_to_trash(actor=actor, delivery=copy)
        elif data.to == "restore":
            actions.restore(actor=actor, delivery=copy)
        else:
            folder = None if data.to == "inbox" else _own_folder(actor, int(data.to))
            if copy.trashed_at is not None:
                actions.restore(actor=actor, delivery=copy)
            actions.file_in(actor=actor, delivery=copy, folder=folder)
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _copy(copy))


@router.delete(
    "/copies/{copy_id}",
    response={204: None, **ERRORS},
    summary="Put a message in the trash (emptied after 30 days)",
)
def delete(request: HttpRequest, copy_id: int) -> Status[dict[str, Any] | None]:
    actor = _actor(request)
    try:
        copy = queries.access_copy(actor, copy_id)
        actions.move_to_trash(actor=actor, delivery=copy)
    except REFUSALS as exc:
        return _error(exc)  # type: ignore[return-value]
    return Status(204, None)


# --- drafts and recall ------------------------------------------------------------------------


def _save_draft(request: HttpRequest, data: DraftIn, draft: Message | None) -> Message:
    actor = _actor(request)
    return actions.save_draft(
        actor=actor,
        subject=data.subject,
        body=data.body,
        recipients=actions.Recipients(
            people=sorted(set(data.people)), audiences=_audiences(actor, data.audiences)
        ),
        draft=draft,
    )


@router.post("/drafts", response={201: MessageOut, **ERRORS}, summary="Save a new draft")
def create_draft(request: HttpRequest, data: DraftIn) -> Status[dict[str, Any]]:
    """Nothing is checked against the communication rules until it is sent (`draft_id`)."""
    try:
        draft = _save_draft(request, data, None)
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _detail(_message(draft), draft))


@router.put("/drafts/{message_id}", response={200: MessageOut, **ERRORS}, summary="Update a draft")
def update_draft(request: HttpRequest, message_id: int, data: DraftIn) -> Status[dict[str, Any]]:
    try:
        draft = _save_draft(request, data, queries.access_draft(_actor(request), message_id))
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _detail(_message(draft), draft))


@router.delete("/drafts/{message_id}", response={204: None, **ERRORS}, summary="Delete a draft")
def delete_draft(request: HttpRequest, message_id: int) -> Status[dict[str, Any] | None]:
    actor = _actor(request)
    try:
        actions.discard_draft(actor=actor, draft=queries.access_draft(actor, message_id))
    except REFUSALS as exc:
        return _error(exc)  # type: ignore[return-value]
    return Status(204, None)


@router.post(
    "/sent/{message_id}/recall",
    response={200: RecalledOut, **ERRORS},
    summary="Recall a message nobody has read yet",
)
def recall(request: HttpRequest, message_id: int) -> Status[dict[str, Any]]:
    """Within PREAU_MESSAGE_RECALL_MINUTES of sending, while no copy is read: the copies are
    deleted. Too late or already read: 422 `too_late` or `read`."""
    actor = _actor(request)
    try:
        message = queries.access_message(actor, message_id)
        if message.sender_id != actor.person.pk:
            raise Http404
        recalled = actions.recall_message(actor=actor, message=message)
    except PermissionDenied:
        return _error(Http404())
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, {"id": recalled.pk, "recalled_at": recalled.recalled_at})
