"""What the territory generator writes after the directory import: passwords, the tenant's
hosts, timetables, messages, news, the cahier de textes and documents, in one tenant.

Rows are written with PostgreSQL's COPY (psycopg 3 `cursor.copy`), their ids reserved from
the tables' sequences beforehand, in the shape the apps' actions write them (each function
says which action it stands for). Everything is drawn from one `random.Random(seed)` in a fixed
order, and every date comes from `today`: the same seed, directory and `today` give the same
rows. Needs Django set up (DATABASE_URL on PostgreSQL) and the directory imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")
PERIODS = [(8, 0), (9, 0), (10, 5), (11, 5), (13, 30), (14, 30), (15, 35), (16, 35), (17, 35)]
FULL_DAYS = (1, 2, 4, 5)  # Wednesday: mornings only
LESSON_MINUTES = 55
# Weekly hours per subject label (a half hour is one lesson every other week: week A or B).
HOURS = {
    "FRANCAIS": 4.5, "MATHEMATIQUES": 3.5, "HISTOIRE-GEOGRAPHIE": 3, "ANGLAIS LV1": 3,
    "SCIENCES VIE & TERRE": 1.5, "PHYSIQUE-CHIMIE": 1.5, "TECHNOLOGIE": 1.5,
    "ED.PHYSIQUE & SPORT.": 3, "SCIENCES ECONO.& SOCIALES": 1.5, "PHILOSOPHIE": 4,
    "ESPAGNOL LV2": 2.5, "ALLEMAND LV2": 2.5, "LATIN": 2, "HIST.GEO.GEOPOL.SC.POL.": 4,
}  # fmt: skip
SPORT = "ED.PHYSIQUE & SPORT."
SCIENCES = ("SCIENCES VIE & TERRE", "PHYSIQUE-CHIMIE", "TECHNOLOGIE")
READ_DELAY_HOURS = 20.0  # mean delay before a copy is opened
PASSWORD = "banc-Preau-2026"  # noqa: S105 - the benchmark accounts, printed on purpose


# --- writing ---------------------------------------------------------------------------------


class Writer:
    """COPY into a table, ids reserved from its sequence first."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.rows: dict[str, int] = defaultdict(int)

    def reserve(self, table: str, n: int) -> int:
        """The first of `n` consecutive ids nobody else will be given."""
        if n <= 0:
            return 0
        with self.raw.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                (table, table, n),
            )
            last = cur.fetchone()[0]  # type: ignore[index]
        return int(last) - n + 1

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        with self.raw.cursor() as cur:
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cur.copy(sql) as out:
                for row in rows:
                    out.write_row(row)
                    count += 1
        self.rows[table] += count
        return count


def js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- the directory as the import left it -------------------------------------------------------


@dataclass
class Course:
    id: int
    school: int
    klass: int | None
    group: int | None
    subject: str  # label
    teacher: int | None
    unit_name: str
    audience: int = 0
    slots: list[tuple[int, dt.time, dt.time, str]] = field(default_factory=list)


@dataclass
class Directory:
    tenant_id: int
    year_id: int
    starts_on: dt.date
    ends_on: dt.date
    operator: int
    schools: list[tuple[int, str, str]]  # id, name, kind
    classes: dict[int, list[tuple[int, str, str]]]  # school -> (id, code, name)
    groups: dict[int, list[tuple[int, str, str]]]
    teachers: dict[int, list[int]]  # school -> teacher ids
    staff: dict[int, list[tuple[int, list[str]]]]  # school -> (id, functions)
    pupils: dict[int, list[int]]  # class -> pupil ids
    guardians_of: dict[int, list[int]]  # pupil -> guardian ids (levels 1 and 2)
    class_teachers: dict[int, list[int]]  # class -> teachers
    names: dict[int, str]  # person -> "First Last"


