"""Every write of the notebook: a lesson's content, homework (published at once or at a chosen
moment, then notified to the class and families), the files attached to either, "done" marks,
copying a lesson to another class, the management's visa."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
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
from preau.core.files import (
    cleanup_on_error,
    read_head,
    safe_file_name,
    scan_upload,
    served_type,
    sniffed_type,
)
from preau.core.notify import notify
from preau.core.permissions import require
from preau.core.sanitize import sanitize_html
from preau.homework.models import Attachment, Done, HandIn, Homework, LessonLog, Visa
from preau.homework.permissions import Perm, policy
from preau.timetable.actions import course_audience
from preau.timetable.models import Course

TITLE_MAX = 200
CONTENT_MAX = 200_000

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class HomeworkDraft:
    """The homework part of the notebook form (see `record_lesson`)."""

    due_on: dt.date
    instructions: str
    estimated_minutes: int = 0
    publish_at: dt.datetime | None = None
    hand_in_until: dt.datetime | None = None


def _clean(html: str, field: str) -> str:
    if len(html) > CONTENT_MAX:
        raise ValidationError({field: _("This text is too long.")})
    return sanitize_html(html, inline_images=True)


def _merge(errors: Errors, more: dict[str, list[str]]) -> None:
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)


def _lesson_checked(course: Course, date: dt.date, content: str) -> tuple[str, Errors]:
    """The lesson's sanitised content, and what is wrong with it."""
    errors: Errors = {}
    year = course.year
    if not (year.starts_on <= date <= year.ends_on):
        errors["date"] = [_("Choose a day of this school year.")]
    try:
        content_html = _clean(content, "content")
    except ValidationError as exc:
        _merge(errors, exc.message_dict)
        content_html = ""
    return content_html, errors


def _homework_checked(draft: HomeworkDraft) -> tuple[str, Errors]:
    """The homework's sanitised instructions, and what is wrong with it."""
    errors: Errors = {}
    try:
        instructions_html = _clean(draft.instructions, "instructions")
    except ValidationError as exc:
        _merge(errors, exc.message_dict)
        instructions_html = ""
    else:
        if not instructions_html.strip():
            errors["instructions"] = [_("Say what is to be done.")]
    if draft.due_on < timezone.localdate():
        errors["due_on"] = [_("The due date has already passed.")]
    if not 0 <= draft.estimated_minutes <= 600:
        errors["estimated_minutes"] = [_("Give the time in minutes, up to 10 hours.")]
    if draft.hand_in_until is not None and draft.hand_in_until <= (
        draft.publish_at or timezone.now()
    ):
        errors["hand_in_until"] = [_("The hand-in must close after the homework is shown.")]
    return instructions_html, errors


def _files_checked(uploads: Sequence[UploadedFile], *, field: str, already: int) -> Errors:
    """Count (with the files already there), size of each, virus scan."""
    if not uploads:
        return {}
    most = settings.PREAU_ATTACHMENTS_MAX
    if already + len(uploads) > most:
        return {
            field: [
                _("A lesson or a homework holds at most %(count)d files.") % {"count": most}
                if not already
                else _(
                    "A lesson or a homework holds at most %(count)d files; %(already)d are "
                    "attached already."
                )
                % {"count": most, "already": already}
            ]
        }
    limit = settings.PREAU_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        if (upload.size or 0) > limit:
            return {
                field: [
                    _("“%(name)s” is larger than %(limit)s.")
                    % {"name": safe_file_name(upload.name or ""), "limit": filesizeformat(limit)}
                ]
            }
    for upload in uploads:
        try:
            scan_upload(upload)
        except ValidationError as exc:
            return {field: exc.messages}
    return {}


def _attach(
    actor: Actor,
    files: Sequence[File],
    *,
    stored: list[str],
    lesson: LessonLog | None = None,
    homework: Homework | None = None,
    copied_from: int | None = None,
) -> list[Attachment]:
    """Store each file under a random name (its own copy), with a safe shown name and the type
    its content and name agree on; one audit entry per file."""
    owner = lesson or homework
    assert owner is not None
    rows = []
    for file in files:
        name = safe_file_name(file.name or "")
        row = Attachment(
            tenant_id=owner.tenant_id,
            lesson=lesson,
            homework=homework,
            name=name,
            size=file.size or 0,
            content_type=sniffed_type(read_head(file), name),
            added_by=actor.person,
        )
        row.file.save(name, file, save=False)
        stored.append(str(row.file.name))
        row.save()
        data: dict[str, object] = {"name": name, "size": row.size}
        data["lesson" if lesson else "homework"] = owner.pk
        if copied_from is not None:
            data["copied_from"] = copied_from
        record_audit(
            actor=actor,
            action="homework.attachment_added",
            target=row,
            school=owner.course.school,
            data=data,
        )
        rows.append(row)
    return rows


