"""News actions: who each audience kind reaches, the checks on targets, publication and its one
notification, scheduling, expiry, flash banners, files, comments, reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from preau.core.models import AuditEntry, Notification
from preau.directory import models as m
from preau.news import actions, queries
from preau.news.models import News, NewsComment, NewsFile, NewsRead
from preau.news.tests.factories import actor, draft, published

pytestmark = pytest.mark.django_db

EVERYONE = [
    "pupil",
    "pupil2",
    "pupil_b",
    "other_pupil",
    "foreign_pupil",
    "guardian",
    "guardian_b",
    "teacher",
    "teacher_b",
    "other_teacher",
    "staff",
    "director",
    "admin",
    "other_admin",
    "authority_admin",
    "operator",
    "foreign_admin",
]
IN_SCHOOL = "pupil pupil2 pupil_b guardian guardian_b teacher teacher_b staff director admin"


def reached(world: Any, news: News) -> set[str]:
    """Who, in the world, finds the news in their list (the author excepted)."""
    who = set()
    for name in EVERYONE:
        person = getattr(world, name)
        if person.pk == news.author_id:
            continue
        if news.pk in {n.pk for n in queries.news_for(actor(person), limit=100).items}:
            who.add(name)
    return who


KINDS = [
    ("director", "school:{school}", IN_SCHOOL),
    ("director", "profile:{school}:guardian", "guardian guardian_b"),
    ("director", "profile:{school}:teacher", "teacher teacher_b"),
    ("teacher", "class_pupils:{class_a}", "pupil pupil2"),
    ("teacher", "class_guardians:{class_a}", "guardian"),
    ("teacher", "class_teachers:{class_a}", "teacher_b"),  # via the Latin group; teacher writes
    ("teacher_b", "group:{group}", "pupil pupil_b"),
    ("director", "function:{school}:EVS", "staff"),
    ("director", "function:{school}:DIR", ""),  # the director wrote it: nobody else
    ("director", "subject_teachers:{school}:{maths}", "teacher"),
    ("authority_admin", "authority:{authority}:teacher", "teacher teacher_b other_teacher"),
    (
        "authority_admin",
        "authority:{authority}",
        IN_SCHOOL + " other_pupil other_teacher other_admin",
    ),
]


def key(world: Any, template: str) -> str:
    return template.format(
        school=world.school.pk,
        class_a=world.class_a.pk,
        group=world.group.pk,
        maths=world.maths.pk,
        authority=world.authority.pk,
    )


@pytest.mark.parametrize(("author", "target", "expected"), KINDS)
def test_each_audience_kind_reaches_exactly_its_people(world, author, target, expected):
    writer = getattr(world, author)
    news = draft(writer, key(world, target))
    if author in {"teacher", "teacher_b"}:
        news = actions.submit_news(actor=actor(writer), news=news)
        news = actions.validate_news(actor=actor(world.director), news=news)
    else:
        news = actions.publish_news(actor=actor(writer), news=news)
    assert news.status == News.Status.PUBLISHED
    assert reached(world, news) == set(expected.split()) - {author}
    # Those it does not reach cannot open it either.
    for name in {"pupil_b", "other_pupil", "foreign_pupil"} - set(expected.split()):
        with pytest.raises(Http404):
            queries.access_news(actor(getattr(world, name)), news.pk)


def test_an_authority_news_has_no_school_and_the_authority(world):
    news = published(world.authority_admin, f"authority:{world.authority.pk}:guardian")
    assert (news.school_id, news.authority_id) == (None, world.authority.pk)
    assert reached(world, news) == {"guardian", "guardian_b"}


# --- targets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "target", "code"),
    [
        ("teacher", "class_guardians:{class_b}", "target_refused"),  # a class he does not teach
        ("teacher", "school:{school}", "target_refused"),  # teachers do not address the school
        ("teacher", "class_pupils:{other_class}", "target_refused"),  # another school
        ("director", "school:{other_school}", "target_refused"),
        ("director", "class_pupils:{foreign_class}", "bad_target"),  # another tenant: unknown
        ("director", "school:{foreign_school}", "bad_target"),
        ("director", "authority:{authority}", "target_refused"),  # not an authority admin
        ("staff", "profile:{school}:operator", "bad_target"),
        ("staff", "nonsense", "bad_target"),
        ("staff", "school:abc", "bad_target"),
        ("pupil", "class_pupils:{class_a}", "target_refused"),
        ("guardian", "class_guardians:{class_a}", "target_refused"),
    ],
)
def test_a_target_one_may_not_address_refuses_the_whole_draft(world, author, target, code):
    ids = {
        "class_b": world.class_b.pk,
        "school": world.school.pk,
        "other_class": world.other_class.pk,
        "other_school": world.other_school.pk,
        "foreign_class": world.foreign_class.pk,
        "foreign_school": world.foreign_school.pk,
        "authority": world.authority.pk,
        "class_a": world.class_a.pk,
    }
    with pytest.raises(ValidationError) as refused:
        draft(getattr(world, author), target.format(**ids))
    assert refused.value.error_dict["targets"][0].code == code
    assert not News.objects.exists()
    assert not m.Audience.objects.exists()


def test_one_news_goes_to_one_school(world):
    with pytest.raises(ValidationError) as refused:
        draft(world.authority_admin, f"school:{world.school.pk}", f"school:{world.other_school.pk}")
    assert refused.value.error_dict["targets"][0].code == "mixed_targets"


@pytest.mark.parametrize("who", ["pupil", "guardian", "other_pupil", "foreign_pupil"])
def test_pupils_guardians_and_strangers_write_no_news(world, who):
    with pytest.raises((PermissionDenied, ValidationError)):
        draft(getattr(world, who))
    assert not News.objects.exists()


def test_the_body_is_sanitised_and_the_title_required(world):
    news = draft(
        world.staff,
        body='<p onclick="steal()">Bonjour<script>alert(1)</script></p><img src=x onerror=y()>',
    )
    assert "script" not in news.body_html
    assert "onclick" not in news.body_html
    assert "onerror" not in news.body_html
    assert "Bonjour" in news.body_html
    with pytest.raises(ValidationError) as refused:
        draft(world.staff, title="   ")
    assert "title" in refused.value.error_dict


def test_saving_again_replaces_the_targets_of_the_news_audience(world):
    news = draft(world.director, f"profile:{world.school.pk}:guardian")
    audience_id = news.audience_id
    news = actions.save_draft(
        actor=actor(world.director),
        news=news,
        title="Autre titre",
        body="",
        targets=[f"class_pupils:{world.class_a.pk}"],
    )
    assert news.audience_id == audience_id
    assert list(
        m.AudienceTarget.objects.filter(audience_id=audience_id).values_list("kind", flat=True)
    ) == ["class_pupils"]
    [chosen] = news.addressed
    assert chosen["key"] == f"class_pupils:{world.class_a.pk}"
    assert "6e A" in chosen["label"]


# --- the workflow ------------------------------------------------------------------------------


GUARDIANS_A = "class_guardians:{class_a}"


@pytest.mark.parametrize(
    ("author", "target", "directly"),
    [
        ("director", "profile:{school}:guardian", True),
        ("admin", "profile:{school}:guardian", True),
        ("staff", "profile:{school}:guardian", True),
        ("teacher", GUARDIANS_A, False),
        ("teacher_b", "group:{group}", False),
    ],
)
def test_who_publishes_directly_and_who_submits(world, author, target, directly):
    writer = actor(getattr(world, author))
    news = draft(
        getattr(world, author),
        target.format(school=world.school.pk, class_a=world.class_a.pk, group=world.group.pk),
    )
    assert actions.policy.can(writer, actions.Perm.PUBLISH, news) is directly
    if directly:
        assert actions.publish_news(actor=writer, news=news).status == News.Status.PUBLISHED
    else:
        with pytest.raises(PermissionDenied):
            actions.publish_news(actor=writer, news=news)
        assert News.objects.get(pk=news.pk).status == News.Status.DRAFT
        assert not Notification.objects.exists()
        assert actions.submit_news(actor=writer, news=news).status == News.Status.SUBMITTED


def test_the_school_decides_whose_news_it_validates(world):
    director = actor(world.director)
    actions.set_news_settings(
        actor=director,
        school=world.school,
        teachers_need_validation=False,
        staff_need_validation=True,
    )
    teacher_news = draft(world.teacher, GUARDIANS_A.format(class_a=world.class_a.pk))
    assert actions.publish_news(actor=actor(world.teacher), news=teacher_news).status == "published"
    staff_news = draft(world.staff, f"profile:{world.school.pk}:guardian")
    with pytest.raises(PermissionDenied):
        actions.publish_news(actor=actor(world.staff), news=staff_news)
    # The direction is never validated; only the management changes the rules.
    assert published(world.director, f"school:{world.school.pk}").status == "published"
    for who in ("teacher", "staff", "other_admin"):
        with pytest.raises(PermissionDenied):
            actions.set_news_settings(
                actor=actor(getattr(world, who)),
                school=world.school,
                teachers_need_validation=True,
                staff_need_validation=False,
            )
    assert AuditEntry.objects.filter(action="news.settings_changed").count() == 1


@pytest.fixture
def submitted(world):
    news = draft(world.teacher, GUARDIANS_A.format(class_a=world.class_a.pk))
    return actions.submit_news(actor=actor(world.teacher), news=news)


@pytest.mark.parametrize("who", ["director", "admin", "authority_admin", "operator"])
def test_the_management_validates(world, submitted, who):
    news = actions.validate_news(actor=actor(getattr(world, who)), news=submitted)
    assert news.status == News.Status.PUBLISHED
    assert news.validated_by_id == getattr(world, who).pk
    assert news.published_at is not None
    assert reached(world, news) == {"guardian"}
    # The audience's one notification, and the author's.
    assert Notification.objects.filter(kind="news.published").count() == 1
    assert Notification.objects.get(kind="news.validated").recipient_id == world.teacher.pk


@pytest.mark.parametrize(
    "who", ["teacher", "teacher_b", "staff", "other_admin", "guardian", "foreign_admin"]
)
def test_others_cannot_validate_or_reject(world, submitted, who):
    person = getattr(world, who)
    with pytest.raises(PermissionDenied):
        actions.validate_news(actor=actor(person), news=submitted)
    with pytest.raises(PermissionDenied):
        actions.reject_news(actor=actor(person), news=submitted, reason="Non")
    assert News.objects.get(pk=submitted.pk).status == News.Status.SUBMITTED
    assert not Notification.objects.exists()


def test_another_school_s_management_does_not_see_the_queue(world, submitted):
    assert list(queries.to_validate(actor(world.director))) == [submitted]
    assert list(queries.to_validate(actor(world.other_admin))) == []
    assert list(queries.to_validate(actor(world.staff))) == []


def test_a_rejected_news_goes_back_to_its_author_with_the_reason(world, submitted):
    director = actor(world.director)
    with pytest.raises(ValidationError):
        actions.reject_news(actor=director, news=submitted, reason="  ")
    news = actions.reject_news(actor=director, news=submitted, reason="Précisez l'heure.")
    assert (news.status, news.rejection_reason) == (News.Status.REJECTED, "Précisez l'heure.")
    assert Notification.objects.get(kind="news.rejected").recipient_id == world.teacher.pk
    teacher = actor(world.teacher)
    news = actions.save_draft(
        actor=teacher,
        news=news,
        title="Sortie jeudi à 8 h",
        body="",
        targets=[a["key"] for a in news.addressed],
    )
    assert news.status == News.Status.DRAFT
    assert actions.submit_news(actor=teacher, news=news).status == News.Status.SUBMITTED
    assert AuditEntry.objects.filter(action="news.rejected", target_id=str(news.pk)).exists()


def test_a_news_without_target_cannot_be_sent(world):
    news = draft(world.director)
    with pytest.raises(ValidationError) as refused:
        actions.publish_news(actor=actor(world.director), news=news)
    assert "targets" in refused.value.error_dict


# --- publication, notification, withdrawal -----------------------------------------------------


def test_publication_writes_one_notification_whatever_the_audience_size(world):
    pupils = m.Person.objects.bulk_create(
        [
            m.Person(
                tenant=world.tenant,
                login=f"eleve{i}",
                first_name="E",
                last_name=f"N{i}",
                search_name=f"n{i} e",
            )
            for i in range(300)
        ]
    )
    m.Membership.objects.bulk_create(
        [
            m.Membership(
                tenant=world.tenant,
                person=p,
                school=world.school,
                year=world.year,
                profile=m.Profile.PUPIL,
                school_class=world.class_a,
            )
            for p in pupils
        ]
    )
    expires = timezone.now() + dt.timedelta(days=3)
    news = published(world.director, f"school:{world.school.pk}", expires_at=expires)
    [row] = Notification.objects.all()
    assert (row.kind, row.audience_id, row.recipient_id) == (
        "news.published",
        news.audience_id,
        None,
    )
    assert (row.object_type, row.object_id) == ("news.news", str(news.pk))
    assert row.url == f"/news/{news.pk}/"
    assert row.expires_at == expires
    assert row.text == news.title
    assert news.audience_count == 310
    assert queries.read_stats(news).audience == 310
    assert AuditEntry.objects.filter(action="news.published", target_id=str(news.pk)).count() == 1


def test_withdrawing_hides_the_news_and_deletes_its_notifications(world):
    news = published(world.director, f"profile:{world.school.pk}:guardian")
    other = published(world.director, f"profile:{world.school.pk}:pupil")
    assert Notification.objects.count() == 2
    with pytest.raises(PermissionDenied):
        actions.withdraw_news(actor=actor(world.staff), news=news)
    actions.withdraw_news(actor=actor(world.director), news=news)
    assert list(Notification.objects.values_list("object_id", flat=True)) == [str(other.pk)]
    assert reached(world, News.objects.get(pk=news.pk)) == set()
    assert AuditEntry.objects.filter(action="news.withdrawn").count() == 1


def test_the_author_withdraws_their_own_news(world, submitted):
    assert actions.withdraw_news(actor=actor(world.teacher), news=submitted).status == "withdrawn"


# --- scheduling and expiry ---------------------------------------------------------------------


def test_a_scheduled_news_is_published_by_the_task_once(world):
    soon = timezone.now() + dt.timedelta(hours=2)
    news = published(world.director, f"profile:{world.school.pk}:guardian", publish_at=soon)
    assert news.status == News.Status.SCHEDULED
    assert not Notification.objects.exists()
    assert reached(world, news) == set()
    assert actions.publish_due_news() == 0  # not yet
    later = soon + dt.timedelta(minutes=1)
    assert actions.publish_due_news(now=later) == 1
    news.refresh_from_db()
    assert (news.status, news.published_at) == (News.Status.PUBLISHED, later)
    assert reached(world, news) == {"guardian", "guardian_b"}
    assert actions.publish_due_news(now=later) == 0  # idempotent
    assert Notification.objects.filter(kind="news.published").count() == 1


def test_a_scheduled_news_whose_author_is_gone_is_not_published(world):
    soon = timezone.now() + dt.timedelta(hours=1)
    news = published(world.staff, f"profile:{world.school.pk}:guardian", publish_at=soon)
    News.objects.filter(pk=news.pk).update(author=None)
    assert actions.publish_due_news(now=soon) == 0
    assert News.objects.get(pk=news.pk).status == News.Status.WITHDRAWN
    assert not Notification.objects.exists()


def test_a_validated_news_for_later_waits_for_its_time(world):
    soon = timezone.now() + dt.timedelta(hours=1)
    news = draft(world.teacher, GUARDIANS_A.format(class_a=world.class_a.pk), publish_at=soon)
    news = actions.submit_news(actor=actor(world.teacher), news=news)
    news = actions.validate_news(actor=actor(world.director), news=news)
    assert news.status == News.Status.SCHEDULED
    from preau.news.tasks import publish_due_news_task

    assert publish_due_news_task.delay().get() == 0
    assert actions.publish_due_news(now=soon) == 1
    assert Notification.objects.get(kind="news.published").actor_id == world.director.pk


def test_expired_news_are_hidden_but_stay_with_their_author(world):
    news = published(
        world.director,
        f"profile:{world.school.pk}:guardian",
        is_urgent=True,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    guardian = actor(world.guardian)
    assert queries.flash_for(guardian) == [news]
    News.objects.filter(pk=news.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert reached(world, news) == set()
    assert queries.flash_for(guardian) == []
    with pytest.raises(Http404):
        queries.access_news(guardian, news.pk)
    assert queries.access_news(actor(world.director), news.pk) == news


def test_expiry_must_follow_publication(world):
    with pytest.raises(ValidationError) as refused:
        draft(world.staff, expires_at=timezone.now() - dt.timedelta(hours=1))
    assert "expires_at" in refused.value.error_dict
    start = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(ValidationError):
        draft(world.staff, publish_at=start, expires_at=start - dt.timedelta(hours=1))


# --- flash banners -----------------------------------------------------------------------------


def test_a_flash_shows_to_its_audience_until_dismissed_in_one_query(
    world, django_assert_num_queries
):
    news = published(world.director, f"profile:{world.school.pk}:guardian", is_urgent=True)
    published(world.director, f"profile:{world.school.pk}:guardian", title="Pas urgent")
    guardian = actor(world.guardian)
    with django_assert_num_queries(1):
        assert queries.flash_for(guardian) == [news]
    for other in ("teacher", "pupil", "other_admin", "foreign_admin"):
        assert queries.flash_for(actor(getattr(world, other))) == []
    actions.dismiss_flash(actor=guardian, news=news)
    actions.dismiss_flash(actor=guardian, news=news)  # idempotent
    assert queries.flash_for(guardian) == []
    assert queries.flash_for(actor(world.guardian_b)) == [news]


# --- files ------------------------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_pictures_and_attachments_are_stored_under_random_names(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    news = draft(
        world.staff,
        images=[SimpleUploadedFile("../../photo<1>.png", PNG, content_type="image/png")],
        attachments=[
            SimpleUploadedFile(
                "C:\\evil\\page.html", b"<script>x()</script>", content_type="text/html"
            ),
            SimpleUploadedFile("logo.svg", b"<svg onload='x()'/>", content_type="image/svg+xml"),
        ],
    )
    image, page, svg = NewsFile.objects.filter(news=news).order_by("id")
    assert (image.kind, image.name, image.content_type) == ("image", "photo1.png", "image/png")
    assert (page.name, page.content_type) == ("page.html", "application/octet-stream")
    assert (svg.name, svg.content_type) == ("logo.svg", "application/octet-stream")
    for f in (image, page, svg):
        assert f.file.name.startswith(f"news/{world.tenant.pk}/")
        assert f.name not in f.file.name


def test_an_svg_or_a_large_file_is_refused_and_nothing_is_kept(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PREAU_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as refused:
        draft(world.staff, images=[SimpleUploadedFile("a.svg", b"<svg/>")])
    assert refused.value.error_dict["images"][0].code == "not_an_image"
    with pytest.raises(ValidationError) as refused:
        draft(world.staff, attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 too long")])
    assert refused.value.error_dict["attachments"][0].code == "too_large"
    assert not News.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_only_the_author_adds_or_removes_files_while_writing(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    news = draft(world.staff)
    [stored] = actions.add_news_files(
        actor=actor(world.staff),
        news=news,
        attachments=[SimpleUploadedFile("menu.pdf", b"%PDF-1.4")],
    )
    with pytest.raises(PermissionDenied):
        actions.add_news_files(
            actor=actor(world.director),
            news=news,
            attachments=[SimpleUploadedFile("b.pdf", b"%PDF")],
        )
    with pytest.raises(PermissionDenied):
        actions.remove_news_file(actor=actor(world.teacher), news_file=stored)
    actions.remove_news_file(actor=actor(world.staff), news_file=stored)
    assert not NewsFile.objects.exists()


# --- comments and reads -----------------------------------------------------------------------


def test_comments_come_from_the_audience_the_author_or_the_management(world):
    news = published(world.staff, f"class_guardians:{world.class_a.pk}", allow_comments=True)
    comment = actions.comment_news(actor=actor(world.guardian), news=news, text="Merci !")
    actions.comment_news(actor=actor(world.staff), news=news, text="Avec plaisir.")
    actions.comment_news(actor=actor(world.director), news=news, text="Bonne sortie.")
    for outsider in ("guardian_b", "pupil", "other_admin"):
        with pytest.raises(PermissionDenied):
            actions.comment_news(actor=actor(getattr(world, outsider)), news=news, text="Hé")
    with pytest.raises(ValidationError):
        actions.comment_news(actor=actor(world.guardian), news=news, text="   ")
    with pytest.raises(PermissionDenied):
        actions.delete_comment(actor=actor(world.guardian_b), comment=comment)
    actions.delete_comment(actor=actor(world.guardian), comment=comment)
    other = NewsComment.objects.get(text="Avec plaisir.")
    actions.delete_comment(actor=actor(world.director), comment=other)
    assert list(NewsComment.objects.values_list("text", flat=True)) == ["Bonne sortie."]


def test_no_comment_when_they_are_closed(world):
    news = published(world.staff, f"class_guardians:{world.class_a.pk}")
    with pytest.raises(PermissionDenied):
        actions.comment_news(actor=actor(world.guardian), news=news, text="Merci")


def test_reads_are_counted_once_among_the_audience(world):
    news = published(world.director, f"profile:{world.school.pk}:guardian")
    for _ in range(2):
        actions.mark_news_read(actor=actor(world.guardian), news=news)
    actions.mark_news_read(actor=actor(world.director), news=news)  # the author: not counted
    assert NewsRead.objects.filter(news=news).count() == 2
    stats = queries.read_stats(news)
    assert (stats.audience, stats.read, stats.percent) == (2, 1, 50)
    [mine] = queries.authored_by(actor(world.director))
    assert (mine.read_count, mine.audience_count) == (1, 2)


def test_a_draft_is_not_marked_read(world):
    news = draft(world.director, f"profile:{world.school.pk}:guardian")
    actions.mark_news_read(actor=actor(world.director), news=news)
    assert not NewsRead.objects.exists()


def test_erasing_a_person_who_objected_deletes_their_news_and_comments(world):
    from preau.directory.retention import ERASERS

    assert actions.erase_contributions in ERASERS
    news = published(world.staff, f"class_guardians:{world.class_a.pk}", allow_comments=True)
    kept = published(world.director, f"school:{world.school.pk}", allow_comments=True)
    actions.comment_news(actor=actor(world.guardian), news=kept, text="Merci")
    actions.comment_news(actor=actor(world.staff), news=kept, text="De rien")
    actions.erase_contributions(world.staff)
    assert list(News.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(NewsComment.objects.values_list("text", flat=True)) == ["Merci"]
    assert not News.objects.filter(pk=news.pk).exists()
