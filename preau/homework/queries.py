"""Every read of the notebook: a pupil's to-do list, a course's notebook, the courses one
teaches, the inspection list, the files attached to lessons and homework; `access_*` for single
objects (404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from preau.core.actor import Actor
from preau.directory.models import Person, School
from preau.homework.models import Attachment, Done, HandIn, Homework, LessonLog, Visa
from preau.homework.permissions import (
    GUARDIAN_LEVELS,
    Perm,
    attends,
    directs,
    policy,
    reads_drafts,
)
from preau.timetable.models import Course
from preau.timetable.queries import attended_course_ids


def _courses() -> QuerySet[Course]:
    return Course.objects.select_related("subject", "teacher", "school_class", "group", "year")


def todo_for(pupil: Person, *, since: dt.date) -> QuerySet[Homework]:
    """The pupil's published homework due from `since`, soonest first, each with `is_done`,
    its files and, as `mine`, the pupil's hand-in (two more queries, whatever their number)."""
    return (
        Homework.objects.filter(
            tenant_id=pupil.tenant_id,
            course__in=attended_course_ids(pupil.tenant_id, pupil.pk),
            publish_at__lte=timezone.now(),
            due_on__gte=since,
        )
        .annotate(is_done=Exists(Done.objects.filter(homework=OuterRef("pk"), pupil=pupil)))
        .select_related(
            "course__subject", "course__teacher", "course__school_class", "course__group"
        )
        .prefetch_related(
            "attachments",
            Prefetch("hand_ins", queryset=HandIn.objects.filter(pupil=pupil), to_attr="mine"),
        )
        .order_by("due_on", "course__subject__label", "pk")
    )


def children_of(actor: Actor) -> QuerySet[Person]:
    return Person.objects.filter(
        tenant=actor.tenant,
        guardian_links__guardian=actor.person,
        guardian_links__level__in=GUARDIAN_LEVELS,
    ).order_by("first_name", "pk")


def access_child(actor: Actor, person_id: int) -> Person:
    child = children_of(actor).filter(pk=person_id).first()
    if child is None:
        raise Http404
    return child


def courses_taught(actor: Actor) -> QuerySet[Course]:
    return (
        _courses()
        .filter(tenant=actor.tenant, teacher=actor.person, year__is_current=True)
        .order_by("school_class__name", "group__name", "subject__label")
    )


def access_course(actor: Actor, course_id: int, perm: str = Perm.READ) -> Course:
    """A course whose notebook the actor may read (or write, or stamp); past years' courses
    stay readable as archives by their teacher and the school's staff."""
    course = _courses().filter(tenant=actor.tenant, pk=course_id).first()
    if course is None or not policy.can(actor, perm, course):
        raise Http404
    return course


def notebook_of(course: Course, *, published_only: bool) -> QuerySet[LessonLog]:
    """The course's lessons, newest first, each with its files and its homework (families:
    published only) with theirs: four queries, whatever their number."""
    homework = Homework.objects.order_by("due_on", "pk").prefetch_related("attachments")
    if published_only:
        homework = homework.filter(publish_at__lte=timezone.now())
    return LessonLog.objects.filter(course=course).prefetch_related(
        "attachments", Prefetch("homework", queryset=homework)
    )


def homework_without_lesson(course: Course, *, published_only: bool) -> QuerySet[Homework]:
    qs = Homework.objects.filter(course=course, lesson__isnull=True).prefetch_related("attachments")
    return qs.filter(publish_at__lte=timezone.now()) if published_only else qs


def access_lesson(actor: Actor, lesson_id: int, perm: str = Perm.WRITE) -> LessonLog:
    lesson = (
        LessonLog.objects.filter(tenant=actor.tenant, pk=lesson_id)
        .select_related("course__year", "course__subject", "course__school_class", "course__group")
        .first()
    )
    if lesson is None or not policy.can(actor, perm, lesson.course):
        raise Http404
    return lesson


def files_of_lesson(lesson: LessonLog) -> QuerySet[Attachment]:
    return Attachment.objects.filter(lesson=lesson).order_by("pk")


def homework_of_lesson(lesson: LessonLog) -> QuerySet[Homework]:
    """The homework set in a lesson, with its files (what its edit form adds to or removes)."""
    return (
        Homework.objects.filter(lesson=lesson)
        .prefetch_related("attachments")
        .order_by("due_on", "pk")
    )


def access_attachment(actor: Actor, attachment_id: int) -> Attachment:
    """A lesson's or homework's file, for whoever reads that notebook: the course's pupils and
    their guardians (homework files once the homework is shown), its teacher, the school's
    teachers, staff and management. 404 for anyone else, another school, another tenant."""
    row = (
        Attachment.objects.filter(tenant=actor.tenant, pk=attachment_id)
        .select_related("lesson__course__year", "homework__course__year")
        .first()
    )
    if row is None:
        raise Http404
    owner = row.lesson or row.homework
    assert owner is not None  # the check constraint: exactly one of the two
    course = owner.course
    if not policy.can(actor, Perm.READ, course):
        raise Http404
    if (
        row.homework is not None
        and row.homework.publish_at > timezone.now()
        and not reads_drafts(actor, course)
    ):
        raise Http404
    return row


def access_homework_for_pupil(actor: Actor, homework_id: int) -> Homework:
    """Published homework of a course the actor attends (what they may tick as done)."""
    homework = (
        Homework.objects.filter(
            tenant=actor.tenant,
            pk=homework_id,
            publish_at__lte=timezone.now(),
            course__in=Course.objects.filter(attends(actor.person.pk, actor.tenant.pk)),
        )
        .select_related("course")
        .first()
    )
    if homework is None:
        raise Http404
    return homework


def access_homework_to_mark(actor: Actor, homework_id: int) -> Homework:
    """Homework of a course the actor writes (to see what was handed in); 404 otherwise."""
    homework = (
        Homework.objects.filter(tenant=actor.tenant, pk=homework_id)
        .select_related("course__year", "course__subject", "course__school_class", "course__group")
        .first()
    )
    if homework is None or not policy.can(actor, Perm.WRITE, homework.course):
        raise Http404
    return homework


def hand_ins_of(homework: Homework) -> QuerySet[HandIn]:
    return (
        HandIn.objects.filter(homework=homework)
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name")
    )


def access_hand_in(actor: Actor, hand_in_id: int) -> HandIn:
    """A hand-in: its pupil's, or the course's teacher's to read; 404 for anyone else."""
    row = (
        HandIn.objects.filter(tenant=actor.tenant, pk=hand_in_id)
        .select_related("homework__course__year")
        .first()
    )
    if row is None or not (
        row.pupil_id == actor.person.pk or policy.can(actor, Perm.WRITE, row.homework.course)
    ):
        raise Http404
    return row


def access_school_to_inspect(actor: Actor, school_id: int) -> School:
    """A school whose notebooks the actor inspects (its management); 404 otherwise."""
    school = School.objects.filter(tenant=actor.tenant, pk=school_id).first()
    if school is None or not directs(actor, school.pk):
        raise Http404
    return school


def inspection_of(school: School) -> QuerySet[Course]:
    """The school's courses of this year by teacher then class, with their last visa."""
    return (
        _courses()
        .filter(tenant_id=school.tenant_id, school=school, year__is_current=True)
        .prefetch_related(Prefetch("visas", queryset=Visa.objects.select_related("by")))
        .order_by("teacher__last_name", "teacher__first_name", "school_class__name", "group__name")
    )


def visas_of(course: Course) -> QuerySet[Visa]:
    return Visa.objects.filter(course=course).select_related("by")
