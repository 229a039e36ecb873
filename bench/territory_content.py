"""The territory's content: a term of messages, news, the cahier de textes and documents,
each written with COPY in the shape its app's actions write it (see territory_data)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import territory_text as text
from territory_data import (
    READ_DELAY_HOURS,
    Course,
    Directory,
    Term,
    Writer,
    at,
    french,
    homework_text,
    js,
    lessons,
    media_path,
    random_moment,
    uid,
    url_maker,
)

MESSAGE_COLUMNS = (
    "id", "tenant_id", "sender_id", "school_id", "subject", "body_html", "thread_id",
    "reply_to_id", "is_broadcast", "addressed", "recipient_ids", "recipient_count", "created_at",
    "updated_at", "sent_at", "delivered_at",
)  # fmt: skip
NOTIFICATION_COLUMNS = (
    "tenant_id", "created_at", "kind", "recipient_id", "audience_id", "actor_id", "object_type",
    "object_id", "text", "url", "read_at", "expires_at",
)  # fmt: skip


@dataclass
class Mail:
    sender: int
    school: int
    subject: str
    body: str
    sent_at: dt.datetime
    recipients: list[int]
    addressed: list[dict[str, Any]]
    broadcast: bool = False
    reply_to: int = 0  # index in the list of mails, +1 (0: none)
    id: int = 0
    thread: int = 0


@dataclass
class Mailbox:
    """The term's messages, in the order they were sent (ids follow it)."""

    mails: list[Mail] = field(default_factory=list)

    def add(self, mail: Mail) -> int:
        self.mails.append(mail)
        return len(self.mails)


def _targets(d: Directory) -> dict[tuple[str, int], list[int]]:
    """Whom each collective recipient means, resolved as `send_message` does
    (`directory.audiences.people_in_target`), once per class and school."""
    from preau.directory.audiences import people_in_target
    from preau.directory.models import AudienceTarget

    out: dict[tuple[str, int], list[int]] = {}
    for school_id, _name, _kind in d.schools:
        for profile in ("pupil", "guardian", "teacher", "staff"):
            target = AudienceTarget(
                tenant_id=d.tenant_id, kind="profile", school_id=school_id, profile=profile
            )
            out[(profile, school_id)] = sorted(
                people_in_target(target).values_list("pk", flat=True)
            )
        for klass, _code, _cname in d.classes[school_id]:
            for kind in ("class_pupils", "class_guardians"):
                target = AudienceTarget(tenant_id=d.tenant_id, kind=kind, school_class_id=klass)
                out[(kind, klass)] = sorted(people_in_target(target).values_list("pk", flat=True))
    return out


def plan_messages(rng: random.Random, d: Directory, term: Term) -> Mailbox:
    """Per class and school week: two teachers' messages to the pupils, one to the guardians
    (some answered by a guardian, some of those answered again), two pupils' questions to a
    teacher (most answered); per school: the head's broadcast to the guardians every other
    week, the vie scolaire's to the pupils every third week, a weekly note to the teachers
    and staff (answered by one or two)."""
    box = Mailbox()
    sets = _targets(d)
    days = term.days(term.today)
    weeks: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in days:
        weeks[day - dt.timedelta(days=day.weekday())].append(day)
    labels = {
        "class_pupils": french("Pupils of %(name)s"),
        "class_guardians": french("Guardians of %(name)s"),
    }
    for school_id, school_name, _kind in d.schools:
        heads = [p for p, f in d.staff[school_id] if "DIR" in f] or d.teachers[school_id][:1]
        life = [p for p, f in d.staff[school_id] if "EDU" in f] or heads
        for n, (_monday, week_days) in enumerate(sorted(weeks.items())):
            for klass, _code, cname in d.classes[school_id]:
                _plan_class_week(
                    rng,
                    box,
                    d,
                    sets,
                    school_id=school_id,
                    klass=klass,
                    cname=cname,
                    week_days=week_days,
                    labels=labels,
                )
            _plan_school_week(
                rng,
                box,
                d,
                sets,
                school_id=school_id,
                school_name=school_name,
                head=heads[n % len(heads)],
                life=life,
                n=n,
                week_days=week_days,
            )
    return box


