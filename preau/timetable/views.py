"""Timetable pages: my week (or my child's), a person's, a class's, a room's; a school's
index; the management page; a lesson's change; the private iCal feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.directory.models import Person, Profile
from preau.timetable import actions, forms, ical, queries
from preau.timetable.calendar import parse_week
from preau.timetable.models import LessonChange, Slot
from preau.timetable.permissions import Perm, policy


def _week_context(
    request: ActorRequest, slots: QuerySet[Slot], *, substitute_id: int | None = None
) -> dict[str, Any]:
    monday = parse_week(request.GET.get("week"), today=timezone.localdate())
    (week,) = queries.weeks_of(
        request.actor.tenant.pk, slots, monday=monday, substitute_id=substitute_id
    )
    return {"week": week, "today": timezone.localdate()}


def _crumbs(school: Any, label: str) -> list[tuple[str, str | None]]:
    return [
        (_("Timetable"), reverse("timetable:index")),
        (school.name, reverse("timetable:school", args=[school.pk])),
        (label, None),
    ]


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def mine(request: ActorRequest) -> HttpResponse:
    """My week; a guardian picks a child (`?child=`). A teacher sees the lessons they teach and
    those they cover for a colleague."""
    actor = request.actor
    children = list(queries.children_of(actor))
    own = actor.has_profile(Profile.PUPIL, Profile.TEACHER) or not children
    subject: Person = actor.person
    if request.GET.get("child"):
        subject = next((c for c in children if c.pk == _int(request.GET["child"])), None) or _404()
    elif not own:
        subject = children[0]
    tenant_id = actor.tenant.pk
    context = _week_context(
        request,
        queries.slots_of_person(tenant_id, subject.pk),
        substitute_id=subject.pk
        if actor.has_profile(Profile.TEACHER) and subject == actor.person
        else None,
    )
    return render(
        request,
        "timetable/pages/week.html",
        {
            **context,
            "subject": subject,
            "children": children,
            "own": own,
            "title": _("My timetable") if subject == actor.person else subject.full_name,
            "week_url": request.path,
            "extra_query": f"child={subject.pk}&" if subject != actor.person else "",
            "schools": [s for s in actor.schools if policy.can(actor, Perm.VIEW_SCHOOL, s)],
        },
    )


def _404() -> Any:
    raise Http404


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def person_week(request: ActorRequest, person_id: int) -> HttpResponse:
    person = queries.access_person(request.actor, person_id)
    tenant_id = request.actor.tenant.pk
    context = _week_context(
        request, queries.slots_of_person(tenant_id, person.pk), substitute_id=person.pk
    )
    return render(
        request,
        "timetable/pages/week.html",
        {**context, "subject": person, "title": person.full_name, "week_url": request.path},
    )


def _school_week(
    request: ActorRequest, slots: QuerySet[Slot], *, school: Any, name: str, title: str
) -> HttpResponse:
    """A class's or a room's week, with the school's crumbs and the change links."""
    return render(
        request,
        "timetable/pages/week.html",
        {
            **_week_context(request, slots),
            "title": title,
            "school": school,
            "crumbs": _crumbs(school, name),
            "can_change": policy.can(request.actor, Perm.CHANGE, school),
            "week_url": request.path,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def class_week(request: ActorRequest, class_id: int) -> HttpResponse:
    school_class = queries.access_class(request.actor, class_id)
    return _school_week(
        request,
        queries.slots_of_class(school_class),
        school=school_class.school,
        name=school_class.name,
        title=_("Class %(name)s") % {"name": school_class.name},
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def room_week(request: ActorRequest, room_id: int) -> HttpResponse:
    room = queries.access_room(request.actor, room_id)
    return _school_week(
        request,
        queries.slots_of_room(room),
        school=room.school,
        name=room.name,
        title=_("Room %(name)s") % {"name": room.name},
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def school_index(request: ActorRequest, school_id: int) -> HttpResponse:
    """The school's classes, teachers and rooms, to open their timetables."""
    school = queries.access_school(request.actor, school_id, Perm.VIEW_SCHOOL)
    return render(
        request,
        "timetable/pages/school.html",
        {
            "school": school,
            "classes": list(queries.classes_of(school)),
            "teachers": list(queries.teachers_of(school)),
            "rooms": list(queries.rooms_of(school)),
            "can_manage": policy.can(request.actor, Perm.MANAGE, school),
        },
    )


# --- management --------------------------------------------------------------------------------


def _manage_context(request: ActorRequest, school: Any, **forms_: Any) -> dict[str, Any]:
    courses = list(queries.courses_of_school(school))
    rooms = list(queries.rooms_of(school))
    calendar = queries.calendar_of(school)
    return {
        "school": school,
        "courses": courses,
        "rooms": rooms,
        "holidays": list(queries.holidays_of(school)),
        "slot_form": forms_.get("slot_form")
        or forms.SlotForm(courses=_course_choices(courses), rooms=_room_choices(rooms)),
        "room_form": forms_.get("room_form") or forms.RoomForm(),
        "calendar_form": forms_.get("calendar_form")
        or forms.CalendarForm(
            initial={
                "week_a_monday": calendar.week_a_monday if calendar else None,
                "holidays_count": calendar.holidays_count if calendar else False,
            }
        ),
        "holiday_form": forms_.get("holiday_form") or forms.HolidayForm(),
    }


def _course_choices(courses: list[Any]) -> list[tuple[int, str]]:
    return [
        (
            c.pk,
            f"{c.unit.name} · {c.subject.label if c.subject else '—'} · "
            f"{c.teacher.full_name if c.teacher else _('no teacher')}",
        )
        for c in courses
    ]


def _room_choices(rooms: list[Any]) -> list[tuple[int, str]]:
    return [(r.pk, r.name) for r in rooms]


Handled = HttpResponse | None


def _fill(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    created, kept = actions.fill_from_services(actor=request.actor, school=school)
    messages.success(
        request,
        _("%(created)d courses added from the teaching services (%(kept)d already there).")
        % {"created": created, "kept": kept},
    )
    return redirect(request.path)


def _room(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    form = bound["room_form"] = forms.RoomForm(request.POST)
    if form.is_valid():
        try:
            actions.add_room(actor=request.actor, school=school, name=form.cleaned_data["name"])
        except ValidationError as exc:
            apply_errors(form, exc)
            return None
        messages.success(request, _("The room is added."))
        return redirect(request.path)
    return None


def _slot(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    courses = list(queries.courses_of_school(school))
    rooms = list(queries.rooms_of(school))
    form = bound["slot_form"] = forms.SlotForm(
        request.POST, courses=_course_choices(courses), rooms=_room_choices(rooms)
    )
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        actions.add_slot(
            actor=request.actor,
            course=queries.access_course(request.actor, data["course"]),
            weekday=data["weekday"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            room=next((r for r in rooms if r.pk == data["room"]), None),
            weeks=data["weeks"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, _("The slot is added."))
    return redirect(request.path)


def _delete_slot(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    slot = queries.access_slot(request.actor, _int(request.POST.get("slot")), Perm.MANAGE)
    if slot.course.school_id != school.pk:
        raise Http404
    actions.delete_slot(actor=request.actor, slot=slot)
    messages.success(request, _("The slot is deleted."))
    return redirect(request.path)


def _calendar(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    form = bound["calendar_form"] = forms.CalendarForm(request.POST)
    if not form.is_valid():
        return None
    try:
        actions.set_calendar(actor=request.actor, school=school, **form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, _("The calendar is saved."))
    return redirect(request.path)


def _holiday(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    form = bound["holiday_form"] = forms.HolidayForm(request.POST)
    if not form.is_valid():
        return None
    try:
        actions.add_holiday(actor=request.actor, school=school, **form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, _("The holidays are added."))
    return redirect(request.path)


def _delete_holiday(request: ActorRequest, school: Any, bound: dict[str, Any]) -> Handled:
    holiday = queries.access_holiday(school, _int(request.POST.get("holiday")))
    actions.delete_holiday(actor=request.actor, holiday=holiday)
    messages.success(request, _("The holidays are deleted."))
    return redirect(request.path)


MANAGE_STEPS = {
    "fill": _fill,
    "room": _room,
    "slot": _slot,
    "delete_slot": _delete_slot,
    "calendar": _calendar,
    "holiday": _holiday,
    "delete_holiday": _delete_holiday,
}


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: ActorRequest, school_id: int) -> HttpResponse:
    """Courses and their slots, rooms, the calendar and holidays of a school (its admins).
    POST `do`: one of MANAGE_STEPS; a form that fails is shown again with what was typed."""
    school = queries.access_school(request.actor, school_id, Perm.MANAGE)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        step = MANAGE_STEPS.get(request.POST.get("do", ""))
        if step is None:
            raise Http404
        done = step(request, school, bound)
        if done is not None:
            return done
    return render(request, "timetable/pages/manage.html", _manage_context(request, school, **bound))


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def change(request: ActorRequest, slot_id: int) -> HttpResponse:
    """Change one lesson: the slot on `?date=` (or the posted date)."""
    actor = request.actor
    slot = queries.access_slot(actor, slot_id, Perm.CHANGE)
    school = slot.course.school
    try:
        date = dt.date.fromisoformat(request.POST.get("date") or request.GET.get("date") or "")
    except ValueError:
        raise Http404 from None
    existing = queries.change_of(slot, date)
    rooms = list(queries.rooms_of(school))
    teachers = list(queries.teaching_staff_of(school))
    form = forms.ChangeForm(
        request.POST or None,
        rooms=_room_choices(rooms),
        teachers=[(t.pk, t.full_name) for t in teachers],
        initial={"kind": existing.kind} if existing else {"kind": LessonChange.Kind.CANCELLED},
    )
    week_url = (
        f"{reverse('timetable:class', args=[slot.course.school_class_id])}"
        if slot.course.school_class_id
        else reverse("timetable:school", args=[school.pk])
    )
    if request.method == "POST":
        if "undo" in request.POST and existing is not None:
            actions.undo_change(actor=actor, change=existing)
            messages.success(request, _("The lesson takes place as usual."))
            return redirect(f"{week_url}?week={date.isoformat()}")
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.change_lesson(
                    actor=actor,
                    slot=slot,
                    date=date,
                    kind=data["kind"],
                    new_date=data["new_date"],
                    new_starts_at=data["new_starts_at"],
                    new_ends_at=data["new_ends_at"],
                    new_room=next((r for r in rooms if r.pk == data["new_room"]), None),
                    substitute=next((t for t in teachers if t.pk == data["substitute"]), None),
                    note=data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The change is recorded; the class and families are told.")
                )
                return redirect(f"{week_url}?week={date.isoformat()}")
    return render(
        request,
        "timetable/pages/change.html",
        {"slot": slot, "date": date, "form": form, "existing": existing, "week_url": week_url},
    )


# --- the iCal feed -----------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feed(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if request.method == "POST":
        if "revoke" in request.POST:
            actions.revoke_feed(actor=actor)
            messages.success(request, _("The address no longer works."))
        else:
            actions.create_feed(actor=actor)
            messages.success(
                request, _("Your new address is ready; the previous one no longer works.")
            )
        return redirect("timetable:feed")
    current = queries.feed_of(actor)
    url = (
        request.build_absolute_uri(reverse("timetable:ical", args=[current.token]))
        if current
        else ""
    )
    return render(request, "timetable/pages/feed.html", {"feed": current, "url": url})


@never_cache
@require_http_methods(["GET", "HEAD"])
def ical_feed(request: ActorRequest, token: str) -> HttpResponse:
    """The person's lessons from two weeks ago to ten weeks ahead, for calendar apps."""
    feed_row = queries.feed_by_token(token)
    if feed_row.tenant_id != request.tenant.pk:
        raise Http404
    response = HttpResponse(
        ical.calendar_of(feed_row.person), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="emploi-du-temps.ics"'
    return response
