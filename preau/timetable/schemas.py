from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class LessonOut(Schema):
    date: dt.date
    starts_at: dt.time
    ends_at: dt.time
    subject: str
    unit: str = Field(description="The class or group.")
    teacher: str
    room: str | None
    weeks: Literal["", "A", "B"]
    status: Literal["", "cancelled", "moved_away", "moved_here", "replaced", "room"] = Field(
        description="How it differs from the usual timetable (empty: as usual)."
    )
    note: str


class WeekOut(Schema):
    monday: dt.date
    letter: Literal["", "A", "B"]
    person_id: int
    lessons: list[LessonOut]
    previous: dt.date
    next: dt.date
