"""The news pages: lists in a fixed number of queries, writing (errors keep what was typed),
the detail (marks read), the validation queue, the flash banner, files; isolation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from preau.core.models import Notification
from preau.directory import models as m
from preau.news import actions
from preau.news.models import FlashDismissal, News, NewsComment, NewsFile, NewsRead
from preau.news.tests.factories import actor, draft, published

pytestmark = pytest.mark.django_db


def guardians(world: Any) -> str:
    return f"profile:{world.school.pk}:guardian"


def many_news(world: Any, n: int) -> None:
    """`n` published news to the school's guardians, each with its own audience."""
    for i in range(n):
        published(world.director, guardians(world), title=f"Info n°{i}")


def test_the_news_for_me_in_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    client = client_for(world.guardian)
    published(world.director, guardians(world), title="Première")
    client.get("/news/")  # the host's tenant is cached from here on
    with django_assert_num_queries(5):  # the request's 4, then ONE page of news
        page = client.get("/news/")
    assert [n.title for n in page.context["page"].items] == ["Première"]
    many_news(world, 8)
    with django_assert_num_queries(5):
        page = client.get("/news/")
    assert len(page.context["page"].items) == 9
    assert page.context["page"].items[0].title == "Info n°7"
    assert "Première" in page.content.decode()


def test_the_news_list_pages_by_keyset(world, client_for):
    many_news(world, 23)
    client = client_for(world.guardian)
    first = client.get("/news/")
    assert len(first.context["page"].items) == 20
    second = client.get("/news/" + first.context["page"].next_url)
    assert [n.title for n in second.context["page"].items] == ["Info n°2", "Info n°1", "Info n°0"]
    assert client.get("/news/?after=garbage").status_code == 400


def test_an_empty_list_says_what_will_appear(world, client_for):
    page = client_for(world.pupil).get("/news/")
    assert page.status_code == 200
    assert "empty-state" in page.content.decode()
    assert 'href="/news/new"' not in page.content.decode()  # pupils do not write


def test_my_news_show_how_many_read_them_in_fixed_queries(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.director)
    news = published(world.director, guardians(world), title="Fermeture")
    actions.mark_news_read(actor=actor(world.guardian), news=news)
    client.get("/news/mine/")
    with django_assert_num_queries(5):
        page = client.get("/news/mine/")
    [row] = page.context["page"].items
    assert (row.read_count, row.audience_count) == (1, 2)
    many_news(world, 6)
    draft(world.director, title="Brouillon")
    with django_assert_num_queries(5):
        page = client.get("/news/mine/")
    assert len(page.context["page"].items) == 8
    assert "Brouillon" in page.content.decode()


def test_pupils_and_guardians_have_no_my_news_page(world, client_for):
    assert client_for(world.pupil).get("/news/mine/").status_code == 404
    assert client_for(world.guardian).get("/news/new").status_code == 404


def test_the_validation_queue_in_fixed_queries(world, client_for, django_assert_num_queries):
    client = client_for(world.director)
    first = actions.submit_news(
        actor=actor(world.teacher), news=draft(world.teacher, f"class_guardians:{world.class_a.pk}")
    )
    client.get("/news/validation/")
    with django_assert_num_queries(6):
        page = client.get("/news/validation/")
    assert page.context["queue"] == [first]
    for i in range(4):
        news = draft(world.teacher, f"class_pupils:{world.class_a.pk}", title=f"n°{i}")
        actions.submit_news(actor=actor(world.teacher), news=news)
    with django_assert_num_queries(6):
        page = client.get("/news/validation/")
    assert len(page.context["queue"]) == 5
    assert client_for(world.teacher).get("/news/validation/").status_code == 404
    assert client_for(world.other_admin).get("/news/validation/").context["queue"] == []


# --- writing --------------------------------------------------------------------------------


def test_the_write_page_offers_only_what_one_may_address(world, client_for):
    page = client_for(world.teacher).get("/news/new")
    keys = {
        key
        for _group, choices in page.context["form"].fields["targets"].choices
        for key, _l in choices
    }
    assert keys == {
        f"class_pupils:{world.class_a.pk}",
        f"class_guardians:{world.class_a.pk}",
        f"class_teachers:{world.class_a.pk}",
    }
    assert 'name="submit"' in page.content.decode()  # teachers submit
    staff_page = client_for(world.director).get("/news/new")
    staff_keys = {
        key
        for _group, choices in staff_page.context["form"].fields["targets"].choices
        for key, _l in choices
    }
    assert f"school:{world.school.pk}" in staff_keys
    assert f"function:{world.school.pk}:DIR" in staff_keys
    assert f"group:{world.group.pk}" in staff_keys
    assert not any(
        str(world.other_school.pk) == k.split(":")[1] for k in staff_keys if k.startswith("school")
    )
    assert 'name="publish"' in staff_page.content.decode()


