"""The documents JSON API (/api/v1/documents/): open a space, list a folder (keyset), upload,
download, share; create, rename, move, copy, trash and restore folders and files; what is
shared with me. For the mobile app.

Endpoints call the same actions and queries as the pages; `request.auth` is the Actor.
Missing and forbidden answer 404 alike; refusals carry a machine-readable `code` and a
French `detail`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from preau.core.actor import Actor
from preau.core.pagination import BadCursorError
from preau.documents import actions, delivery, queries
from preau.documents.models import Document, Folder, Right, Share, Space
from preau.documents.schemas import (
    DocumentOut,
    DocumentsErrorOut,
    FolderIn,
    FolderOut,
    FolderPageOut,
    OpenSpaceIn,
    PlaceIn,
    QuotaOut,
    RenameIn,
    SharedPageOut,
    ShareIn,
    ShareOut,
    SpaceOut,
)

router = Router(tags=["documents"])
ERRORS: dict[int, type[DocumentsErrorOut]] = {
    400: DocumentsErrorOut,
    404: DocumentsErrorOut,
    413: DocumentsErrorOut,
    422: DocumentsErrorOut,
}
RIGHTS = {r.name.lower(): r.value for r in Right}


def _actor(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined]


def _error(exc: Exception) -> Status[dict[str, Any]]:
    if isinstance(exc, Http404 | PermissionDenied):
        return Status(
            404, {"detail": _("This item does not exist or is not yours."), "code": "not_found"}
        )
    if isinstance(exc, BadCursorError):
        return Status(
            400,
            {
                "detail": _("The cursor is malformed or out of date: start again without `after`."),
                "code": "bad_cursor",
            },
        )
    assert isinstance(exc, ValidationError)
    code = actions.error_code(exc)
    fields = None
    if hasattr(exc, "error_dict"):
        fields = {name: list(m) for name, m in exc.message_dict.items()}
    status = 413 if code in {"quota", "too_large"} else 422
    return Status(status, {"detail": " ".join(exc.messages), "code": code, "fields": fields})


REFUSALS = (Http404, PermissionDenied, BadCursorError, ValidationError)


def _document(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": d.name,
        "folder_id": d.folder_id,
        "space_id": d.space_id,
        "size": d.size,
        "content_type": d.content_type,
        "owner": {"id": d.owner.pk, "full_name": d.owner.full_name} if d.owner else None,
        "updated_at": d.updated_at,
        "in_trash": d.trashed_at is not None,
    }


def _folder(f: Folder) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.name,
        "parent_id": f.parent_id,
        "space_id": f.space_id,
        "created_at": f.created_at,
        "in_trash": f.trashed_at is not None,
    }


def _share(s: Share) -> dict[str, Any]:
    return {
        "id": s.pk,
        "right": Right(s.right).name.lower(),
        "person": {"id": s.person.pk, "full_name": s.person.full_name} if s.person else None,
        "audience_label": s.audience_label,
    }


@router.post("/spaces", response={200: SpaceOut, **ERRORS}, summary="Open (create) a space")
def open_space(request: HttpRequest, data: OpenSpaceIn) -> Any:
    try:
        space = actions.open_space(actor=_actor(request), kind=data.kind, ref_id=data.ref_id)
    except REFUSALS as exc:
        return _error(exc)
    return {"id": space.pk, "kind": space.kind, "name": space.name}


@router.get("/quota", response=QuotaOut, summary="My storage quota")
def quota(request: HttpRequest) -> Any:
    q = queries.quota_for(_actor(request))
    return {"used": q.used, "total": q.total}


class ListIn(Schema):
    folder: int | None = None
    after: str | None = None


def _place(actor: Actor, space_id: int, folder_id: int | None) -> tuple[Space, Folder | None]:
    """A folder of the space (readable, perhaps only through a share) or the space's top."""
    if folder_id:
        folder = queries.access_folder(actor, folder_id)
        if folder.space_id != space_id:
            raise Http404
        return folder.space, folder
    return queries.access_space(actor, space_id), None


@router.get(
    "/spaces/{space_id}/files",
    response={200: FolderPageOut, **ERRORS},
    summary="A folder's content (the top of the space without `folder`), files by name",
)
def list_folder(request: HttpRequest, space_id: int, params: Query[ListIn]) -> Any:
    actor = _actor(request)
    try:
        space, folder = _place(actor, space_id, params.folder)
        page = queries.page_of_files(space, folder, after=params.after)
    except REFUSALS as exc:
        return _error(exc)
    folders = list(queries.subfolders(space, folder)) if not params.after else []
    return {
        "folders": [_folder(f) for f in folders],
        "files": [_document(d) for d in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/spaces/{space_id}/files",
    response={201: list[DocumentOut], **ERRORS},
    summary="Upload files (multipart `files`, optional `folder`)",
)
def upload(
    request: HttpRequest,
    space_id: int,
    files: list[UploadedFile] = File(...),  # noqa: B008 - ninja's way
    folder: int | None = None,
) -> Any:
    actor = _actor(request)
    try:
        space, target = _place(actor, space_id, folder)
        documents = actions.upload_documents(actor=actor, space=space, folder=target, uploads=files)
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, [_document(d) for d in documents])


