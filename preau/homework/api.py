"""The homework notebook for the mobile app: what is to do (mine or my child's) with the files
to work on, done marks."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from preau.core.actor import Actor
from preau.core.files import download_response
from preau.directory.schemas import ErrorOut
from preau.homework import actions, queries
from preau.homework.models import Homework
from preau.homework.schemas import DoneIn, HomeworkOut, TodoOut

router = Router(tags=["homework"])


def _item(homework: Homework, is_done: bool) -> dict[str, Any]:
    course = homework.course
    return {
        "id": homework.pk,
        "due_on": homework.due_on,
        "subject": course.subject.label if course.subject else "",
        "unit": course.unit.name,
        "teacher": course.teacher.full_name if course.teacher else "",
        "instructions_html": homework.instructions_html,
        "estimated_minutes": homework.estimated_minutes,
        "is_done": is_done,
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "url": reverse("api:homework_file", args=[a.pk]),
            }
            for a in homework.attachments.all()
        ],
    }


def _not_found() -> Status[dict[str, Any]]:
    return Status(
        404, {"detail": _("This homework does not exist or is not yours."), "code": "not_found"}
    )


@router.get("/todo", response={200: TodoOut, 404: ErrorOut}, summary="Homework to do")
def todo(request: HttpRequest, child: int | None = None) -> Status[dict[str, Any]]:
    """Published homework due from today, soonest first: mine, or my `child`'s."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    try:
        pupil = queries.access_child(actor, child) if child else actor.person
    except Http404:
        return _not_found()
    items = queries.todo_for(pupil, since=timezone.localdate())
    return Status(
        200,
        {"pupil_id": pupil.pk, "items": [_item(h, h.is_done) for h in items]},  # type: ignore[attr-defined]
    )


@router.post("/{homework_id}/done", response={200: HomeworkOut, 404: ErrorOut}, summary="Mark done")
def done(request: HttpRequest, homework_id: int, data: DoneIn) -> Status[dict[str, Any]]:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    try:
        homework = queries.access_homework_for_pupil(actor, homework_id)
    except Http404:
        return _not_found()
    actions.mark_done(actor=actor, homework=homework, done=data.done)
    return Status(200, _item(homework, data.done))


@router.get(
    "/files/{attachment_id}",
    response={404: ErrorOut},
    url_name="homework_file",
    summary="Download a lesson's or homework's file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse | Status[dict[str, Any]]:
    """The file itself (always as an attachment), for whoever reads the notebook: the course's
    pupils and their guardians (homework files once the homework is shown), its teacher, the
    school's teachers, staff and management. 404 for anyone else."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    try:
        row = queries.access_attachment(actor, attachment_id)
    except Http404:
        return Status(
            404, {"detail": _("This file does not exist or is not yours."), "code": "not_found"}
        )
    return download_response(row.file, name=row.name, content_type=row.content_type)