def _plan_class_week(
    rng: random.Random,
    box: Mailbox,
    d: Directory,
    sets: dict[tuple[str, int], list[int]],
    *,
    school_id: int,
    klass: int,
    cname: str,
    week_days: list[dt.date],
    labels: dict[str, str],
) -> None:
    """One class's school week: two teachers' messages to the pupils, one to the guardians
    (perhaps answered, and answered again), two pupils' questions to a teacher."""
    teachers = d.class_teachers.get(klass) or d.teachers[school_id]
    pupils = d.pupils.get(klass, [])
    if not teachers:
        return
    for _i in range(2):
        t = rng.choice(teachers)
        subject = text.subject_name(rng.choice(list(text.SUBJECT_NAMES)))
        box.add(
            Mail(
                t,
                school_id,
                text.fill(rng, rng.choice(text.CLASS_PUPIL_SUBJECTS), subject),
                text.paragraph(text.fill(rng, rng.choice(text.CLASS_PUPIL_BODIES), subject)),
                random_moment(rng, rng.choice(week_days), 8, 19),
                [p for p in sets[("class_pupils", klass)] if p != t],
                [{"kind": "class_pupils", "label": labels["class_pupils"] % {"name": cname}}],
            )
        )
    _plan_guardian_thread(
        rng,
        box,
        d,
        sets,
        school_id=school_id,
        klass=klass,
        cname=cname,
        teachers=teachers,
        week_days=week_days,
        labels=labels,
    )
    for _i in range(2):
        if not pupils:
            break
        p = rng.choice(pupils)
        t = rng.choice(teachers)
        subject = text.subject_name(rng.choice(list(text.SUBJECT_NAMES)))
        title, body = rng.choice(text.PUPIL_QUESTIONS)
        sent = random_moment(rng, rng.choice(week_days), 12, 21)
        question = box.add(
            Mail(
                p,
                school_id,
                title,
                text.paragraph(text.fill(rng, body, subject)),
                sent,
                [t],
                [{"kind": "person", "id": t, "label": d.names[t]}],
            )
        )
        if rng.random() < 0.7:
            answer = sent + dt.timedelta(minutes=rng.randint(20, 1800))
            box.add(
                _reply(
                    box,
                    question,
                    sender=t,
                    recipients=[p],
                    sent=answer,
                    body=text.fill(rng, rng.choice(text.TEACHER_ANSWERS), subject),
                    d=d,
                )
            )


def _plan_guardian_thread(
    rng: random.Random,
    box: Mailbox,
    d: Directory,
    sets: dict[tuple[str, int], list[int]],
    *,
    school_id: int,
    klass: int,
    cname: str,
    teachers: list[int],
    week_days: list[dt.date],
    labels: dict[str, str],
) -> None:
    """A teacher's message to a class's guardians, some answered by a guardian, some of those
    answered again by the teacher."""
    t = teachers[0] if rng.random() < 0.5 else rng.choice(teachers)
    subject = text.subject_name(rng.choice(list(text.SUBJECT_NAMES)))
    sent = random_moment(rng, rng.choice(week_days), 8, 19)
    first = box.add(
        Mail(
            t,
            school_id,
            text.fill(rng, rng.choice(text.CLASS_GUARDIAN_SUBJECTS), subject, klass=cname),
            text.paragraph(
                text.fill(rng, rng.choice(text.CLASS_GUARDIAN_BODIES), subject, klass=cname)
            ),
            sent,
            [p for p in sets[("class_guardians", klass)] if p != t],
            [{"kind": "class_guardians", "label": labels["class_guardians"] % {"name": cname}}],
        )
    )
    guardians = sets[("class_guardians", klass)]
    if guardians and rng.random() < 0.3:
        g = rng.choice(guardians)
        answer = sent + dt.timedelta(minutes=rng.randint(30, 2000))
        reply = box.add(
            _reply(
                box,
                first,
                sender=g,
                recipients=[t],
                sent=answer,
                body=rng.choice(text.GUARDIAN_REPLIES),
                d=d,
            )
        )
        if rng.random() < 0.5:
            again = answer + dt.timedelta(minutes=rng.randint(30, 1500))
            box.add(
                _reply(
                    box,
                    reply,
                    sender=t,
                    recipients=[g],
                    sent=again,
                    body="Bonjour, c'est noté. Cordialement.",
                    d=d,
                )
            )


