"""Weeks, without the database: which Monday, which letter (A or B), which days are holidays,
and the lessons of a week from slots and their one-off changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from preau.timetable.models import Course, Holiday, LessonChange, Room, SchoolCalendar, Slot

WEEK = dt.timedelta(days=7)
SCHOOL_DAYS = 6  # Monday to Saturday


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(value: str | None, *, today: dt.date) -> dt.date:
    """The Monday of `?week=YYYY-MM-DD` (any day of it), else of this week; nonsense → this week."""
    try:
        return monday_of(dt.date.fromisoformat(value or ""))
    except ValueError:
        return monday_of(today)


def is_holiday_week(monday: dt.date, holidays: Sequence[Holiday]) -> bool:
    """Monday to Friday all on holidays."""
    days = [monday + dt.timedelta(days=i) for i in range(5)]
    return all(any(h.covers(d) for h in holidays) for d in days)


def week_letter(
    monday: dt.date, calendar: SchoolCalendar | None, holidays: Sequence[Holiday]
) -> str:
    """ "A", "B", or "" (no alternation set, or a holiday week when holidays do not count).

    From the calendar's Monday of week A the weeks alternate; when holiday weeks do not count
    (the usual rule), the alternation skips them: the week after the holidays takes the letter
    the week before them would have passed on.
    """
    if calendar is None or calendar.week_a_monday is None:
        return ""
    origin = monday_of(calendar.week_a_monday)
    if calendar.holidays_count:
        return "AB"[((monday - origin).days // 7) % 2]
    if is_holiday_week(monday, holidays):
        return ""
    step = WEEK if monday >= origin else -WEEK
    count, week = 0, origin
    while week != monday:
        week += step
        if not is_holiday_week(week, holidays):
            count += 1
    return "AB"[count % 2]


@dataclass(frozen=True)
class Lesson:
    """One lesson of a week, as it will happen (`change` says how it differs, if it does)."""

    slot: Slot
    date: dt.date
    starts_at: dt.time
    ends_at: dt.time
    room: Room | None
    teacher_name: str
    change: LessonChange | None = None
    # "", "cancelled", "moved_away" (its usual place, now empty), "moved_here", "replaced", "room"
    status: str = ""

    @property
    def course(self) -> Course:
        return self.slot.course

    @property
    def starts(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.starts_at)

    @property
    def ends(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.ends_at)


@dataclass
class Day:
    date: dt.date
    lessons: list[Lesson] = field(default_factory=list)
    holiday: Holiday | None = None


@dataclass
class Week:
    monday: dt.date
    letters: dict[int, str]  # school id → "A", "B" or ""
    days: list[Day]

    @property
    def previous(self) -> dt.date:
        return self.monday - WEEK

    @property
    def next(self) -> dt.date:
        return self.monday + WEEK

    @property
    def letter(self) -> str:
        """The week's letter when every school involved agrees (one school: its letter)."""
        letters = set(self.letters.values())
        return letters.pop() if len(letters) == 1 else ""

    @property
    def lesson_count(self) -> int:
        return sum(1 for d in self.days for lesson in d.lessons if lesson.status != "moved_away")


def _teacher_name(slot: Slot) -> str:
    teacher = slot.course.teacher
    return teacher.full_name if teacher else ""


def _holiday_on(day: dt.date, school_id: int, holidays: Sequence[Holiday]) -> Holiday | None:
    return next((h for h in holidays if h.covers(day) and h.school_id in (None, school_id)), None)


def lessons_of(
    slots: Iterable[Slot],
    changes: Iterable[LessonChange],
    *,
    monday: dt.date,
    calendars: dict[int, SchoolCalendar],
    holidays: Sequence[Holiday],
    year_bounds: tuple[dt.date, dt.date] | None,
) -> Week:
    """The week of `monday` for these slots: each slot on its weekday if its week pattern
    matches, the day is in the school year and not a holiday, then the changes applied. A lesson
    moved from another week appears here when its new date is in this week (`changes` holds the
    changes of the lessons of this week and those moved into it)."""
    sunday = monday + dt.timedelta(days=6)
    by_lesson = {(c.slot_id, c.date): c for c in changes}
    school_ids = {s.course.school_id for s in slots} | {c.slot.course.school_id for c in changes}
    letters = {
        sid: week_letter(
            monday, calendars.get(sid), [h for h in holidays if h.school_id in (None, sid)]
        )
        for sid in school_ids
    }
    days = [Day(monday + dt.timedelta(days=i)) for i in range(SCHOOL_DAYS)]
    for slot in slots:
        school_id = slot.course.school_id
        day = days[slot.weekday - 1]
        if year_bounds and not (year_bounds[0] <= day.date <= year_bounds[1]):
            continue
        if _holiday_on(day.date, school_id, holidays):
            continue
        if slot.weeks and slot.weeks != letters.get(school_id):
            continue
        change = by_lesson.get((slot.pk, day.date))
        lesson = Lesson(
            slot, day.date, slot.starts_at, slot.ends_at, slot.room, _teacher_name(slot)
        )
        if change is not None:
            lesson = _apply(lesson, change)
        day.lessons.append(lesson)
    # Lessons of another week (or day) moved into this one.
    for change in changes:
        if (
            change.kind == LessonChange.Kind.MOVED
            and change.new_date
            and monday <= change.new_date <= sunday
            and change.new_date.weekday() < SCHOOL_DAYS
        ):
            slot = change.slot
            days[change.new_date.weekday()].lessons.append(
                Lesson(
                    slot,
                    change.new_date,
                    change.new_starts_at or slot.starts_at,
                    change.new_ends_at or slot.ends_at,
                    change.new_room or slot.room,
                    _teacher_name(slot),
                    change,
                    "moved_here",
                )
            )
    for day in days:
        day.lessons.sort(key=lambda lesson: (lesson.starts_at, lesson.slot.pk))
        if not day.lessons and school_ids:
            day.holiday = next(
                (h for sid in sorted(school_ids) if (h := _holiday_on(day.date, sid, holidays))),
                None,
            )
    return Week(monday=monday, letters=letters, days=days)


def _apply(lesson: Lesson, change: LessonChange) -> Lesson:
    kind = change.kind
    if kind == LessonChange.Kind.CANCELLED:
        return _with(lesson, change, "cancelled")
    if kind == LessonChange.Kind.MOVED:
        return _with(lesson, change, "moved_away")
    if kind == LessonChange.Kind.REPLACED:
        name = change.substitute.full_name if change.substitute else ""
        return _with(lesson, change, "replaced", teacher_name=name)
    if kind == LessonChange.Kind.ROOM:
        return _with(lesson, change, "room", room=change.new_room)
    return lesson


def _with(lesson: Lesson, change: LessonChange, status: str, **fields: object) -> Lesson:
    return replace(lesson, change=change, status=status, **fields)  # type: ignore[arg-type]