def load_directory(tenant_id: int) -> Directory:
    from preau.directory.models import Group as DirGroup
    from preau.directory.models import (
        GuardianLink,
        Membership,
        Person,
        School,
        SchoolClass,
        SchoolYear,
        TeachingAssignment,
    )

    year = SchoolYear.objects.get(tenant_id=tenant_id, is_current=True)
    operator = Person.objects.filter(tenant_id=tenant_id, is_operator=True).order_by("pk")[0]
    schools = list(
        School.objects.filter(tenant_id=tenant_id).order_by("pk").values_list("pk", "name", "kind")
    )
    classes: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, school, code, name in (
        SchoolClass.objects.filter(tenant_id=tenant_id, year=year)
        .order_by("pk")
        .values_list("pk", "school_id", "code", "name")
    ):
        classes[school].append((pk, code, name))
    groups: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, school, code, name in (
        DirGroup.objects.filter(tenant_id=tenant_id, year=year)
        .order_by("pk")
        .values_list("pk", "school_id", "code", "name")
    ):
        groups[school].append((pk, code, name))
    teachers: dict[int, list[int]] = defaultdict(list)
    staff: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    pupils: dict[int, list[int]] = defaultdict(list)
    for person, school, profile, functions, klass in (
        Membership.objects.filter(tenant_id=tenant_id, year=year)
        .order_by("pk")
        .values_list("person_id", "school_id", "profile", "functions", "school_class_id")
    ):
        if profile == "teacher":
            teachers[school].append(person)
        elif profile == "staff":
            staff[school].append((person, list(functions)))
        elif profile == "pupil" and klass:
            pupils[klass].append(person)
    guardians_of: dict[int, list[int]] = defaultdict(list)
    for pupil, guardian in (
        GuardianLink.objects.filter(tenant_id=tenant_id, level__in=(1, 2))
        .order_by("pk")
        .values_list("pupil_id", "guardian_id")
    ):
        guardians_of[pupil].append(guardian)
    class_teachers: dict[int, list[int]] = defaultdict(list)
    for klass, teacher in (
        TeachingAssignment.objects.filter(
            tenant_id=tenant_id, year=year, school_class__isnull=False
        )
        .order_by("pk")
        .values_list("school_class_id", "teacher_id")
    ):
        if teacher not in class_teachers[klass]:
            class_teachers[klass].append(teacher)
    names = {
        pk: f"{first} {last}"
        for pk, first, last in Person.objects.filter(tenant_id=tenant_id).values_list(
            "pk", "first_name", "last_name"
        )
    }
    return Directory(
        tenant_id=tenant_id,
        year_id=year.pk,
        starts_on=year.starts_on,
        ends_on=year.ends_on,
        operator=operator.pk,
        schools=schools,
        classes=classes,
        groups=groups,
        teachers=teachers,
        staff=staff,
        pupils=pupils,
        guardians_of=guardians_of,
        class_teachers=class_teachers,
        names=names,
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def random_moment(rng: random.Random, day: dt.date, first: int = 7, last: int = 20) -> dt.datetime:
    return at(day, rng.randint(first, last - 1), rng.randrange(60))


# --- accounts and hosts --------------------------------------------------------------------


def set_passwords(tenant_id: int, starts_on: dt.date, password: str = PASSWORD) -> int:
    """Every account active with `password` (hashed once, by the configured hasher), as
    `accounts.actions.activate_account` leaves an activated account."""
    from preau.directory.models import Person

    activated = at(starts_on, 9)
    return Person.objects.filter(tenant_id=tenant_id).update(
        password=make_password(password),
        activated_at=activated,
        terms_accepted_at=activated,
        is_blocked=False,
    )


def add_hosts(tenant_id: int, hosts: Sequence[str]) -> list[str]:
    """The host names the tenant answers on (core.tenancy.tenant_for_host reads them)."""
    from preau.core.models import TenantHost

    for host in hosts:
        TenantHost.objects.get_or_create(host=host, defaults={"tenant_id": tenant_id})
    return list(hosts)


# --- timetables ----------------------------------------------------------------------------


def holidays_of(start_year: int) -> list[tuple[str, dt.date, dt.date]]:
    """Plausible zone A holidays of the school year starting in `start_year`."""

    def saturday_from(day: dt.date) -> dt.date:
        return day + dt.timedelta(days=(5 - day.weekday()) % 7)

    y = start_year
    autumn = saturday_from(dt.date(y, 10, 17))
    christmas = saturday_from(dt.date(y, 12, 19))
    winter = saturday_from(dt.date(y + 1, 2, 6))
    spring = saturday_from(dt.date(y + 1, 4, 3))
    two_weeks = dt.timedelta(days=15)
    return [
        ("Vacances de la Toussaint", autumn, autumn + two_weeks),
        ("Armistice", dt.date(y, 11, 11), dt.date(y, 11, 11)),
        ("Vacances de Noël", christmas, christmas + two_weeks),
        ("Vacances d'hiver", winter, winter + two_weeks),
        ("Vacances de printemps", spring, spring + two_weeks),
    ]


def write_timetables(w: Writer, d: Directory, rng: random.Random) -> tuple[list[Course], dict]:
    """Each school as `timetable.demo` makes it, but a full week: the courses from the teaching
    services (`actions.fill_from_services`), its calendar (`actions.set_calendar`, weeks A/B
    from the start of the year), rooms, and each course's weekly hours placed without a clash
    for a class (and the classes of its level during a group's lesson), a teacher or a room.
    The tenant's holidays are rows without a school (the académie's, entered once)."""
    from preau.directory.models import Person, School, SchoolYear
    from preau.directory.queries import build_actor
    from preau.timetable import actions
    from preau.timetable.calendar import monday_of
    from preau.timetable.models import Course as CourseRow
    from preau.timetable.models import Holiday

    operator = Person.objects.get(pk=d.operator)
    year = SchoolYear.objects.get(pk=d.year_id)
    Holiday.objects.bulk_create(
        [
            Holiday(tenant_id=d.tenant_id, school=None, name=name, starts_on=a, ends_on=b)
            for name, a, b in holidays_of(year.start_year)
        ]
    )
    stats = {"hours_wanted": 0.0, "hours_placed": 0.0}
    courses: list[Course] = []
    room_rows: list[tuple[Any, ...]] = []
    slot_rows: list[tuple[Any, ...]] = []
    class_names = {pk: name for rows in d.classes.values() for pk, _c, name in rows}
    group_names = {pk: name for rows in d.groups.values() for pk, _c, name in rows}
    class_level = {pk: code[:1] for rows in d.classes.values() for pk, code, _n in rows}
    for school_id, _name, _kind in d.schools:
        school = School.objects.get(pk=school_id)
        actor = build_actor(operator, tenant=school.tenant, school_id=school_id)
        actions.fill_from_services(actor=actor, school=school)
        actions.set_calendar(
            actor=actor,
            school=school,
            week_a_monday=monday_of(year.starts_on),
            holidays_count=False,
        )
        school_courses = [
            Course(
                id=pk,
                school=school_id,
                klass=klass,
                group=group,
                subject=label or "",
                teacher=teacher,
                unit_name=class_names.get(klass or 0) or group_names.get(group or 0, ""),
            )
            for pk, klass, group, label, teacher in CourseRow.objects.filter(
                school_id=school_id, year=year
            )
            .order_by("pk")
            .values_list("pk", "school_class_id", "group_id", "subject__label", "teacher_id")
        ]
        rooms = _rooms(w, d, school_id, len(d.classes[school_id]), room_rows)
        _place(
            rng,
            school_courses,
            rooms=rooms,
            class_level=class_level,
            d=d,
            school_id=school_id,
            out=slot_rows,
            stats=stats,
        )
        courses += school_courses
    w.copy("timetable_room", ("id", "tenant_id", "school_id", "name"), room_rows)
    first = w.reserve("timetable_slot", len(slot_rows))
    w.copy(
        "timetable_slot",
        ("id", "tenant_id", "course_id", "weekday", "starts_at", "ends_at", "room_id", "weeks"),
        ((first + i, *row) for i, row in enumerate(slot_rows)),
    )
    return courses, stats


def _rooms(
    w: Writer, d: Directory, school_id: int, classes: int, out: list[tuple[Any, ...]]
) -> dict[str, list[int]]:
    kinds = {
        "plain": [f"Salle {100 * (1 + i // 12) + i % 12 + 1}" for i in range(classes + 4)],
        "lab": ["Labo 1", "Labo 2", "Labo 3", "Salle techno"][: max(2, classes // 6)],
        "sport": ["Gymnase", "Plateau sportif", "Piscine", "Stade"][: max(2, classes // 6)],
    }
    first = w.reserve("timetable_room", sum(len(v) for v in kinds.values()))
    rooms: dict[str, list[int]] = {}
    for kind, names in kinds.items():
        rooms[kind] = []
        for name in names:
            out.append((first, d.tenant_id, school_id, name))
            rooms[kind].append(first)
            first += 1
    return rooms


def _place(
    rng: random.Random,
    courses: list[Course],
    *,
    rooms: dict[str, list[int]],
    class_level: dict[int, str],
    d: Directory,
    school_id: int,
    out: list[tuple[Any, ...]],
    stats: dict[str, float],
) -> None:
    """Greedy: group lessons first (a group's lesson takes its level's classes), then the
    longest courses; each lesson on a day the course has none yet if it can."""
    periods = [(day, p) for day in FULL_DAYS for p in range(len(PERIODS))]
    periods += [(3, p) for p in range(4)]
    busy: set[tuple[str, int, int, int, str]] = set()
    level_classes: dict[str, list[int]] = defaultdict(list)
    for pk, code, _name in d.classes[school_id]:
        level_classes[code[:1]].append(pk)
    group_level = {pk: _group_level(code) for pk, code, _n in d.groups[school_id]}

    def units(course: Course) -> list[tuple[str, int]]:
        if course.klass:
            return [("c", course.klass)]
        level = group_level.get(course.group or 0, "")
        return [("g", course.group or 0)] + [("c", c) for c in level_classes.get(level, [])]

    order = sorted(courses, key=lambda c: (c.klass is not None, -HOURS.get(c.subject, 2), c.id))
    for rank, course in enumerate(order):
        hours = HOURS.get(course.subject, 2.0)
        stats["hours_wanted"] += hours
        lessons = [""] * int(hours) + (["AB"[rank % 2]] if hours % 1 else [])
        kind = (
            "sport" if course.subject == SPORT else "lab" if course.subject in SCIENCES else "plain"
        )
        keys_of = units(course) + ([("t", course.teacher)] if course.teacher else [])
        days_used: set[int] = set()
        candidates = periods[:]
        rng.shuffle(candidates)
        for weeks in lessons:
            letters = ("A", "B") if weeks == "" else (weeks,)
            placed = False
            for second_pass in (False, True):
                for day, p in candidates:
                    if not second_pass and day in days_used:
                        continue
                    keys = {(k, pk, day, p, x) for k, pk in keys_of for x in letters}
                    if keys & busy:
                        continue
                    room = next(
                        (
                            r
                            for r in rooms[kind]
                            if not any(("r", r, day, p, x) in busy for x in letters)
                        ),
                        None,
                    )
                    if room is None:
                        continue
                    busy.update(keys)
                    busy.update(("r", room, day, p, x) for x in letters)
                    start = dt.time(*PERIODS[p])
                    end = (
                        dt.datetime.combine(dt.date.min, start)
                        + dt.timedelta(minutes=LESSON_MINUTES)
                    ).time()
                    out.append((d.tenant_id, course.id, day, start, end, room, weeks))
                    course.slots.append((day, start, end, weeks))
                    days_used.add(day)
                    stats["hours_placed"] += 1 if weeks == "" else 0.5
                    placed = True
                    break
                if placed:
                    break
        course.slots.sort()


def _group_level(code: str) -> str:
    """ "ESP5-1" -> "5", "SPEMATH1-2" -> "1", "LAT4" -> "4" (the AAF set's group codes)."""
    head = code.split("-", maxsplit=1)[0]
    return head[-1:] if head else ""


def write_course_audiences(
    w: Writer, d: Directory, courses: list[Course], created: dt.datetime
) -> None:
    """Each course's audience, as `timetable.actions.course_audience` makes it on first use:
    its class's pupils and guardians (or its group's members) and its teacher."""
    first = w.reserve("directory_audience", len(courses))
    audiences, targets = [], []
    for i, c in enumerate(courses):
        c.audience = first + i
        label = f"{c.unit_name} {c.subject}".strip()
        audiences.append((c.audience, d.tenant_id, label[:200], None, created))
        if c.klass:
            targets.append((d.tenant_id, c.audience, "class_pupils", c.klass, None, None))
            targets.append((d.tenant_id, c.audience, "class_guardians", c.klass, None, None))
        else:
            targets.append((d.tenant_id, c.audience, "group", None, c.group, None))
        if c.teacher:
            targets.append((d.tenant_id, c.audience, "person", None, None, c.teacher))
    w.copy(
        "directory_audience", ("id", "tenant_id", "label", "created_by_id", "created_at"), audiences
    )
    w.copy(
        "directory_audiencetarget",
        ("tenant_id", "audience_id", "kind", "school_class_id", "group_id", "person_id",
         "profile", "function"),
        ((*t, "", "") for t in targets),
    )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE timetable_course SET audience_id = a.id FROM (SELECT "
            "unnest(%s::bigint[]) AS c, unnest(%s::bigint[]) AS id) a "
            "WHERE timetable_course.id = a.c",
            [[c.id for c in courses], [c.audience for c in courses]],
        )


# --- the calendar of the term -------------------------------------------------------------------


@dataclass
class Term:
    starts_on: dt.date
    today: dt.date
    holidays: list[tuple[str, dt.date, dt.date]]
    week_a_monday: dt.date

    def is_school_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not any(a <= day <= b for _n, a, b in self.holidays)

    def days(self, until: dt.date) -> list[dt.date]:
        """School days from the start of the year to `until` (excluded)."""
        out, day = [], self.starts_on
        while day < until:
            if self.is_school_day(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    def mondays(self, until: dt.date) -> list[dt.date]:
        first = self.starts_on - dt.timedelta(days=self.starts_on.weekday())
        out = []
        while first < until:
            out.append(first)
            first += dt.timedelta(days=7)
        return out

    def letter(self, monday: dt.date) -> str:
        """A or B, weeks counted from week_a_monday, holiday weeks not counted (what
        `timetable.calendar.week_letter` answers with holidays_count False)."""
        if self.is_holiday_week(monday):
            return ""
        n, week = 0, self.week_a_monday
        while week < monday:
            if not self.is_holiday_week(week):
                n += 1
            week += dt.timedelta(days=7)
        return "AB"[n % 2]

    def is_holiday_week(self, monday: dt.date) -> bool:
        return all(not self.is_school_day(monday + dt.timedelta(days=i)) for i in range(5))


def lessons(course: Course, term: Term, until: dt.date) -> list[tuple[dt.date, dt.time, dt.time]]:
    """The dates of the course's lessons, from the start of the year to `until` (excluded)."""
    out = []
    for monday in term.mondays(until):
        letter = term.letter(monday)
        if not letter:
            continue
        for weekday, start, end, weeks in course.slots:
            day = monday + dt.timedelta(days=weekday - 1)
            if weeks and weeks != letter:
                continue
            if term.starts_on <= day < until and term.is_school_day(day):
                out.append((day, start, end))
    return out


# --- content checksum ----------------------------------------------------------------------------

# Each query reads generated content by natural keys (logins, codes, names), never ids, so two
# tenants generated from the same set and seed give the same digest.
CHECKSUM_QUERIES = {
    "slots": """
        SELECT coalesce(sc.code, g.code), sub.code, p.login, s.weekday, s.starts_at, s.weeks, r.name
        FROM timetable_slot s JOIN timetable_course c ON c.id = s.course_id
        LEFT JOIN directory_schoolclass sc ON sc.id = c.school_class_id
        LEFT JOIN directory_group g ON g.id = c.group_id
        LEFT JOIN directory_subject sub ON sub.id = c.subject_id
        LEFT JOIN directory_person p ON p.id = c.teacher_id
        LEFT JOIN timetable_room r ON r.id = s.room_id WHERE s.tenant_id = %s""",
    "messages": """
        SELECT p.login, m.sent_at, m.subject, md5(m.body_html), m.is_broadcast, m.recipient_count,
               (SELECT string_agg(e->>'label', '|') FROM jsonb_array_elements(m.addressed) e),
               rp.login, m.reply_to_id IS NULL
        FROM messaging_message m JOIN directory_person p ON p.id = m.sender_id
        LEFT JOIN messaging_message r ON r.id = m.reply_to_id
        LEFT JOIN directory_person rp ON rp.id = r.sender_id WHERE m.tenant_id = %s""",
    "deliveries": """
        SELECT p.login, sp.login, m.sent_at, m.subject, d.read_at, d.trashed_at, d.is_flagged
        FROM messaging_delivery d JOIN directory_person p ON p.id = d.recipient_id
        JOIN messaging_message m ON m.id = d.message_id
        JOIN directory_person sp ON sp.id = m.sender_id WHERE d.tenant_id = %s""",
    "notifications": """
        SELECT n.kind, p.login, a.label, n.text, n.created_at, n.read_at, n.expires_at
        FROM core_notification n LEFT JOIN directory_person p ON p.id = n.recipient_id
        LEFT JOIN directory_audience a ON a.id = n.audience_id WHERE n.tenant_id = %s""",
    "news": """
        SELECT s.uai, n.title, md5(n.body_html), n.published_at, n.expires_at, n.audience_count,
               (SELECT string_agg(e->>'label', '|') FROM jsonb_array_elements(n.addressed) e)
        FROM news_news n JOIN directory_school s ON s.id = n.school_id WHERE n.tenant_id = %s""",
    "homework": """
        SELECT a.label, h.due_on, md5(h.instructions_html), h.publish_at, h.estimated_minutes,
               h.hand_in_until, l.date
        FROM homework_homework h JOIN timetable_course c ON c.id = h.course_id
        JOIN directory_audience a ON a.id = c.audience_id
        LEFT JOIN homework_lessonlog l ON l.id = h.lesson_id WHERE h.tenant_id = %s""",
    "lessons": """
        SELECT a.label, l.date, l.title, md5(l.content_html)
        FROM homework_lessonlog l JOIN timetable_course c ON c.id = l.course_id
        JOIN directory_audience a ON a.id = c.audience_id WHERE l.tenant_id = %s""",
    "documents": """
        SELECT s.kind, s.name, op.login, f.name, d.name, d.size, v.sha256, v.content_type
        FROM documents_document d JOIN documents_space s ON s.id = d.space_id
        LEFT JOIN directory_person op ON op.id = s.owner_id
        LEFT JOIN documents_folder f ON f.id = d.folder_id
        JOIN documents_version v ON v.id = d.current_version_id WHERE d.tenant_id = %s""",
}


def checksum(tenant_id: int) -> str:
    """A digest of the generated content, independent of ids."""
    digest = hashlib.sha256()
    with connection.cursor() as cur:
        for name, sql in CHECKSUM_QUERIES.items():
            cur.execute(sql, [tenant_id])
            rows = sorted(repr(row) for row in cur.fetchall())
            digest.update(name.encode())
            for row in rows:
                digest.update(row.encode())
    return digest.hexdigest()


def uid(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def url_maker(name: str) -> Callable[[int], str]:
    marker = 987654321
    pattern = reverse(name, args=[marker])
    return lambda pk: pattern.replace(str(marker), str(pk))


def french(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(message)


def homework_text(subject: str, due_on: dt.date) -> str:
    """The notification text of `homework.actions._announce`, in French."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(subject)s: homework for %(day)s") % {
            "subject": subject,
            "day": date_format(due_on, "l j F"),
        }


def timed(phases: dict[str, float], name: str) -> Iterator[None]:  # pragma: no cover - helper
    started = time.perf_counter()
    yield
    phases[name] = round(time.perf_counter() - started, 2)


def media_path(root: Path, name: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