def _detach(actor: Actor, attachment: Attachment) -> None:
    owner = attachment.lesson or attachment.homework
    assert owner is not None
    name, storage = attachment.file.name, attachment.file.storage
    record_audit(
        actor=actor,
        action="homework.attachment_removed",
        target=attachment,
        school=owner.course.school,
        data={
            "lesson" if attachment.lesson_id else "homework": owner.pk,
            "name": attachment.name,
        },
    )
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def remove_attachment(*, actor: Actor, attachment: Attachment) -> None:
    """Take a file off a lesson or homework (the stored copy goes once the removal commits)."""
    owner = attachment.lesson or attachment.homework
    assert owner is not None
    require(policy, actor, Perm.WRITE, owner.course)
    with transaction.atomic():
        _detach(actor, attachment)


def _write_lesson_row(
    actor: Actor,
    course: Course,
    lesson: LessonLog | None,
    *,
    date: dt.date,
    title: str,
    content_html: str,
) -> LessonLog:
    log = lesson or LessonLog(tenant_id=course.tenant_id, course=course, author=actor.person)
    log.date = date
    log.title = " ".join(title.split())[:TITLE_MAX]
    log.content_html = content_html
    log.save()
    record_audit(
        actor=actor,
        action="homework.lesson_written",
        target=log,
        school=course.school,
        data={"course": course.pk, "date": str(date)},
    )
    return log


def _create_homework(
    actor: Actor,
    course: Course,
    lesson: LessonLog | None,
    draft: HomeworkDraft,
    instructions_html: str,
) -> Homework:
    now = timezone.now()
    homework = Homework.objects.create(
        tenant_id=course.tenant_id,
        course=course,
        lesson=lesson,
        due_on=draft.due_on,
        estimated_minutes=draft.estimated_minutes,
        instructions_html=instructions_html,
        publish_at=max(draft.publish_at, now) if draft.publish_at else now,
        hand_in_until=draft.hand_in_until,
        author=actor.person,
    )
    record_audit(
        actor=actor,
        action="homework.set",
        target=homework,
        school=course.school,
        data={
            "course": course.pk,
            "due_on": str(draft.due_on),
            "publish_at": str(homework.publish_at),
        },
    )
    return homework


def _check_belongs(
    course: Course,
    lesson: LessonLog | None,
    *,
    removed: Sequence[Attachment],
    files_for: Homework | None,
) -> None:
    """The lesson is the course's; the files removed and the homework added to are the
    lesson's own (or its homework's)."""
    if lesson is not None and lesson.course_id != course.pk:
        raise PermissionDenied(Perm.WRITE)
    if files_for is not None and (lesson is None or files_for.lesson_id != lesson.pk):
        raise PermissionDenied(Perm.WRITE)
    for row in removed:
        owner_lesson = row.lesson_id or (row.homework.lesson_id if row.homework else None)
        if lesson is None or owner_lesson != lesson.pk:
            raise PermissionDenied(Perm.WRITE)


