from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class AttachmentOut(Schema):
    id: int
    name: str
    size: int = Field(description="In bytes.")
    content_type: str = Field(description="The type the file is served with.")
    url: str = Field(description="Where to download it: `GET /api/v1/homework/files/<id>`.")


class HomeworkOut(Schema):
    id: int
    due_on: dt.date
    subject: str
    unit: str = Field(description="The class or group.")
    teacher: str
    instructions_html: str = Field(description="Sanitised HTML; $…$ is TeX mathematics.")
    estimated_minutes: int
    is_done: bool
    attachments: list[AttachmentOut]


class TodoOut(Schema):
    pupil_id: int
    items: list[HomeworkOut]


class DoneIn(Schema):
    done: bool = True
