"""The records every parser yields and the reconciler consumes: one vocabulary for all formats.

A parser knows its file format and nothing of the database; the reconciler knows the database and
nothing of file formats. Between them flow these plain records, each carrying where it came from
(`Source`) so that an error or a report line names the file and the line or element.

References between records are by key: a school by its join key or UAI, a class or group by its
code within the school, a subject or level by its code, a person by their join key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Source:
    """Where a record or an error comes from: a file name and a line (or element) in it."""

    file: str
    line: int | None = None
    element: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.element:
            where += f" ({self.element})"
        return where


class FeedError(Exception):
    """A problem in the input: it names the file and the line or element, in the user's words."""

    def __init__(self, message: str, source: Source | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.source.file if self.source else "",
            "line": self.source.line if self.source else None,
            "element": self.source.element if self.source else "",
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class FeedWarning(FeedError):  # noqa: N818 - a warning, reported with the errors
    """Something worth telling that rejects nothing (an ignored column): never blocks."""

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "warning": True}


def blocking(errors: list[FeedError]) -> list[FeedError]:
    return [e for e in errors if not isinstance(e, FeedWarning)]


class Op(StrEnum):
    ADD = "add"  # create, or replace everything when the key exists (complete sets)
    MODIFY = "modify"  # replace only the fields listed in `present`
    DELETE = "delete"


@dataclass
class StructureRecord:
    """A school. `key` is its join key (AAF ENTStructureJointure) or, failing that, its UAI."""

    key: str
    uai: str
    source: Source
    name: str = ""
    kind: str = ""  # a School.Kind value, or "" when the feed does not say
    sector: str = ""  # a School.Sector value, or ""
    city: str = ""
    classes: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    groups: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    # Group code → codes of the classes it draws pupils from (STS-Web DIVISIONS_APPARTENANCE).
    group_classes: dict[str, list[str]] = field(default_factory=dict)
    # Class code → its MEF code (STS-Web MEFS_APPARTENANCE; the first when there are several).
    class_levels: dict[str, str] = field(default_factory=dict)


@dataclass
class SubjectRecord:
    code: str
    label: str
    source: Source


@dataclass
class LevelRecord:
    """A MEF: code and label."""

    code: str
    label: str
    source: Source


@dataclass
class MembershipRecord:
    """A place in a school for the current year. `school` is a join key or a UAI."""

    school: str
    profile: str  # a Profile value
    functions: list[str] = field(default_factory=list)  # Function values, staff only
    class_code: str = ""  # pupils: their class (division)
    group_codes: list[str] = field(default_factory=list)  # teaching groups of the school
    level_code: str = ""  # pupils: their MEF
    is_school_admin: bool = False


@dataclass
class AssignmentRecord:
    """A teacher teaches a subject to a class (class_code) or to a group (group_code)."""

    school: str
    class_code: str = ""
    group_code: str = ""
    subject_code: str = ""
    is_main: bool = False


@dataclass
class GuardianLinkRecord:
    """A link seen from the pupil's side: `guardian_key` is the guardian's person key."""

    guardian_key: str
    level: int = 1  # 1 legal representative, 2 person in charge
    kinship: str = ""
    contact_priority: int = 1


class Field(StrEnum):
    """The groups of person fields a MODIFY may replace (`PersonRecord.present`)."""

    NAMES = "names"  # first_name, last_name, title
    BIRTH_DATE = "birth_date"
    EMAIL = "email"
    INE = "ine"
    CONTACT = "contact"  # phone, mobile, address
    MEMBERSHIPS = "memberships"  # schools, profiles, functions, classes, levels
    GROUPS = "groups"  # the group codes of the memberships
    ASSIGNMENTS = "assignments"
    GUARDIANS = "guardians"
    CHILDREN = "children"


# Every field group but the guardian links: a pupils' file without its guardians' file.
WITHOUT_LINKS = frozenset(Field) - {Field.GUARDIANS, Field.CHILDREN}


@dataclass
class PersonRecord:
    """A person as a feed describes them.

    `profile` is the person's category in the feed (pupil, guardian, teacher, staff); the
    memberships say where. For a MODIFY, `present` lists the field groups the feed replaces; for
    an ADD it is None (everything is given). Guardian links may be given from the pupil's side
    (`guardians`) or from the guardian's (`children`: the pupils' keys), or both.
    """

    key: str
    profile: str
    source: Source
    op: Op = Op.ADD
    first_name: str = ""
    last_name: str = ""
    title: str = ""  # "M.", "Mme" or ""
    birth_date: dt.date | None = None
    email: str = ""
    ine: str = ""
    phone: str = ""
    mobile: str = ""
    address: str = ""
    memberships: list[MembershipRecord] = field(default_factory=list)
    assignments: list[AssignmentRecord] = field(default_factory=list)
    guardians: list[GuardianLinkRecord] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    present: frozenset[Field] | None = None

    def has(self, f: Field) -> bool:
        return self.present is None or f in self.present


@dataclass
class DeleteRecord:
    """A delta's deleteRequest: the person (or structure) with this key leaves the feed."""

    kind: str  # "person" or "structure"
    key: str
    source: Source


Record = StructureRecord | SubjectRecord | LevelRecord | PersonRecord | DeleteRecord


@dataclass
class ParseProgress:
    """What a parser reports as it goes: bytes read out of the total, for the progress bar."""

    done: int = 0
    total: int = 0


RecordStream = Iterator[Record]
