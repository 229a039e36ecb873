"""Notebook pages: a pupil's (or child's) to-do list, a teacher's courses and a course's
notebook (write, copy, print), the management's inspection with its visa."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.files import download_response
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.directory.models import Profile
from preau.homework import actions, forms, queries
from preau.homework.models import LessonLog
from preau.homework.permissions import Perm, policy
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
    families = not (can_write or policy.can(request.actor, Perm.VISA, course)) and not bool(
        request.actor.profiles_in(course.school_id) & {Profile.TEACHER, Profile.STAFF}
    )
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
    form = forms.LessonForm(initial={"date": timezone.localdate()})
    visa_form = forms.VisaForm()
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
            form = forms.LessonForm(request.POST)
            if form.is_valid() and _save_lesson(request, course, form, None):
                return redirect("homework:notebook", course_id=course.pk)
    return render(
        request,
        "homework/pages/notebook.html",
        {**_notebook_context(request, course), "form": form, "visa_form": visa_form},
    )


def _save_lesson(
    request: ActorRequest, course: Course, form: forms.LessonForm, lesson: LessonLog | None
) -> bool:
    data = form.cleaned_data
    try:
        log = actions.write_lesson(
            actor=request.actor,
            course=course,
            date=data["date"],
            title=data["title"],
            content=data["content"],
            lesson=lesson,
        )
        if data["homework"]:
            actions.set_homework(
                actor=request.actor,
                course=course,
                lesson=log,
                due_on=data["due_on"],
                instructions=data["homework"],
                estimated_minutes=data["estimated_minutes"] or 0,
                publish_at=data["publish_at"],
                hand_in_until=data["hand_in_until"],
            )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, _("The notebook is updated."))
    return True


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def edit_lesson(request: ActorRequest, lesson_id: int) -> HttpResponse:
    lesson = queries.access_lesson(request.actor, lesson_id)
    course = lesson.course
    form = forms.LessonForm(
        request.POST or None,
        initial={
            "date": lesson.date,
            "title": lesson.title,
            "content_html": lesson.content_html,
        },
    )
    if request.method == "POST" and form.is_valid() and _save_lesson(request, course, form, lesson):
        return redirect("homework:notebook", course_id=course.pk)
    return render(
        request, "homework/pages/edit.html", {"lesson": lesson, "course": course, "form": form}
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def copy(request: ActorRequest, lesson_id: int) -> HttpResponse:
    """The lesson's content for another class the teacher has the course of."""
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
def hand_in_file(request: ActorRequest, hand_in_id: int) -> FileResponse:
    row = queries.access_hand_in(request.actor, hand_in_id)
    return download_response(row.file, name=row.name, content_type=row.content_type)