def _plan_school_week(
    rng: random.Random,
    box: Mailbox,
    d: Directory,
    sets: dict[tuple[str, int], list[int]],
    *,
    school_id: int,
    school_name: str,
    head: int,
    life: list[int],
    n: int,
    week_days: list[dt.date],
) -> None:
    """A school's week `n`: the head's broadcast to the guardians every other week, the vie
    scolaire's to the pupils every third week, the head's note to the teachers and staff
    (answered by one or two)."""
    if n % 2 == 0:
        guardians_of = french("Guardians of %(name)s") % {"name": school_name}
        box.add(
            Mail(
                head,
                school_id,
                rng.choice(text.SCHOOL_GUARDIAN_SUBJECTS),
                text.paragraph(rng.choice(text.SCHOOL_GUARDIAN_BODIES)),
                random_moment(rng, week_days[0], 9, 17),
                [p for p in sets[("guardian", school_id)] if p != head],
                [{"kind": "profile", "label": guardians_of}],
                broadcast=True,
            )
        )
    if n % 3 == 1:
        sender = life[n % len(life)]
        pupils_of = french("Pupils of %(name)s") % {"name": school_name}
        box.add(
            Mail(
                sender,
                school_id,
                rng.choice(text.SCHOOL_PUPIL_SUBJECTS),
                text.paragraph(rng.choice(text.SCHOOL_PUPIL_BODIES)),
                random_moment(rng, week_days[-1], 9, 17),
                [p for p in sets[("pupil", school_id)] if p != sender],
                [{"kind": "profile", "label": pupils_of}],
                broadcast=True,
            )
        )
    colleagues = sorted(set(sets[("teacher", school_id)]) | set(sets[("staff", school_id)]))
    sent = random_moment(rng, week_days[0], 7, 12)
    note = box.add(
        Mail(
            head,
            school_id,
            rng.choice(text.STAFF_SUBJECTS),
            text.paragraph(rng.choice(text.STAFF_BODIES)),
            sent,
            [p for p in colleagues if p != head],
            [
                {
                    "kind": "profile",
                    "label": french("Teachers of %(name)s") % {"name": school_name},
                },
                {"kind": "profile", "label": french("Staff of %(name)s") % {"name": school_name}},
            ],
        )
    )
    for colleague in rng.sample(colleagues, min(2, len(colleagues))):
        if colleague != head:
            later = sent + dt.timedelta(minutes=rng.randint(10, 600))
            box.add(
                _reply(
                    box,
                    note,
                    sender=colleague,
                    recipients=[head],
                    sent=later,
                    body="Bien reçu, merci.",
                    d=d,
                )
            )


def _reply(
    box: Mailbox,
    to: int,
    *,
    sender: int,
    recipients: list[int],
    sent: dt.datetime,
    body: str,
    d: Directory,
) -> Mail:
    original = box.mails[to - 1]
    return Mail(
        sender,
        original.school,
        f"RE: {original.subject}"[:200]
        if not original.subject.startswith("RE: ")
        else original.subject,
        text.paragraph(body),
        sent,
        recipients,
        [{"kind": "person", "id": p, "label": d.names[p]} for p in recipients],
        reply_to=to,
    )