@router.get("/files/{document_id}", response={200: DocumentOut, **ERRORS}, summary="A file")
def get_document(request: HttpRequest, document_id: int) -> Any:
    try:
        return _document(queries.access_document(_actor(request), document_id))
    except REFUSALS as exc:
        return _error(exc)


@router.get(
    "/files/{document_id}/download",
    response={200: None, **ERRORS},
    summary="The current version's content (always as an attachment)",
)
def download(request: HttpRequest, document_id: int) -> Any:
    try:
        document = queries.access_document(_actor(request), document_id)
    except REFUSALS as exc:
        return _error(exc)
    if document.current_version is None:
        return _error(Http404())
    response: HttpResponseBase = delivery.file_response(document, document.current_version)
    return response


@router.post(
    "/files/{document_id}/shares",
    response={201: list[ShareOut], **ERRORS},
    summary="Share a file with people and collective targets",
)
def share_document(request: HttpRequest, document_id: int, data: ShareIn) -> Any:
    from preau.messaging.actions import target_for_key
    from preau.messaging.queries import addressable_audiences

    actor = _actor(request)
    try:
        document = queries.access_document(actor, document_id)
        labels = {c.key: c.label for c in addressable_audiences(actor)}
        targets = []
        for key in data.audiences:
            if key not in labels:
                raise ValidationError(
                    {"audiences": _("You may not share with “%(name)s”.") % {"name": key}},
                    code="audience_refused",
                )
            targets.append((target_for_key(actor=actor, key=key), labels[key]))
        shares = actions.share_item(
            actor=actor,
            item=document,
            right=RIGHTS[data.right],
            people=data.people,
            targets=targets,
        )
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, [_share(s) for s in shares])


@router.post(
    "/files/{document_id}/trash", response={200: DocumentOut, **ERRORS}, summary="To the trash"
)
def trash_document(request: HttpRequest, document_id: int) -> Any:
    actor = _actor(request)
    try:
        document = queries.access_document(actor, document_id)
        actions.trash_item(actor=actor, item=document)
    except REFUSALS as exc:
        return _error(exc)
    return _document(document)


@router.post(
    "/files/{document_id}/restore",
    response={200: DocumentOut, **ERRORS},
    summary="Out of the trash",
)
def restore_document(request: HttpRequest, document_id: int) -> Any:
    actor = _actor(request)
    try:
        document = queries.access_document(actor, document_id, trashed=True)
        actions.restore_item(actor=actor, item=document)
    except REFUSALS as exc:
        return _error(exc)
    return _document(document)


# --- folders, and organising files ---------------------------------------------------------


def _destination(actor: Actor, place: PlaceIn, default: Space) -> tuple[Space, Folder | None]:
    """The folder or the top of the space where something goes (readable, else 404; the
    action checks the right to add there)."""
    if place.folder:
        target = queries.access_folder(actor, place.folder)
        if place.space and place.space != target.space_id:
            raise Http404
        return target.space, target
    if place.space:
        return queries.access_space(actor, place.space), None
    return default, None


@router.post(
    "/spaces/{space_id}/folders",
    response={201: FolderOut, **ERRORS},
    summary="Create a folder (at the top of the space without `parent`)",
)
def create_folder(request: HttpRequest, space_id: int, data: FolderIn) -> Any:
    actor = _actor(request)
    try:
        space, parent = _place(actor, space_id, data.parent)
        created = actions.create_folder(actor=actor, space=space, parent=parent, name=data.name)
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _folder(created))


@router.get("/folders/{folder_id}", response={200: FolderOut, **ERRORS}, summary="A folder")
def get_folder(request: HttpRequest, folder_id: int) -> Any:
    try:
        return _folder(queries.access_folder(_actor(request), folder_id))
    except REFUSALS as exc:
        return _error(exc)


@router.post(
    "/folders/{folder_id}/rename", response={200: FolderOut, **ERRORS}, summary="Rename a folder"
)
def rename_folder(request: HttpRequest, folder_id: int, data: RenameIn) -> Any:
    actor = _actor(request)
    try:
        folder = queries.access_folder(actor, folder_id)
        actions.rename_item(actor=actor, item=folder, name=data.name)
    except REFUSALS as exc:
        return _error(exc)
    return _folder(folder)


