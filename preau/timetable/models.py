"""The weekly timetable: courses (a class or group, a subject, a teacher), their weekly slots
with week patterns (every week, week A, week B), the school's calendar (holidays, which week is
A), one-off changes to a lesson, and the private calendar feeds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from preau.core.models import TenantModel
from preau.directory.models import Audience, Group, School, SchoolClass, SchoolYear, Subject


class Room(TenantModel):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("room"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="room_name_unique_in_school")
        ]

    def __str__(self) -> str:
        return self.name


class Course(TenantModel):
    """A class or a group taught a subject by a teacher this school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who hears of a change: the pupils, their guardians and the teacher (made when first used).
    audience = models.ForeignKey(
        Audience, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school_class__isnull=False, group__isnull=True)
                    | models.Q(school_class__isnull=True, group__isnull=False)
                ),
                name="course_class_xor_group",
            ),
            models.UniqueConstraint(
                fields=["year", "school_class", "group", "subject", "teacher"],
                name="course_unique",
                nulls_distinct=False,
            ),
        ]

    @property
    def unit(self) -> SchoolClass | Group:
        unit = self.school_class or self.group
        assert unit is not None
        return unit

    def __str__(self) -> str:
        subject = self.subject.label if self.subject else ""
        return f"{self.unit.name} {subject}".strip()


WEEKDAYS = [
    (1, pgettext_lazy("weekday of a slot", "Monday")),
    (2, pgettext_lazy("weekday of a slot", "Tuesday")),
    (3, pgettext_lazy("weekday of a slot", "Wednesday")),
    (4, pgettext_lazy("weekday of a slot", "Thursday")),
    (5, pgettext_lazy("weekday of a slot", "Friday")),
    (6, pgettext_lazy("weekday of a slot", "Saturday")),
]


class Slot(TenantModel):
    """A weekly place of a course: a weekday, a time, a room, every week or week A or B."""

    class Weeks(models.TextChoices):
        EVERY = "", _("Every week")
        A = "A", _("Week A")
        B = "B", _("Week B")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    starts_at = models.TimeField(_("start"))
    ends_at = models.TimeField(_("end"))
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    weeks = models.CharField(_("weeks"), max_length=1, choices=Weeks.choices, blank=True)

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]


class SchoolCalendar(TenantModel):
    """A school's calendar for a year: which week is A, and whether holidays count as weeks."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    week_a_monday = models.DateField(_("a Monday of week A"), null=True, blank=True)
    holidays_count = models.BooleanField(
        _("holiday weeks count in the A/B alternation"), default=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="calendar_unique_per_year")
        ]


class Holiday(TenantModel):
    """Days without lessons: for the whole tenant (its académie's holidays) or one school."""

    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="holiday_ends_after_start",
            )
        ]

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class LessonChange(TenantModel):
    """A one-off change to one lesson (a slot on a date): cancelled, moved, another teacher or
    another room."""

    class Kind(models.TextChoices):
        CANCELLED = "cancelled", _("Cancelled")
        MOVED = "moved", _("Moved")
        REPLACED = "replaced", _("Another teacher")
        ROOM = "room", _("Another room")

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField(_("date"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    new_date = models.DateField(_("new date"), null=True, blank=True)
    new_starts_at = models.TimeField(_("new start"), null=True, blank=True)
    new_ends_at = models.TimeField(_("new end"), null=True, blank=True)
    new_room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "date"], name="one_change_per_lesson")
        ]
        indexes = [models.Index(fields=["tenant", "new_date"])]


class CalendarFeed(TenantModel):
    """A person's private iCal address: whoever has the token reads their timetable, until
    they revoke it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
