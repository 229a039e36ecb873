from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class HomeworkOut(Schema):
    id: int
    due_on: dt.date
    subject: str
    unit: str = Field(description="The class or group.")
    teacher: str
    instructions_html: str = Field(description="Sanitised HTML; $…$ is TeX mathematics.")
    estimated_minutes: int
    is_done: bool


class TodoOut(Schema):
    pupil_id: int
    items: list[HomeworkOut]


class DoneIn(Schema):
    done: bool = True