@router.post(
    "/files/{document_id}/rename", response={200: DocumentOut, **ERRORS}, summary="Rename a file"
)
def rename_document(request: HttpRequest, document_id: int, data: RenameIn) -> Any:
    actor = _actor(request)
    try:
        document = queries.access_document(actor, document_id)
        actions.rename_item(actor=actor, item=document, name=data.name)
    except REFUSALS as exc:
        return _error(exc)
    return _document(document)


@router.post(
    "/folders/{folder_id}/move",
    response={200: FolderOut, **ERRORS},
    summary="Move a folder and all it holds (into `folder`, or to the top of `space`)",
)
def move_folder(request: HttpRequest, folder_id: int, data: PlaceIn) -> Any:
    actor = _actor(request)
    try:
        folder = queries.access_folder(actor, folder_id)
        space, to = _destination(actor, data, folder.space)
        actions.move_item(actor=actor, item=folder, to=to, space=space)
    except REFUSALS as exc:
        return _error(exc)
    return _folder(folder)


@router.post(
    "/files/{document_id}/move",
    response={200: DocumentOut, **ERRORS},
    summary="Move a file (into `folder`, or to the top of `space`)",
)
def move_document(request: HttpRequest, document_id: int, data: PlaceIn) -> Any:
    actor = _actor(request)
    try:
        document = queries.access_document(actor, document_id)
        space, to = _destination(actor, data, document.space)
        actions.move_item(actor=actor, item=document, to=to, space=space)
    except REFUSALS as exc:
        return _error(exc)
    return _document(document)


@router.post(
    "/folders/{folder_id}/copy",
    response={201: FolderOut, **ERRORS},
    summary="Copy a folder with all it holds (counted in my quota)",
)
def copy_folder(request: HttpRequest, folder_id: int, data: PlaceIn) -> Any:
    actor = _actor(request)
    try:
        folder = queries.access_folder(actor, folder_id)
        space, to = _destination(actor, data, folder.space)
        copy = actions.copy_folder(actor=actor, folder=folder, space=space, parent=to)
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _folder(copy))


@router.post(
    "/files/{document_id}/copy",
    response={201: DocumentOut, **ERRORS},
    summary="Copy a file (counted in my quota)",
)
def copy_document(request: HttpRequest, document_id: int, data: PlaceIn) -> Any:
    actor = _actor(request)
    try:
        document = queries.access_document(actor, document_id)
        space, to = _destination(actor, data, document.space)
        copy = actions.copy_document(actor=actor, document=document, space=space, folder=to)
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _document(copy))


@router.post(
    "/folders/{folder_id}/trash",
    response={200: FolderOut, **ERRORS},
    summary="A folder and all it holds to the trash",
)
def trash_folder(request: HttpRequest, folder_id: int) -> Any:
    actor = _actor(request)
    try:
        folder = queries.access_folder(actor, folder_id)
        actions.trash_item(actor=actor, item=folder)
    except REFUSALS as exc:
        return _error(exc)
    return _folder(folder)


@router.post(
    "/folders/{folder_id}/restore",
    response={200: FolderOut, **ERRORS},
    summary="A folder out of the trash, with what went in with it",
)
def restore_folder(request: HttpRequest, folder_id: int) -> Any:
    actor = _actor(request)
    try:
        folder = queries.access_folder(actor, folder_id, trashed=True)
        actions.restore_item(actor=actor, item=folder)
    except REFUSALS as exc:
        return _error(exc)
    folder.refresh_from_db(fields=["parent", "path"])
    return _folder(folder)


class SharedIn(Schema):
    after: str | None = None


@router.get(
    "/shared",
    response={200: SharedPageOut, **ERRORS},
    summary="The folders and files shared with me, newest first",
)
def shared_with_me(request: HttpRequest, params: Query[SharedIn]) -> Any:
    try:
        page = queries.page_shared_with(_actor(request), after=params.after)
    except REFUSALS as exc:
        return _error(exc)
    return {
        "items": [_shared_item(s) for s in page.items],
        "next_cursor": page.next_cursor,
    }


def _shared_item(s: Share) -> dict[str, Any]:
    item: Folder | Document | None = s.folder or s.document
    assert item is not None
    by = s.created_by
    return {
        "share_id": s.pk,
        "kind": "folder" if s.folder_id else "file",
        "id": item.pk,
        "name": item.name,
        "space_id": item.space_id,
        "right": Right(s.right).name.lower(),
        "shared_by": {"id": by.pk, "full_name": by.full_name} if by else None,
        "shared_at": s.created_at,
    }
