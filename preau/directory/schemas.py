"""Input and output schemas of the directory API (separate classes, never the models)."""

from __future__ import annotations

from ninja import Field, Schema

from preau.directory.models import Profile


class ErrorOut(Schema):
    detail: str = Field(description="A human-readable reason.")
    code: str = Field(description="A stable, machine-readable reason, e.g. `bad_cursor`.")


class SchoolRefOut(Schema):
    id: int
    uai: str
    name: str


class ClassRefOut(Schema):
    id: int
    code: str
    name: str
    school_id: int


class MembershipOut(Schema):
    school: SchoolRefOut
    profile: Profile
    functions: list[str]
    national_codes: list[str] = Field(description="National profile codes (National_ELV...).")
    school_class: ClassRefOut | None
    is_school_admin: bool


class MyClassOut(ClassRefOut):
    role: str = Field(description="`pupil` (my class) or `teacher` (a class I teach).")
    is_main_teacher: bool = False


class ChildOut(Schema):
    id: int
    first_name: str
    last_name: str
    classes: list[ClassRefOut]


class MeOut(Schema):
    id: int
    login: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    language: str
    profiles: list[MembershipOut] = Field(description="This school year's profiles, per school.")
    classes: list[MyClassOut]
    children: list[ChildOut] = Field(description="For guardians: the children they are linked to.")


class SchoolClassOut(Schema):
    id: int
    code: str
    name: str
    level_code: str | None
    level: str | None


class PersonProfileOut(Schema):
    school_id: int
    school_name: str
    profile: Profile
    class_name: str | None


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    profiles: list[PersonProfileOut]


class PeoplePageOut(Schema):
    items: list[PersonOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last.")


class PeopleQueryIn(Schema):
    search: str = Field("", description="Words of a name, accents and case ignored.")
    profile: Profile | None = None
    school_id: int | None = None
    after: str | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(20, ge=1, description="Page size, at most 100 (larger values are capped).")
