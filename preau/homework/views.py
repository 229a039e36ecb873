"""Notebook pages: a pupil's (or child's) to-do list, a teacher's courses and a course's
notebook (write with files, copy, print), the management's inspection with its visa, the
download of a lesson's or homework's file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.files import download_response
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.directory.models import Profile
from preau.documents.queries import recent_documents, workspace_uploads
from preau.homework import actions, forms, queries
from preau.homework.models import Attachment, Homework, LessonLog
from preau.homework.permissions import Perm, policy, reads_drafts
from preau.timetable.models import Course


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def todo(request: ActorRequest) -> HttpResponse:
    """What is to do, by due date: mine, or a child's (`?child=`) for a guardian."""
    actor = request.actor
    children = list(queries.children_of(actor))
    pupil = actor.person
    if request.GET.get("child"):
        pupil = queries.access_child(actor, _int(request.GET["child"]))
    elif children and not actor.has_profile(Profile.PUPIL):
        if actor.has_profile(Profile.TEACHER):
            return redirect("homework:courses")
        pupil = children[0]
    elif actor.has_profile(Profile.TEACHER):
        return redirect("homework:courses")
    items = list(queries.todo_for(pupil, since=timezone.localdate()))
    days: dict[dt.date, list[Any]] = {}
    for item in items:
        days.setdefault(item.due_on, []).append(item)
    return render(
        request,
        "homework/pages/todo.html",
        {
            "pupil": pupil,
            "children": children,
            "is_mine": pupil == actor.person,
            "days": sorted(days.items()),
            "now": timezone.now(),
            "left": sum(not getattr(i, "is_done", False) for i in items),
        },
    )