def record_lesson(
    *,
    actor: Actor,
    course: Course,
    date: dt.date,
    title: str,
    content: str,
    lesson: LessonLog | None = None,
    files: Sequence[UploadedFile] = (),
    removed: Sequence[Attachment] = (),
    homework: HomeworkDraft | None = None,
    homework_files: Sequence[UploadedFile] = (),
    files_for: Homework | None = None,
) -> LessonLog:
    """What the notebook form saves, in one step: a lesson (new, or `lesson` corrected) with
    its new `files` and without the `removed` ones (its own or its homework's), and optionally
    new `homework`; `homework_files` go with homework already set in the lesson if `files_for`
    names it, else with the new homework. Everything is checked first: refused, nothing is
    written or stored. Only the course's teacher."""
    require(policy, actor, Perm.WRITE, course)
    _check_belongs(course, lesson, removed=removed, files_for=files_for)
    removed_ids = {row.pk for row in removed}
    content_html, errors = _lesson_checked(course, date, content)
    if files:
        kept = (
            Attachment.objects.filter(lesson=lesson).exclude(pk__in=removed_ids).count()
            if lesson is not None
            else 0
        )
        _merge(errors, _files_checked(files, field="lesson_files", already=kept))
    instructions_html = ""
    if homework is not None:
        instructions_html, homework_errors = _homework_checked(homework)
        _merge(errors, homework_errors)
    if homework_files and homework is None and files_for is None:
        errors.setdefault("homework_files", []).append(
            _("Write the homework these files go with, or choose homework already set.")
        )
    elif homework_files:
        kept = (
            Attachment.objects.filter(homework=files_for).exclude(pk__in=removed_ids).count()
            if files_for is not None
            else 0
        )
        _merge(errors, _files_checked(homework_files, field="homework_files", already=kept))
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    with cleanup_on_error(stored), transaction.atomic():
        log = _write_lesson_row(
            actor, course, lesson, date=date, title=title, content_html=content_html
        )
        for row in removed:
            _detach(actor, row)
        _attach(actor, files, lesson=log, stored=stored)
        new = None
        if homework is not None:
            new = _create_homework(actor, course, log, homework, instructions_html)
        target = files_for or new
        if target is not None:
            _attach(actor, homework_files, homework=target, stored=stored)
        if new is not None and new.publish_at <= timezone.now():
            _announce(new, actor)
    return log


def write_lesson(
    *,
    actor: Actor,
    course: Course,
    date: dt.date,
    title: str,
    content: str,
    lesson: LessonLog | None = None,
    files: Sequence[UploadedFile] = (),
) -> LessonLog:
    """Record (or correct) what a lesson of the course covered. Only the course's teacher."""
    return record_lesson(
        actor=actor,
        course=course,
        date=date,
        title=title,
        content=content,
        lesson=lesson,
        files=files,
    )


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
    files: Sequence[UploadedFile] = (),
) -> Homework:
    """Set work for `due_on`, shown to the class from `publish_at` (now by default). Published
    now, the class and families are told at once; later, by `notify_published_homework`.
    With `hand_in_until`, pupils hand their work in online until then; `files` go with it."""
    require(policy, actor, Perm.WRITE, course)
    if lesson is not None and lesson.course_id != course.pk:
        raise PermissionDenied(Perm.WRITE)
    draft = HomeworkDraft(
        due_on=due_on,
        instructions=instructions,
        estimated_minutes=estimated_minutes,
        publish_at=publish_at,
        hand_in_until=hand_in_until,
    )
    instructions_html, errors = _homework_checked(draft)
    _merge(errors, _files_checked(files, field="files", already=0))
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    with cleanup_on_error(stored), transaction.atomic():
        homework = _create_homework(actor, course, lesson, draft, instructions_html)
        _attach(actor, files, homework=homework, stored=stored)
        if homework.publish_at <= timezone.now():
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


def _delete_stored(names: Sequence[str]) -> None:
    for name in names:
        default_storage.delete(name)


def delete_homework(*, actor: Actor, homework: Homework) -> None:
    """Delete homework with its files (their stored copies go once the deletion commits)."""
    require(policy, actor, Perm.WRITE, homework.course)
    names = [
        name
        for name in Attachment.objects.filter(homework=homework).values_list("file", flat=True)
        if name
    ]
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="homework.deleted",
            target=homework,
            school=homework.course.school,
            data={"attachments": len(names)},
        )
        homework.delete()
        transaction.on_commit(lambda: _delete_stored(names))


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
    """The same content and files (new stored copies, so removing one never takes the other's)
    for another course the actor teaches. Homework is not copied: its dates belong to each
    class."""
    require(policy, actor, Perm.WRITE, lesson.course)
    originals = list(Attachment.objects.filter(lesson=lesson).order_by("pk"))
    stored: list[str] = []
    with cleanup_on_error(stored), transaction.atomic():
        copy = write_lesson(
            actor=actor, course=to, date=date, title=lesson.title, content=lesson.content_html
        )
        for original in originals:
            with original.file.open("rb") as content:
                _attach(
                    actor,
                    [File(content, name=original.name)],
                    lesson=copy,
                    stored=stored,
                    copied_from=original.pk,
                )
    return copy


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
