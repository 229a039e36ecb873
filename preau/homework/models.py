"""The cahier de textes: for each lesson of a course, what was done (`LessonLog`) and the work
set (`Homework`, with a due date, an estimated time, and an optional online hand-in); the files
attached to either (`Attachment`); a pupil's "done" marks; the management's visa."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel
from preau.timetable.models import Course


class LessonLog(TenantModel):
    """What a lesson covered, as the teacher wrote it (sanitised HTML; $…$ is mathematics)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date of the lesson"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    content_html = models.TextField(_("content"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["course", "-date"])]


class Homework(TenantModel):
    """Work to do for a date; visible to the class from `publish_at` (prepared in advance)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(
        LessonLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="homework"
    )
    due_on = models.DateField(_("due on"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated time (minutes)"), default=0)
    instructions_html = models.TextField(_("instructions"))
    publish_at = models.DateTimeField(_("shown from"))
    # Online hand-in: pupils upload their work until `hand_in_until` (None: no hand-in).
    hand_in_until = models.DateTimeField(_("hand in online before"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["course", "due_on"]),
            models.Index(fields=["tenant", "notified_at", "publish_at"]),
        ]


class Done(TenantModel):
    """A pupil ticked the homework as done."""

    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["homework", "pupil"], name="homework_done_once")
        ]


def hand_in_path(instance: HandIn, filename: str) -> str:
    """Stored under a random name: the uploaded name is only shown, never used as a path."""
    return f"homework/{instance.tenant_id}/{uuid.uuid4().hex}"


class HandIn(TenantModel):
    """A pupil's work handed in online (one file; handing in again replaces it)."""

    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="hand_ins")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=hand_in_path, max_length=200)
    name = models.CharField(max_length=150)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    handed_in_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["homework", "pupil"], name="one_hand_in_per_pupil")
        ]


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name: nothing the teacher's file was called reaches the storage's paths."""
    return f"homework/{instance.tenant_id}/files/{uuid.uuid4().hex}"


class Attachment(TenantModel):
    """A file attached to a lesson (what was handed out) or to homework (what to work on):
    exactly one of the two. Its own stored copy, served as a download to whoever reads the
    notebook."""

    lesson = models.ForeignKey(
        LessonLog, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    homework = models.ForeignKey(
        Homework, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=150)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(lesson__isnull=False, homework__isnull=True)
                    | models.Q(lesson__isnull=True, homework__isnull=False)
                ),
                name="homework_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Visa(TenantModel):
    """The management's stamp on a course's notebook, up to a date (an official inspection)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="visas")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