def test_a_director_publishes_an_urgent_news_from_the_page(world, client_for):
    client = client_for(world.director)
    response = client.post(
        "/news/new",
        {
            "title": "Collège fermé demain",
            "body": "<p>En raison de la neige, <script>x()</script>le collège est fermé.</p>",
            "targets": [guardians(world)],
            "is_urgent": "on",
            "publish": "1",
        },
    )
    news = News.objects.get()
    assert response["Location"] == f"/news/{news.pk}/"
    assert (news.status, news.is_urgent) == (News.Status.PUBLISHED, True)
    assert "script" not in news.body_html
    assert Notification.objects.filter(kind="news.published").count() == 1


def test_a_teacher_s_news_goes_to_validation_from_the_page(world, client_for):
    response = client_for(world.teacher).post(
        "/news/new",
        {
            "title": "Sortie",
            "body": "",
            "targets": [f"class_guardians:{world.class_a.pk}"],
            "publish": "1",
        },
    )
    news = News.objects.get()
    assert news.status == News.Status.SUBMITTED
    assert response["Location"] == f"/news/{news.pk}/"


def test_a_form_that_fails_keeps_what_was_typed(world, client_for):
    client = client_for(world.teacher)
    response = client.post(
        "/news/new",
        {
            "title": "Sortie au musée",
            "body": "<p>Texte long</p>",
            "targets": [f"class_guardians:{world.class_b.pk}"],  # not his class
            "expires_at": "2020-01-01T10:00",
            "save": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Sortie au musée"' in html
    assert "Texte long" in html
    assert response.context["form"].errors["targets"]
    assert not News.objects.exists()
    forged = client.post(
        "/news/new", {"title": "x", "targets": [f"school:{world.foreign_school.pk}"]}
    )
    assert forged.status_code == 200
    assert forged.context["form"].errors["targets"]
    assert not News.objects.exists()


def test_editing_a_draft_and_its_files(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.staff)
    news = draft(world.staff, guardians(world))
    page = client.get(f"/news/{news.pk}/edit")
    assert page.status_code == 200
    assert f'value="{guardians(world)}" checked' in page.content.decode()
    response = client.post(
        f"/news/{news.pk}/edit",
        {
            "title": "Menu de la cantine",
            "body": "<p>Voici le menu.</p>",
            "targets": [guardians(world)],
            "attachments": [SimpleUploadedFile("menu.pdf", b"%PDF-1.4")],
            "save": "1",
        },
    )
    assert response["Location"] == f"/news/{news.pk}/edit"
    news.refresh_from_db()
    assert news.title == "Menu de la cantine"
    [stored] = NewsFile.objects.filter(news=news)
    assert client_for(world.teacher).post(f"/news/files/{stored.pk}/delete").status_code == 404
    assert client.post(f"/news/files/{stored.pk}/delete").status_code == 302
    assert not NewsFile.objects.exists()


def test_someone_else_s_draft_cannot_be_edited(world, client_for):
    news = draft(world.staff, guardians(world))
    for who in ("director", "teacher", "guardian", "foreign_admin"):
        client = client_for(getattr(world, who))
        assert client.get(f"/news/{news.pk}/edit").status_code == 404
        assert (
            client.post(f"/news/{news.pk}/edit", {"title": "Piraté", "save": "1"}).status_code
            == 404
        )
    assert News.objects.get(pk=news.pk).title == news.title


# --- reading --------------------------------------------------------------------------------


def test_opening_a_news_marks_it_read_in_fixed_queries(
    world, client_for, django_assert_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    news = published(
        world.director,
        guardians(world),
        body="<p>Bonjour</p>",
        images=[SimpleUploadedFile("plan.png", b"\x89PNG\r\n\x1a\n")],
        attachments=[SimpleUploadedFile("note.pdf", b"%PDF-1.4")],
    )
    client = client_for(world.guardian)
    client.get("/news/")
    # The request's 4 (session, person, memberships, administered authorities), the news, the
    # read mark, its files.
    with django_assert_num_queries(7):
        page = client.get(f"/news/{news.pk}/")
    html = page.content.decode()
    image, attachment = NewsFile.objects.order_by("id")
    assert f'<img src="/news/files/{image.pk}"' in html
    assert f'href="/news/files/{attachment.pk}" download' in html
    assert NewsRead.objects.filter(news=news, person=world.guardian).count() == 1
    assert page.context["stats"] is None  # readers do not see the statistics
    assert client.get(f"/news/{news.pk}/").status_code == 200
    assert NewsRead.objects.count() == 1


def test_the_author_sees_who_read(world, client_for):
    news = published(world.director, guardians(world))
    actions.mark_news_read(actor=actor(world.guardian), news=news)
    page = client_for(world.director).get(f"/news/{news.pk}/")
    assert (page.context["stats"].read, page.context["stats"].audience) == (1, 2)


def test_pictures_inline_and_attachments_as_safe_downloads(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    news = published(
        world.director,
        guardians(world),
        images=[SimpleUploadedFile("plan.png", b"\x89PNG\r\n\x1a\n")],
        attachments=[
            SimpleUploadedFile("../x/page<script>.html", b"<script>alert(1)</script>"),
            SimpleUploadedFile("dessin.svg", b"<svg onload='alert(1)'/>"),
        ],
    )
    image, page, svg = NewsFile.objects.filter(news=news).order_by("id")
    client = client_for(world.guardian)
    shown = client.get(f"/news/files/{image.pk}")
    assert shown["Content-Type"] == "image/png"
    assert not shown["Content-Disposition"].startswith("attachment")
    assert shown["X-Content-Type-Options"] == "nosniff"
    for hostile in (page, svg):
        response = client.get(f"/news/files/{hostile.pk}")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
        assert "sandbox" in response["Content-Security-Policy"]
    assert page.name == "pagescript.html"
    for who in ("pupil", "teacher", "other_admin", "foreign_admin"):
        assert client_for(getattr(world, who)).get(f"/news/files/{image.pk}").status_code == 404


def test_comments_from_the_page(world, client_for):
    news = published(world.staff, f"class_guardians:{world.class_a.pk}", allow_comments=True)
    client = client_for(world.guardian)
    assert client.post(f"/news/{news.pk}/comments", {"text": "Merci <b>!</b>"}).status_code == 302
    comment = NewsComment.objects.get()
    page = client.get(f"/news/{news.pk}/")
    assert "Merci &lt;b&gt;!&lt;/b&gt;" in page.content.decode()
    assert (
        client_for(world.guardian_b).post(f"/news/{news.pk}/comments", {"text": "x"}).status_code
        == 404
    )
    assert (
        client_for(world.guardian_b).post(f"/news/comments/{comment.pk}/delete").status_code == 404
    )
    assert client_for(world.director).post(f"/news/comments/{comment.pk}/delete").status_code == 302
    assert not NewsComment.objects.exists()


# --- the workflow from the pages -----------------------------------------------------------


def test_validating_and_rejecting_from_the_queue(world, client_for):
    teacher = actor(world.teacher)
    first = actions.submit_news(
        actor=teacher, news=draft(world.teacher, f"class_guardians:{world.class_a.pk}")
    )
    second = actions.submit_news(
        actor=teacher, news=draft(world.teacher, f"class_pupils:{world.class_a.pk}")
    )
    client = client_for(world.director)
    assert (
        client.post(f"/news/{first.pk}/validate", {"from": "queue"})["Location"]
        == "/news/validation/"
    )
    assert client.post(f"/news/{second.pk}/reject", {"reason": ""}).status_code == 302
    assert News.objects.get(pk=second.pk).status == News.Status.SUBMITTED  # a reason is required
    client.post(f"/news/{second.pk}/reject", {"reason": "Précisez l'heure."})
    assert News.objects.get(pk=first.pk).status == News.Status.PUBLISHED
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "Précisez l'heure.")
    page = client_for(world.teacher).get(f"/news/{second.pk}/edit")
    assert "Précisez l&#x27;heure." in page.content.decode()


def test_the_management_sets_the_school_rules(world, client_for):
    client = client_for(world.director)
    assert client.post("/news/settings", {"staff_need_validation": "on"}).status_code == 302
    rules = world.school.news_settings
    assert (rules.teachers_need_validation, rules.staff_need_validation) == (False, True)
    assert client_for(world.teacher).post("/news/settings", {}).status_code == 404
    assert client_for(world.staff).post("/news/settings", {}).status_code == 404
    # Another school's management sets the rules of its own school only.
    assert client_for(world.other_admin).post("/news/settings", {}).status_code == 302
    rules.refresh_from_db()
    assert (rules.teachers_need_validation, rules.staff_need_validation) == (False, True)
    assert world.other_school.news_settings.teachers_need_validation is False


# --- the flash banner ----------------------------------------------------------------------


def test_the_flash_banner_until_dismissed(world, client_for, django_assert_num_queries):
    news = published(world.director, guardians(world), is_urgent=True, title="Collège fermé")
    client = client_for(world.guardian)
    client.get("/news/flash")
    with django_assert_num_queries(5):  # the request's 4, then ONE for the banners
        banner = client.get("/news/flash")
    html = banner.content.decode()
    assert 'role="alert"' in html
    assert "Collège fermé" in html
    home = client.get("/news/")
    assert 'hx-get="/news/flash"' in home.content.decode()
    dismissed = client.post(f"/news/{news.pk}/dismiss", HTTP_HX_REQUEST="true")
    assert dismissed.status_code == 200
    assert "Collège fermé" not in dismissed.content.decode()
    assert 'id="news-flash"' in dismissed.content.decode()
    assert FlashDismissal.objects.filter(person=world.guardian).count() == 1
    assert "Collège fermé" not in client.get("/news/flash").content.decode()
    assert "Collège fermé" in client_for(world.guardian_b).get("/news/flash").content.decode()
    assert "Collège fermé" not in client_for(world.teacher).get("/news/flash").content.decode()


def test_anonymous_is_sent_to_log_in(world):
    for url in ("/news/", "/news/flash", "/news/new", "/news/1/"):
        assert Client().get(url)["Location"].startswith("/accounts/login/")


# --- isolation: another tenant, another school, another person ----------------------------


@pytest.fixture
def school_news(world, settings, tmp_path):
    """A published news to the school's guardians, with comments open and a file."""
    settings.MEDIA_ROOT = tmp_path
    news = published(
        world.director,
        guardians(world),
        is_urgent=True,
        allow_comments=True,
        attachments=[SimpleUploadedFile("note.pdf", b"%PDF-1.4")],
    )
    comment = actions.comment_news(actor=actor(world.guardian), news=news, text="Merci")
    return news, NewsFile.objects.get(news=news), comment


@pytest.mark.parametrize("who", ["foreign_admin", "other_admin", "other_pupil", "pupil"])
def test_another_school_s_or_tenant_s_news_answers_404_and_changes_nothing(
    world, client_for, school_news, who
):
    news, stored, comment = school_news
    client = client_for(getattr(world, who))
    pk = news.pk
    for url in (f"/news/{pk}/", f"/news/{pk}/edit", f"/news/files/{stored.pk}"):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/news/{pk}/edit", {"title": "x", "save": "1"}),
        (f"/news/{pk}/withdraw", {}),
        (f"/news/{pk}/validate", {}),
        (f"/news/{pk}/reject", {"reason": "non"}),
        (f"/news/{pk}/submit", {}),
        (f"/news/{pk}/publish", {}),
        (f"/news/{pk}/dismiss", {}),
        (f"/news/{pk}/comments", {"text": "x"}),
        (f"/news/comments/{comment.pk}/delete", {}),
        (f"/news/files/{stored.pk}/delete", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    news.refresh_from_db()
    assert news.status == News.Status.PUBLISHED
    assert NewsComment.objects.count() == 1
    assert NewsFile.objects.count() == 1
    assert not FlashDismissal.objects.exists()
    assert not NewsRead.objects.exclude(person=world.guardian).exists()
    assert Notification.objects.filter(kind="news.published").count() == 1


def test_a_reader_may_not_withdraw_or_validate(world, client_for, school_news):
    news, _stored, _comment = school_news
    client = client_for(world.guardian)
    assert client.post(f"/news/{news.pk}/withdraw").status_code == 404
    assert client.post(f"/news/{news.pk}/validate").status_code == 404
    assert News.objects.get(pk=news.pk).status == News.Status.PUBLISHED


def test_the_nav_has_a_news_link(world, client_for):
    assert 'href="/news/"' in client_for(world.pupil).get("/news/").content.decode()


def test_an_expired_news_is_gone_from_the_pages(world, client_for):
    news = published(
        world.director, guardians(world), expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    News.objects.filter(pk=news.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = client_for(world.guardian)
    assert client.get("/news/").context["page"].items == []
    assert client.get(f"/news/{news.pk}/").status_code == 404
    assert client_for(world.director).get(f"/news/{news.pk}/").status_code == 200


def test_many_audiences_cost_the_same(world, client_for, django_assert_num_queries):
    """The list's query count does not grow with the audiences in the tenant."""
    for c in (world.class_a, world.class_b):
        published(world.staff, f"class_guardians:{c.pk}")
    audiences = [m.Audience(tenant=world.tenant, label=f"a{i}") for i in range(50)]
    m.Audience.objects.bulk_create(audiences)
    client = client_for(world.guardian)
    client.get("/news/")
    with django_assert_num_queries(5):
        assert len(client.get("/news/").context["page"].items) == 1