def write_messages(
    w: Writer, rng: random.Random, d: Directory, box: Mailbox, today: dt.date
) -> dict:
    """Messages and their copies, as `send_message` then `deliver` (the delivery job) write
    them: one `Message` with its recipients' ids, one `Delivery` per recipient delivered when
    it was sent, and a `messaging.message` notification per copy. Most copies were opened a
    few hours after they arrived; the recent ones are more often still unread."""
    midnight = at(today, 0)
    received = url_maker("messaging:received")
    new_message = french("New message")
    stats = {"unread": 0, "copies": 0}
    copies: list[tuple[Any, ...]] = []
    notes: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    for m in box.mails:
        parent = getattr(m, "reply_to_mail", None)
        rows.append(
            (
                m.id,
                d.tenant_id,
                m.sender,
                m.school,
                m.subject,
                m.body,
                m.thread,
                parent.id if parent else None,
                m.broadcast,
                js(m.addressed),
                js(m.recipients),
                len(m.recipients),
                m.sent_at,
                m.sent_at,
                m.sent_at,
                m.sent_at + dt.timedelta(seconds=2),
            )
        )
        age_days = (midnight - m.sent_at).total_seconds() / 86400
        unread_chance = 0.6 if age_days < 3 else 0.3 if age_days < 10 else 0.07
        for r in m.recipients:
            read_at = None
            if rng.random() >= unread_chance:
                read_at = m.sent_at + dt.timedelta(hours=rng.expovariate(1 / READ_DELAY_HOURS))
                if read_at >= midnight:
                    read_at = None
            stats["unread"] += read_at is None
            trashed = read_at + dt.timedelta(hours=1) if read_at and rng.random() < 0.01 else None
            copies.append((d.tenant_id, m.id, r, m.sent_at, read_at, rng.random() < 0.02, trashed))
            notes.append(
                (d.tenant_id, m.sent_at + dt.timedelta(seconds=1), "messaging.message", r, None,
                 m.sender, "messaging.message", str(m.id), (m.subject or new_message)[:300],
                 received(m.id), read_at, None)
            )  # fmt: skip
    stats["copies"] = len(copies)
    w.copy("messaging_message", MESSAGE_COLUMNS, rows)
    del rows
    w.copy(
        "messaging_delivery",
        ("tenant_id", "message_id", "recipient_id", "delivered_at", "read_at", "is_flagged",
         "trashed_at"),
        copies,
    )  # fmt: skip
    del copies
    w.copy("core_notification", NOTIFICATION_COLUMNS, notes)
    return stats


def link_replies(box: Mailbox) -> None:
    """Resolve each reply's `reply_to` (a position in the plan) to its mail, before sorting;
    a reply's thread is the first message of the conversation."""
    for m in box.mails:
        if m.reply_to:
            m.reply_to_mail = box.mails[m.reply_to - 1]  # type: ignore[attr-defined]
    for m in box.mails:
        root = m
        while getattr(root, "reply_to_mail", None) is not None:
            root = root.reply_to_mail  # type: ignore[attr-defined]
        m.thread_mail = root  # type: ignore[attr-defined]


def assign_ids(w: Writer, box: Mailbox) -> None:
    first = w.reserve("messaging_message", len(box.mails))
    for i, m in enumerate(box.mails):
        m.id = first + i
    for m in box.mails:
        m.thread = m.thread_mail.id  # type: ignore[attr-defined]


# --- news ------------------------------------------------------------------------------------


