"""Every write of the notebook: a lesson's content, homework (published at once or at a chosen
moment, then notified to the class and families), "done" marks, copying a lesson to another
class, the management's visa."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.files import safe_file_name, scan_upload, served_type
from preau.core.notify import notify
from preau.core.permissions import require
from preau.core.sanitize import sanitize_html
from preau.homework.models import Done, HandIn, Homework, LessonLog, Visa
from preau.homework.permissions import Perm, policy
from preau.timetable.actions import course_audience
from preau.timetable.models import Course

TITLE_MAX = 200
CONTENT_MAX = 200_000


def _clean(html: str, field: str) -> str:
    if len(html) > CONTENT_MAX:
        raise ValidationError({field: _("This text is too long.")})
    return sanitize_html(html, inline_images=True)


def write_lesson(
    *,
    actor: Actor,
    course: Course,
    date: dt.date,
    title: str,
    content: str,
    lesson: LessonLog | None = None,
) -> LessonLog:
    """Record (or correct) what a lesson of the course covered. Only the course's teacher."""
    require(policy, actor, Perm.WRITE, course)
    if lesson is not None and lesson.course_id != course.pk:
        raise PermissionDenied(Perm.WRITE)
    year = course.year
    if not (year.starts_on <= date <= year.ends_on):
        raise ValidationError({"date": _("Choose a day of this school year.")})
    with transaction.atomic():
        log = lesson or LessonLog(tenant_id=course.tenant_id, course=course, author=actor.person)
        log.date = date
        log.title = " ".join(title.split())[:TITLE_MAX]
        log.content_html = _clean(content, "content")
        log.save()
        record_audit(
            actor=actor,
            action="homework.lesson_written",
            target=log,
            school=course.school,
            data={"course": course.pk, "date": str(date)},
        )
    return log


def set_homework(
    *,
    actor: Actor,
    course: Course,
    due_on: dt.date,
    instructions: str,
    estimated_minutes: int = 0,
    lesson: LessonLog | None = None,
    publish_at: dt.datetime | None = None,
    hand_in_until: dt.datetime | None = None,
) -> Homework:
    """Set work for `due_on`, shown to the class from `publish_at` (now by default). Published
    now, the class and families are told at once; later, by `notify_published_homework`.
    With `hand_in_until`, pupils hand their work in online until then."""
    require(policy, actor, Perm.WRITE, course)
    if lesson is not None and lesson.course_id != course.pk:
        raise PermissionDenied(Perm.WRITE)
    instructions_html = _clean(instructions, "instructions")
    errors = {}
    if not instructions_html.strip():
        errors["instructions"] = _("Say what is to be done.")
    today = timezone.localdate()
    if due_on < today:
        errors["due_on"] = _("The due date has already passed.")
    if not 0 <= estimated_minutes <= 600:
        errors["estimated_minutes"] = _("Give the time in minutes, up to 10 hours.")
    if hand_in_until is not None and hand_in_until <= (publish_at or timezone.now()):
        errors["hand_in_until"] = _("The hand-in must close after the homework is shown.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        homework = Homework.objects.create(
            tenant_id=course.tenant_id,
            course=course,
            lesson=lesson,
            due_on=due_on,
            estimated_minutes=estimated_minutes,
            instructions_html=instructions_html,
            publish_at=max(publish_at, now) if publish_at else now,
            hand_in_until=hand_in_until,
            author=actor.person,
        )
        record_audit(
            actor=actor,
            action="homework.set",
            target=homework,
            school=course.school,
            data={
                "course": course.pk,
                "due_on": str(due_on),
                "publish_at": str(homework.publish_at),
            },
        )
        if homework.publish_at <= now:
            _announce(homework, actor)
    return homework


