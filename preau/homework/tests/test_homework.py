"""The notebook: who writes (the course's teacher only), who reads (its pupils, their
guardians, the school), homework published now or later and announced once, done marks,
copy, visa, isolation and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from preau.core.models import Notification
from preau.directory.audiences import resolve_audience
from preau.homework import actions, queries
from preau.homework.models import Done, Homework, LessonLog, Visa
from preau.timetable.models import Course
from preau.timetable.tests.factories import actor, course

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def maths(world):
    return course(world)  # 6e A, mathematics, Paul Durand


def homework(world, maths, *, due_in=2, publish_at=None, text="<p>Exercice 3 : $x^2 = 4$</p>"):
    return actions.set_homework(
        actor=actor(world.teacher),
        course=maths,
        due_on=TODAY() + dt.timedelta(days=due_in),
        instructions=text,
        estimated_minutes=20,
        publish_at=publish_at,
    )


def test_the_teacher_writes_a_lesson_and_sets_homework_announced_once(world, maths):
    lesson = actions.write_lesson(
        actor=actor(world.teacher),
        course=maths,
        date=TODAY(),
        title="Équations",
        content='<p>$\\frac{a}{b}$ <script>alert(1)</script><img src=x onerror="y()"></p>',
    )
    assert "<script" not in lesson.content_html
    assert "onerror" not in lesson.content_html
    assert "$\\frac{a}{b}$" in lesson.content_html
    hw = homework(world, maths)
    notification = Notification.objects.get(kind="homework.set")
    reached = {p.pk for p in resolve_audience(notification.audience)}
    assert {world.pupil.pk, world.pupil2.pk, world.guardian.pk} <= reached
    assert world.pupil_b.pk not in reached
    assert actions.notify_published_homework() == 0  # already announced
    assert Homework.objects.get(pk=hw.pk).notified_at is not None


@pytest.mark.parametrize("who", ["teacher_b", "other_teacher", "admin", "pupil", "foreign_admin"])
def test_only_the_course_s_teacher_writes(world, maths, who):
    with pytest.raises(PermissionDenied):
        actions.write_lesson(
            actor=actor(getattr(world, who)), course=maths, date=TODAY(), title="x", content="y"
        )
    with pytest.raises(PermissionDenied):
        actions.set_homework(
            actor=actor(getattr(world, who)), course=maths, due_on=TODAY(), instructions="x"
        )
    assert not LessonLog.objects.exists()
    assert not Homework.objects.exists()


def test_homework_prepared_in_advance_appears_and_is_announced_at_its_moment(world, maths):
    later = timezone.now() + dt.timedelta(hours=2)
    hw = homework(world, maths, publish_at=later)
    assert not Notification.objects.filter(kind="homework.set").exists()
    assert list(queries.todo_for(world.pupil, since=TODAY())) == []
    Homework.objects.filter(pk=hw.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
    assert actions.notify_published_homework() == 1
    assert actions.notify_published_homework() == 0  # a second run announces nothing twice
    assert Notification.objects.filter(kind="homework.set").count() == 1
    assert [h.pk for h in queries.todo_for(world.pupil, since=TODAY())] == [hw.pk]


def test_bad_homework_is_refused(world, maths):
    with pytest.raises(ValidationError) as refused:
        actions.set_homework(
            actor=actor(world.teacher),
            course=maths,
            due_on=TODAY() - dt.timedelta(days=1),
            instructions="",
            estimated_minutes=900,
        )
    assert set(refused.value.message_dict) == {"due_on", "instructions", "estimated_minutes"}


def test_the_pupil_s_todo_is_by_due_date_with_done_marks(
    world, client_for, maths, django_assert_num_queries
):
    first = homework(world, maths, due_in=1)
    homework(world, maths, due_in=3)
    client = client_for(world.pupil)
    client.get("/homework/")
    # 6, and two prefetches: the homework's files, the pupil's hand-ins
    with django_assert_num_queries(8) as counted:
        page = client.get("/homework/")
    assert [d for d, _items in page.context["days"]] == [
        TODAY() + dt.timedelta(days=1),
        TODAY() + dt.timedelta(days=3),
    ]
    for i in range(10):
        homework(world, maths, due_in=4 + i % 3, text=f"<p>n°{i}</p>")
    with django_assert_num_queries(len(counted.captured_queries)):
        page = client.get("/homework/")
    assert page.context["left"] == 12
    response = client.post(f"/homework/{first.pk}/done", {"done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert Done.objects.filter(homework=first, pupil=world.pupil).exists()
    assert client.get("/homework/").context["left"] == 11
    client.post(f"/homework/{first.pk}/done", {"done": "0"})
    assert not Done.objects.exists()


def test_nobody_else_ticks_or_reads(world, client_for, maths):
    hw = homework(world, maths)
    for who in (world.pupil_b, world.guardian, world.foreign_admin):
        assert client_for(who).post(f"/homework/{hw.pk}/done", {"done": "1"}).status_code == 404
    assert not Done.objects.exists()
    for who, status in (
        (world.pupil, 200),
        (world.guardian, 200),
        (world.teacher_b, 200),
        (world.pupil_b, 404),
        (world.guardian_b, 404),
        (world.other_admin, 404),
        (world.foreign_admin, 404),
    ):
        assert client_for(who).get(f"/homework/courses/{maths.pk}/").status_code == status, who


def test_a_guardian_sees_each_child_s_todo_only(world, client_for, maths):
    homework(world, maths)
    client = client_for(world.guardian)
    page = client.get("/homework/")
    assert page.context["pupil"] == world.pupil
    assert len(page.context["days"]) == 1
    assert client.get(f"/homework/?child={world.pupil_b.pk}").status_code == 404


def test_the_notebook_page_writes_a_lesson_with_homework(world, client_for, maths):
    client = client_for(world.teacher)
    url = f"/homework/courses/{maths.pk}/"
    due = (TODAY() + dt.timedelta(days=2)).isoformat()
    response = client.post(
        url,
        {
            "date": TODAY().isoformat(),
            "title": "Fractions",
            "content_html": "<p>$\\frac{1}{2}$</p>",
            "homework_html": "<p>Exercice 4</p>",
            "due_on": due,
            "estimated_minutes": "15",
        },
    )
    assert response.status_code == 302
    lesson = LessonLog.objects.get()
    assert lesson.homework.get().estimated_minutes == 15
    # Homework without a date: refused, what was typed kept.
    again = client.post(url, {"date": TODAY().isoformat(), "homework": "Lire"})
    assert again.status_code == 200
    assert again.context["form"].errors["due_on"]
    assert again.context["form"]["homework"].value() == "Lire"
    # Families only see homework once published.
    later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        url,
        {"date": TODAY().isoformat(), "homework": "Surprise", "due_on": due, "publish_at": later},
    )
    pupil_page = client_for(world.pupil).get(url).content.decode()
    assert "Exercice 4" in pupil_page
    assert "Surprise" not in pupil_page
    assert "Surprise" in client.get(url).content.decode()
    assert client_for(world.teacher_b).post(url, {"date": TODAY().isoformat()}).status_code == 404


def test_copy_to_another_course_of_mine_only(world, client_for, maths):
    other = course(world, school_class=world.class_b)
    foreign = course(
        world, teacher=world.teacher_b, school_class=world.class_b, subject=world.french
    )
    lesson = actions.write_lesson(
        actor=actor(world.teacher),
        course=maths,
        date=TODAY(),
        title="Aires",
        content="<p>$\\pi r^2$</p>",
    )
    client = client_for(world.teacher)
    page = client.get(f"/homework/lessons/{lesson.pk}/copy")
    assert [c.pk for c in page.context["others"]] == [other.pk]
    client.post(
        f"/homework/lessons/{lesson.pk}/copy", {"course": other.pk, "date": TODAY().isoformat()}
    )
    assert LessonLog.objects.get(course=other).content_html == "<p>$\\pi r^2$</p>"
    response = client.post(
        f"/homework/lessons/{lesson.pk}/copy", {"course": foreign.pk, "date": TODAY().isoformat()}
    )
    assert response.status_code == 200  # not one of the offered choices
    assert not LessonLog.objects.filter(course=foreign).exists()
    assert client_for(world.teacher_b).get(f"/homework/lessons/{lesson.pk}/copy").status_code == 404


def test_the_management_inspects_and_stamps(world, client_for, maths):
    actions.write_lesson(
        actor=actor(world.teacher), course=maths, date=TODAY(), title="x", content="<p>y</p>"
    )
    director = client_for(world.director)
    listing = director.get(f"/homework/schools/{world.school.pk}/inspection")
    assert [c.pk for c in listing.context["courses"]] == [maths.pk]
    director.post(f"/homework/courses/{maths.pk}/", {"visa": "1", "note": "Vu"})
    assert Visa.objects.get().by == world.director
    for who in (world.teacher, world.staff, world.other_admin):
        client = client_for(who)
        assert client.get(f"/homework/schools/{world.school.pk}/inspection").status_code == 404
        assert client.post(f"/homework/courses/{maths.pk}/", {"visa": "1"}).status_code == 404
    assert Visa.objects.count() == 1
    printable = client_for(world.pupil).get(f"/homework/courses/{maths.pk}/print")
    assert printable.status_code == 200
    assert "Henri Fournier" in printable.content.decode()  # the visa is on the printout


def test_last_year_s_notebook_is_an_archive(world, client_for, maths):
    from preau.directory.tests import factories as f

    past = f.SchoolYearFactory(
        tenant=world.tenant,
        start_year=2025,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 7, 4),
        is_current=False,
    )
    old = Course.objects.create(
        tenant=world.tenant,
        school=world.school,
        year=past,
        school_class=world.class_a,
        subject=world.maths,
        teacher=world.teacher,
    )
    LessonLog.objects.create(
        tenant=world.tenant,
        course=old,
        date=dt.date(2026, 3, 2),
        title="Ancien",
        content_html="<p>Archive</p>",
    )
    client = client_for(world.teacher)
    page = client.get(f"/homework/courses/{old.pk}/")
    assert page.status_code == 200
    assert page.context["can_write"] is False
    assert "Archive" in page.content.decode()
    with pytest.raises(PermissionDenied):
        actions.write_lesson(
            actor=actor(world.teacher), course=old, date=dt.date(2026, 3, 3), title="x", content="y"
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_work_is_handed_in_online_until_the_deadline(
    world, client_for, maths, media, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from preau.homework.models import HandIn

    hw = actions.set_homework(
        actor=actor(world.teacher),
        course=maths,
        instructions="<p>Rédaction</p>",
        due_on=TODAY() + dt.timedelta(days=3),
        hand_in_until=timezone.now() + dt.timedelta(days=2),
    )
    pupil = client_for(world.pupil)
    todo = pupil.get("/homework/").content.decode()
    assert f'action="/homework/{hw.pk}/hand-in"' in todo
    hostile = SimpleUploadedFile("../../<b>copie</b>.html", b"<script>x()</script>", "text/html")
    assert pupil.post(f"/homework/{hw.pk}/hand-in", {"file": hostile}).status_code == 302
    row = HandIn.objects.get()
    assert ".." not in row.file.name
    assert row.content_type == "application/octet-stream"
    first_file = row.file.name
    with django_capture_on_commit_callbacks(execute=True):
        pupil.post(
            f"/homework/{hw.pk}/hand-in",
            {"file": SimpleUploadedFile("copie.pdf", b"%PDF-1.4", "application/pdf")},
        )
    row.refresh_from_db()
    assert (HandIn.objects.count(), row.name) == (1, "copie.pdf")
    assert not row.file.storage.exists(first_file)  # replaced
    # The pupil's to-do says it is handed in, with the file (the other pupil's says nothing).
    todo = pupil.get("/homework/").content.decode()
    assert "Rendu" in todo
    assert f'href="/homework/hand-ins/{row.pk}"' in todo
    assert "Rendu" not in client_for(world.pupil2).get("/homework/").content.decode()
    # The teacher sees it and downloads it; nobody else does.
    teacher = client_for(world.teacher)
    listing = teacher.get(f"/homework/{hw.pk}/hand-ins")
    assert [r.pupil for r in listing.context["rows"]] == [world.pupil]
    served = teacher.get(f"/homework/hand-ins/{row.pk}")
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    for who in (world.pupil2, world.teacher_b, world.guardian_b, world.foreign_admin):
        assert client_for(who).get(f"/homework/hand-ins/{row.pk}").status_code == 404
    assert client_for(world.teacher_b).get(f"/homework/{hw.pk}/hand-ins").status_code == 404
    assert (
        client_for(world.pupil_b)
        .post(f"/homework/{hw.pk}/hand-in", {"file": SimpleUploadedFile("x.txt", b"x")})
        .status_code
        == 404
    )
    # After the deadline: refused, nothing changes.
    Homework.objects.filter(pk=hw.pk).update(hand_in_until=timezone.now() - dt.timedelta(minutes=1))
    pupil.post(f"/homework/{hw.pk}/hand-in", {"file": SimpleUploadedFile("tard.txt", b"x")})
    row.refresh_from_db()
    assert row.name == "copie.pdf"


def test_a_hand_in_must_close_after_the_homework_is_shown(world, maths):
    with pytest.raises(ValidationError) as refused:
        actions.set_homework(
            actor=actor(world.teacher),
            course=maths,
            instructions="<p>x</p>",
            due_on=TODAY() + dt.timedelta(days=3),
            publish_at=timezone.now() + dt.timedelta(days=2),
            hand_in_until=timezone.now() + dt.timedelta(days=1),
        )
    assert "hand_in_until" in refused.value.message_dict