def write_news(w: Writer, rng: random.Random, d: Directory, term: Term) -> int:
    """Three news a school week per school, published by its head (`save_draft` then
    `publish_news`): the news, its own audience made of the chosen targets (labels from
    `news.actions.target_for_key`), its audience's size at publication, and the ONE
    `news.published` notification of its audience."""
    from preau.core.models import Tenant
    from preau.directory.audiences import audience_size
    from preau.directory.models import Audience, Person
    from preau.directory.queries import build_actor
    from preau.news import actions as news_actions

    tenant = Tenant.objects.get(pk=d.tenant_id)
    operator = Person.objects.get(pk=d.operator)
    detail = url_maker("news:detail")
    days = term.days(term.today)
    planned = []
    for school_id, _name, _kind in d.schools:
        actor = build_actor(operator, tenant=tenant, school_id=school_id)
        heads = [p for p, f in d.staff[school_id] if "DIR" in f] or d.teachers[school_id][:1]
        classes = d.classes[school_id]
        for n in range(0, len(days), 2):  # every other school day: ~2.5 a week
            day = days[n]
            roll = rng.random()
            if roll < 0.5 or not classes:
                keys = [f"school:{school_id}"]
            elif roll < 0.7:
                keys = [f"profile:{school_id}:guardian"]
            elif roll < 0.85:
                keys = [f"class_guardians:{rng.choice(classes)[0]}"]
            else:
                keys = [f"class_pupils:{rng.choice(classes)[0]}", f"profile:{school_id}:teacher"]
            targets = [news_actions.target_for_key(actor=actor, key=k) for k in keys]
            published = random_moment(rng, day, 8, 18)
            expires = published + dt.timedelta(days=30) if rng.random() < 0.3 else None
            title = rng.choice(text.NEWS_TITLES)
            body = text.paragraph(rng.choice(text.NEWS_BODIES))
            planned.append(
                (school_id, heads[n % len(heads)], title, body, published, expires, targets)
            )
    first_audience = w.reserve("directory_audience", len(planned))
    w.copy(
        "directory_audience",
        ("id", "tenant_id", "label", "created_by_id", "created_at"),
        ((first_audience + i, d.tenant_id, p[2][:200], p[1], p[4]) for i, p in enumerate(planned)),
    )
    target_rows = []
    for i, p in enumerate(planned):
        for t in p[6]:
            a = t.target
            target_rows.append(
                (d.tenant_id, first_audience + i, a.kind, a.school_id, a.profile, a.function,
                 a.school_class_id, a.group_id, a.subject_id, a.authority_id, a.person_id)
            )  # fmt: skip
    w.copy(
        "directory_audiencetarget",
        ("tenant_id", "audience_id", "kind", "school_id", "profile", "function",
         "school_class_id", "group_id", "subject_id", "authority_id", "person_id"),
        target_rows,
    )  # fmt: skip
    # The same targets reach the same people while nothing changes: one COUNT per choice.
    size_of: dict[tuple[str, ...], int] = {}
    sizes = []
    for i, p in enumerate(planned):
        key = tuple(t.key for t in p[6])
        if key not in size_of:
            size_of[key] = audience_size(Audience(pk=first_audience + i, tenant_id=d.tenant_id))
        sizes.append(size_of[key])
    first = w.reserve("news_news", len(planned))
    news_rows, notes = [], []
    for i, (school_id, author, title, body, published, expires, targets) in enumerate(planned):
        addressed = [{"key": t.key, "label": t.label} for t in targets]
        news_rows.append(
            (first + i, d.tenant_id, school_id, None, author, title, body, first_audience + i,
             js(addressed), "published", None, expires, published, sizes[i], False, False, None,
             "", published - dt.timedelta(minutes=20), published)
        )  # fmt: skip
        notes.append(
            (d.tenant_id, published, "news.published", None, first_audience + i, author,
             "news.news", str(first + i), title, detail(first + i), None, expires)
        )  # fmt: skip
    w.copy(
        "news_news",
        ("id", "tenant_id", "school_id", "authority_id", "author_id", "title", "body_html",
         "audience_id", "addressed", "status", "publish_at", "expires_at", "published_at",
         "audience_count", "is_urgent", "allow_comments", "validated_by_id", "rejection_reason",
         "created_at", "updated_at"),
        news_rows,
    )  # fmt: skip
    w.copy("core_notification", NOTIFICATION_COLUMNS, notes)
    return len(news_rows)


# --- the cahier de textes ------------------------------------------------------------------------


