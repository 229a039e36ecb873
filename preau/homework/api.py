"""The homework notebook for the mobile app: what is to do (mine or my child's), done marks."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from preau.core.actor import Actor
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