@login_required
@require_POST
def done(request: ActorRequest, homework_id: int) -> HttpResponse:
    homework = queries.access_homework_for_pupil(request.actor, homework_id)
    is_done = request.POST.get("done") == "1"
    actions.mark_done(actor=request.actor, homework=homework, done=is_done)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "homework/partials/done_button.html",
            {"item": homework, "is_done": is_done},
        )
    return redirect("homework:index")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def my_courses(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    schools = [
        s
        for s in actor.schools
        if s.pk in actor.admin_school_ids or "DIR" in actor.functions_in(s.pk)
    ]
    return render(
        request,
        "homework/pages/courses.html",
        {"courses": list(queries.courses_taught(actor)), "inspect": schools},
    )


def _notebook_context(request: ActorRequest, course: Course) -> dict[str, Any]:
    can_write = policy.can(request.actor, Perm.WRITE, course)
    families = not reads_drafts(request.actor, course)
    return {
        "course": course,
        "lessons": list(queries.notebook_of(course, published_only=families)),
        "loose": list(queries.homework_without_lesson(course, published_only=families)),
        "can_write": can_write,
        "can_visa": policy.can(request.actor, Perm.VISA, course),
        "visas": list(queries.visas_of(course)),
        "now": timezone.now(),
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def notebook(request: ActorRequest, course_id: int) -> HttpResponse:
    """A course's notebook. Its teacher writes a lesson (and its homework) at the top; the
    management stamps it (POST `visa`)."""
    actor = request.actor
    course = queries.access_course(actor, course_id)
    visa_form = forms.VisaForm()
    documents = _document_choices(request) if policy.can(actor, Perm.WRITE, course) else []
    form = forms.LessonForm(initial={"date": timezone.localdate()}, document_choices=documents)
    if request.method == "POST":
        if "visa" in request.POST:
            course = queries.access_course(actor, course_id, Perm.VISA)
            visa_form = forms.VisaForm(request.POST)
            if visa_form.is_valid():
                actions.stamp_visa(actor=actor, course=course, note=visa_form.cleaned_data["note"])
                messages.success(request, _("The notebook is stamped."))
                return redirect("homework:notebook", course_id=course.pk)
        else:
            course = queries.access_course(actor, course_id, Perm.WRITE)
            form = forms.LessonForm(request.POST, request.FILES, document_choices=documents)
            if _save_lesson(request, course, form, None):
                return redirect("homework:notebook", course_id=course.pk)
    return render(
        request,
        "homework/pages/notebook.html",
        {**_notebook_context(request, course), "form": form, "visa_form": visa_form},
    )


def _document_choices(request: ActorRequest) -> list[tuple[int, str]]:
    """The teacher's latest files of their own space, to attach without uploading again."""
    return [(d.pk, d.name) for d in recent_documents(request.actor)]


def _save_lesson(
    request: ActorRequest,
    course: Course,
    form: forms.LessonForm,
    lesson: LessonLog | None,
    *,
    homework_set: Sequence[Homework] = (),
    attached: Sequence[Attachment] = (),
) -> bool:
    """Save the lesson form in one step (the action checks everything before writing): saved,
    or the form with its errors and nothing stored."""
    actor = request.actor
    if form.is_valid():
        data = form.cleaned_data
        by_id = {h.pk: h for h in homework_set}
        files = {a.pk: a for a in attached}
        draft = None
        if data["homework"]:
            draft = actions.HomeworkDraft(
                due_on=data["due_on"],
                instructions=data["homework"],
                estimated_minutes=data["estimated_minutes"] or 0,
                publish_at=data["publish_at"],
                hand_in_until=data["hand_in_until"],
            )
        try:
            actions.record_lesson(
                actor=actor,
                course=course,
                date=data["date"],
                title=data["title"],
                content=data["content"],
                lesson=lesson,
                files=[*data["lesson_files"], *workspace_uploads(actor, data["lesson_documents"])],
                removed=[files[pk] for pk in data.get("remove") or []],
                homework=draft,
                homework_files=[
                    *data["homework_files"],
                    *workspace_uploads(actor, data["homework_documents"]),
                ],
                files_for=by_id.get(data.get("files_for") or 0),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The notebook is updated."))
            return True
    if request.FILES:
        form.add_error(
            None, _("Nothing is saved yet: choose your files again once the errors are fixed.")
        )
    return False


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def edit_lesson(request: ActorRequest, lesson_id: int) -> HttpResponse:
    lesson = queries.access_lesson(request.actor, lesson_id)
    course = lesson.course
    homework_set = list(queries.homework_of_lesson(lesson))
    attached = [
        *((a, _("Lesson")) for a in queries.files_of_lesson(lesson)),
        *((a, _homework_label(h)) for h in homework_set for a in h.attachments.all()),
    ]
    form = forms.LessonForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "date": lesson.date,
            "title": lesson.title,
            "content_html": lesson.content_html,
        },
        document_choices=_document_choices(request),
        homework_choices=[(h.pk, _homework_label(h)) for h in homework_set],
        attachment_choices=[(a.pk, _file_label(a, owner)) for a, owner in attached],
    )
    if request.method == "POST" and _save_lesson(
        request, course, form, lesson, homework_set=homework_set, attached=[a for a, _o in attached]
    ):
        return redirect("homework:notebook", course_id=course.pk)
    return render(
        request,
        "homework/pages/edit.html",
        {"lesson": lesson, "course": course, "form": form},
    )


def _homework_label(homework: Homework) -> str:
    return _("Homework for %(day)s") % {"day": date_format(homework.due_on, "l j F")}


def _file_label(attachment: Attachment, owner: str) -> str:
    return f"{attachment.name} ({filesizeformat(attachment.size)}) · {owner}"


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def copy(request: ActorRequest, lesson_id: int) -> HttpResponse:
    """The lesson's content and files for another class the teacher has the course of."""
    actor = request.actor
    lesson = queries.access_lesson(actor, lesson_id)
    others = [c for c in queries.courses_taught(actor) if c.pk != lesson.course_id]
    choices = [(c.pk, str(c)) for c in others]
    form = forms.CopyForm(request.POST or None, courses=choices, initial={"date": lesson.date})
    if request.method == "POST" and form.is_valid():
        target = next(c for c in others if c.pk == form.cleaned_data["course"])
        try:
            actions.copy_lesson(
                actor=actor, lesson=lesson, to=target, date=form.cleaned_data["date"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The lesson is copied."))
            return redirect("homework:notebook", course_id=target.pk)
    return render(
        request, "homework/pages/copy.html", {"lesson": lesson, "form": form, "others": others}
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def print_notebook(request: ActorRequest, course_id: int) -> HttpResponse:
    course = queries.access_course(request.actor, course_id)
    return render(request, "homework/pages/print.html", _notebook_context(request, course))


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def inspection(request: ActorRequest, school_id: int) -> HttpResponse:
    """Every notebook of the school this year, by teacher and class, with its last visa."""
    actor = request.actor
    school = queries.access_school_to_inspect(actor, school_id)
    return render(
        request,
        "homework/pages/inspection.html",
        {"school": school, "courses": list(queries.inspection_of(school))},
    )


@login_required
@require_POST
def hand_in(request: ActorRequest, homework_id: int) -> HttpResponse:
    """A pupil hands their work in (one file; again: replaced)."""
    homework = queries.access_homework_for_pupil(request.actor, homework_id)
    form = forms.HandInForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.hand_in(
                actor=request.actor, homework=homework, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your work is handed in."))
    else:
        messages.error(request, _("Choose the file of your work."))
    return redirect("homework:index")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def hand_ins(request: ActorRequest, homework_id: int) -> HttpResponse:
    """What the pupils handed in, for the course's teacher."""
    homework = queries.access_homework_to_mark(request.actor, homework_id)
    return render(
        request,
        "homework/pages/hand_ins.html",
        {
            "homework": homework,
            "course": homework.course,
            "rows": list(queries.hand_ins_of(homework)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment(request: ActorRequest, attachment_id: int) -> FileResponse:
    """A lesson's or homework's file, for whoever reads the notebook (as a download, with a
    type its content and name agree on)."""
    row = queries.access_attachment(request.actor, attachment_id)
    return download_response(row.file, name=row.name, content_type=row.content_type)


@login_required
@require_http_methods(["GET", "HEAD"])
def hand_in_file(request: ActorRequest, hand_in_id: int) -> FileResponse:
    row = queries.access_hand_in(request.actor, hand_in_id)
    return download_response(row.file, name=row.name, content_type=row.content_type)