def write_notebook(
    w: Writer, rng: random.Random, d: Directory, courses: list[Course], term: Term
) -> dict:
    """For every course: what each week's first lesson covered (`write_lesson`), up to the day
    before `today`; at that lesson, work due at the next one and, every third week, a longer
    one due two lessons later (`set_homework`, published at the end of the lesson, so its
    `homework.set` notification to the course's audience went out then, `_announce`)."""
    from django.urls import reverse

    homework_url = reverse("homework:index")
    horizon = term.today + dt.timedelta(days=21)
    log_rows, work_rows, notes = [], [], []
    logs_first = homework_first = 0
    plans = []
    for c in courses:
        dates = lessons(c, term, horizon)
        past = [x for x in dates if x[0] < term.today]
        weekly: list[tuple[dt.date, dt.time, dt.time]] = []
        seen_weeks: set[dt.date] = set()
        for lesson in past:
            monday = lesson[0] - dt.timedelta(days=lesson[0].weekday())
            if monday not in seen_weeks:
                seen_weeks.add(monday)
                weekly.append(lesson)
        plans.append((c, dates, weekly))
    n_logs = sum(len(p[2]) for p in plans)
    logs_first = w.reserve("homework_lessonlog", n_logs)
    n_work = sum(len(p[2]) + sum(1 for k in range(len(p[2])) if k % 3 == 2) for p in plans)
    homework_first = w.reserve("homework_homework", n_work)
    log_id, work_id = logs_first, homework_first
    subject_of = {c.id: text.subject_name(c.subject) for c in courses}
    for c, dates, weekly in plans:
        subject = subject_of[c.id]
        for k, (day, _start, end) in enumerate(weekly):
            written = at(day, end.hour, end.minute) + dt.timedelta(minutes=rng.randint(5, 240))
            log_rows.append(
                (log_id, d.tenant_id, c.id, day, f"Séance du {day.day}/{day.month}",
                 text.paragraph(text.fill(rng, rng.choice(text.LESSON), subject)), c.teacher,
                 written, written)
            )  # fmt: skip
            later = [x for x in dates if x[0] > day]
            dues = [(later[0][0] if later else day + dt.timedelta(days=7), text.HOMEWORK)]
            if k % 3 == 2:
                dues.append(
                    (
                        later[1][0] if len(later) > 1 else day + dt.timedelta(days=14),
                        text.LONG_HOMEWORK,
                    )
                )
            for due_on, templates in dues:
                published = at(day, end.hour, end.minute)
                long = templates is text.LONG_HOMEWORK
                hand_in = at(due_on, 8) if long and rng.random() < 0.3 else None
                work_rows.append(
                    (work_id, d.tenant_id, c.id, log_id, due_on,
                     rng.choice((60, 90, 120)) if long else rng.choice((10, 15, 20, 30, 45)),
                     text.paragraph(text.fill(rng, rng.choice(templates), subject)), published,
                     hand_in, c.teacher, published, published)
                )  # fmt: skip
                if c.teacher:  # `_announce` notifies in the teacher's name
                    notes.append(
                        (d.tenant_id, published, "homework.set", None, c.audience, c.teacher,
                         "homework.homework", str(work_id), homework_text(c.subject, due_on)[:300],
                         homework_url, None, None)
                    )  # fmt: skip
                work_id += 1
            log_id += 1
    w.copy(
        "homework_lessonlog",
        ("id", "tenant_id", "course_id", "date", "title", "content_html", "author_id",
         "created_at", "updated_at"),
        log_rows,
    )  # fmt: skip
    w.copy(
        "homework_homework",
        ("id", "tenant_id", "course_id", "lesson_id", "due_on", "estimated_minutes",
         "instructions_html", "publish_at", "hand_in_until", "author_id", "notified_at",
         "created_at"),
        work_rows,
    )  # fmt: skip
    w.copy("core_notification", NOTIFICATION_COLUMNS, notes)
    return {"lessons": len(log_rows), "homework": len(work_rows)}


# --- documents ---------------------------------------------------------------------------------


def _file(rng: random.Random, title: str, subject: str) -> tuple[str, bytes, str]:
    lines = [title, "", text.fill(rng, rng.choice(text.HOMEWORK), subject)]
    lines += [
        f"{i}. {text.fill(rng, rng.choice(text.LESSON), subject)}"
        for i in range(1, rng.randint(3, 8))
    ]
    return f"{title}.txt", ("\n".join(lines) + "\n").encode(), "text/plain"