def _announce(homework: Homework, actor: Actor) -> bool:
    """Notify the course's pupils, guardians and teacher once (a conditional update claims it,
    so the scheduled job and a retry never notify twice)."""
    claimed = Homework.objects.filter(pk=homework.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    course = homework.course
    subject = course.subject.label if course.subject else course.unit.name
    notify(
        course_audience(course),
        kind="homework.set",
        obj=homework,
        actor=actor,
        text=_("%(subject)s: homework for %(day)s")
        % {"subject": subject, "day": date_format(homework.due_on, "l j F")},
        url=reverse("homework:index"),
    )
    return True


def notify_published_homework() -> int:
    """Announce homework whose moment has come (Celery beat, every few minutes)."""
    from preau.directory.queries import build_actor

    due = Homework.objects.filter(
        notified_at__isnull=True, publish_at__lte=timezone.now()
    ).select_related("course__subject", "course__school_class", "course__group", "author", "tenant")
    count = 0
    for homework in due:
        if homework.author is None:
            continue
        with transaction.atomic():
            count += _announce(homework, build_actor(homework.author, tenant=homework.tenant))
    return count


def delete_homework(*, actor: Actor, homework: Homework) -> None:
    require(policy, actor, Perm.WRITE, homework.course)
    with transaction.atomic():
        record_audit(
            actor=actor, action="homework.deleted", target=homework, school=homework.course.school
        )
        homework.delete()


def mark_done(*, actor: Actor, homework: Homework, done: bool = True) -> None:
    """A pupil ticks (or unticks) homework of theirs (the caller got it through
    `queries.access_homework_for_pupil`)."""
    if done:
        Done.objects.get_or_create(
            homework=homework, pupil=actor.person, defaults={"tenant_id": homework.tenant_id}
        )
    else:
        Done.objects.filter(homework=homework, pupil=actor.person).delete()


def hand_in(*, actor: Actor, homework: Homework, upload: UploadedFile) -> HandIn:
    """A pupil hands their work in (the caller got the homework through
    `queries.access_homework_for_pupil`): before the deadline, one file within the size limit,
    scanned; handing in again replaces the previous file. Refused: nothing is stored."""
    now = timezone.now()
    if homework.hand_in_until is None:
        raise ValidationError({"file": _("This homework is not handed in online.")})
    if now > homework.hand_in_until:
        raise ValidationError(
            {
                "file": _("The hand-in closed on %(at)s.")
                % {"at": date_format(timezone.localtime(homework.hand_in_until), "DATETIME_FORMAT")}
            }
        )
    limit = settings.PREAU_ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}}
        )
    scan_upload(upload)
    name = safe_file_name(upload.name or "")
    with transaction.atomic():
        previous = HandIn.objects.filter(homework=homework, pupil=actor.person).first()
        old_file = previous.file.name if previous else ""
        row = previous or HandIn(
            tenant_id=homework.tenant_id, homework=homework, pupil=actor.person
        )
        row.file = upload
        row.name = name
        row.size = upload.size or 0
        row.content_type = served_type(name)
        row.handed_in_at = now
        row.save()
        record_audit(
            actor=actor,
            action="homework.handed_in",
            target=row,
            subject=actor.person,
            data={"homework": homework.pk, "size": row.size},
        )
        if old_file:
            transaction.on_commit(lambda: default_storage.delete(old_file))
    return row


def copy_lesson(*, actor: Actor, lesson: LessonLog, to: Course, date: dt.date) -> LessonLog:
    """The same content for another course the actor teaches (homework is not copied: its
    dates belong to each class)."""
    require(policy, actor, Perm.WRITE, lesson.course)
    return write_lesson(
        actor=actor, course=to, date=date, title=lesson.title, content=lesson.content_html
    )


def stamp_visa(*, actor: Actor, course: Course, note: str = "") -> Visa:
    """The management's visa on the course's notebook as it stands today."""
    require(policy, actor, Perm.VISA, course)
    with transaction.atomic():
        visa = Visa.objects.create(
            tenant_id=course.tenant_id,
            course=course,
            by=actor.person,
            note=" ".join(note.split())[:500],
        )
        record_audit(
            actor=actor,
            action="homework.visa",
            target=visa,
            school=course.school,
            data={"course": course.pk},
        )
    return visa