def write_documents(
    w: Writer,
    rng: random.Random,
    d: Directory,
    courses: list[Course],
    *,
    media: Path,
    starts: dt.datetime,
) -> dict:
    """A class space per class (`open_space`) with folders "Cours" and "Exercices" and a few
    files from its teachers, and each teacher's personal space with a folder and a few files
    (`create_folder`, `upload_documents`): one stored file per version, real small text
    files under the storage folder, their SHA-256 and sizes in the rows."""
    from preau.core.files import sniffed_type

    teachers_of, by_teacher = _teaching(courses)
    spaces = _plan_spaces(d, by_teacher)
    space_first = w.reserve("documents_space", len(spaces))
    folder_plan = []
    for i, (kind, owner, _school, _klass, _n) in enumerate(spaces):
        names = ("Cours", "Exercices") if kind == "class" else ("Préparations",)
        for name in names:
            folder_plan.append((space_first + i, name, owner if owner else None))
    folder_first = w.reserve("documents_folder", len(folder_plan))
    folders = []
    space_folders: dict[int, list[int]] = defaultdict(list)
    for j, (space, name, owner) in enumerate(folder_plan):
        fid = folder_first + j
        space_folders[space].append(fid)
        folders.append((fid, d.tenant_id, space, None, f"/{fid}/", name, owner, starts, None))
    docs = _plan_documents(
        rng,
        spaces,
        space_first=space_first,
        space_folders=space_folders,
        teachers_of=teachers_of,
        by_teacher=by_teacher,
    )
    doc_first = w.reserve("documents_document", len(docs))
    version_first = w.reserve("documents_version", len(docs))
    doc_rows, version_rows = [], []
    for k, (sid, folder, owner, subject) in enumerate(docs):
        title = text.fill(rng, rng.choice(text.DOCUMENT_NAMES), subject)
        name, content, _type = _file(rng, title, subject)
        content_type = sniffed_type(content[:2048], name)
        stored = f"documents/{d.tenant_id}/{uid(rng)}"
        media_path(media, stored).write_bytes(content)
        when = starts + dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
        doc_rows.append(
            (doc_first + k, d.tenant_id, sid, folder, name, owner, version_first + k, len(content),
             content_type, when, when, None)
        )  # fmt: skip
        version_rows.append(
            (version_first + k, d.tenant_id, doc_first + k, 1, stored, len(content),
             hashlib.sha256(content).hexdigest(), content_type, owner, when, "")
        )  # fmt: skip
    w.copy(
        "documents_space",
        (
            "id",
            "tenant_id",
            "kind",
            "owner_id",
            "school_id",
            "school_class_id",
            "name",
            "created_at",
        ),
        (
            (space_first + i, d.tenant_id, kind, owner, school, klass, name, starts)
            for i, (kind, owner, school, klass, name) in enumerate(spaces)
        ),
    )
    w.copy(
        "documents_folder",
        ("id", "tenant_id", "space_id", "parent_id", "path", "name", "owner_id", "created_at",
         "trashed_at"),
        folders,
    )  # fmt: skip
    w.copy(
        "documents_document",
        ("id", "tenant_id", "space_id", "folder_id", "name", "owner_id", "current_version_id",
         "size", "content_type", "created_at", "updated_at", "trashed_at"),
        doc_rows,
    )  # fmt: skip
    w.copy(
        "documents_version",
        ("id", "tenant_id", "document_id", "number", "file", "size", "sha256", "content_type",
         "uploaded_by_id", "created_at", "thumbnail"),
        version_rows,
    )  # fmt: skip
    return {"spaces": len(spaces), "documents": len(docs)}


def _teaching(
    courses: list[Course],
) -> tuple[dict[int, list[tuple[int, str]]], dict[int, list[str]]]:
    """Who teaches what: per class, its (teacher, subject) pairs; per teacher, their subjects."""
    teachers_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    by_teacher: dict[int, list[str]] = defaultdict(list)
    for c in courses:
        if c.teacher and c.klass:
            teachers_of[c.klass].append((c.teacher, text.subject_name(c.subject)))
        if c.teacher:
            by_teacher[c.teacher].append(text.subject_name(c.subject))
    return teachers_of, by_teacher


def _plan_spaces(
    d: Directory, by_teacher: dict[int, list[str]]
) -> list[tuple[str, int | None, int | None, int | None, str]]:
    """The spaces, as (kind, owner, school, class, name): one per class, then one personal
    space per teacher."""
    personal = french("My documents")
    spaces: list[tuple[str, int | None, int | None, int | None, str]] = []
    for school_id, _name, _kind in d.schools:
        for klass, _code, cname in d.classes[school_id]:
            spaces.append(("class", None, school_id, klass, cname))
    for teacher in sorted(by_teacher):
        spaces.append(("personal", teacher, None, None, personal))
    return spaces


def _plan_documents(
    rng: random.Random,
    spaces: list[tuple[str, int | None, int | None, int | None, str]],
    *,
    space_first: int,
    space_folders: dict[int, list[int]],
    teachers_of: dict[int, list[tuple[int, str]]],
    by_teacher: dict[int, list[str]],
) -> list[tuple[int, int | None, int | None, str]]:
    """The documents, as (space, folder, owner, subject): three to five in a class space from
    its teachers (none if it has no teacher), three in a teacher's personal space."""
    docs: list[tuple[int, int | None, int | None, str]] = []
    for i, (kind, owner, _school, klass, _n) in enumerate(spaces):
        sid = space_first + i
        if kind == "class":
            options = teachers_of.get(klass or 0, [])
            for _k in range(rng.randint(3, 5) if options else 0):
                teacher, subject = rng.choice(options)
                docs.append((sid, rng.choice([None, *space_folders[sid]]), teacher, subject))
        else:
            for _k in range(3):
                docs.append(
                    (
                        sid,
                        rng.choice([None, *space_folders[sid]]),
                        owner,
                        rng.choice(by_teacher[owner]),
                    )
                )
    return docs
