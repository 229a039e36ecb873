"""The news API (/api/v1/news): the news for me, one news (marks it read), mark read, writing,
submitting and publishing; machine-readable refusals; isolation between schools and tenants."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from preau.accounts.actions import create_api_token
from preau.core.models import Notification
from preau.news.models import News, NewsRead
from preau.news.queries import PAGE_SIZE
from preau.news.tests.factories import actor, draft, published

pytestmark = pytest.mark.django_db

BASE = "/api/v1/news"


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(BASE + path, data or {}, content_type="application/json")


def guardians(world: Any) -> str:
    return f"profile:{world.school.pk}:guardian"


def foreign_client(world: Any) -> Client:
    c = Client(HTTP_HOST="other.test")
    c.force_login(world.foreign_admin)
    return c


def test_anonymous_gets_401(world):
    assert Client().get(BASE).status_code == 401


@pytest.mark.parametrize("count", [1, PAGE_SIZE + 2])
def test_the_news_for_me_in_constant_queries(world, client_for, django_assert_num_queries, count):
    for i in range(count):
        published(world.director, guardians(world), title=f"n°{i}")
    client = client_for(world.guardian)
    client.get(BASE)
    # Session and person, the actor (memberships, authorities), ONE page of news.
    with django_assert_num_queries(5):
        first = client.get(BASE).json()
    assert len(first["items"]) == min(count, PAGE_SIZE)
    assert first["items"][0]["title"] == f"n°{count - 1}"
    assert first["items"][0]["author"] == {"id": world.director.pk, "full_name": "Henri Fournier"}
    assert first["items"][0]["is_read"] is False
    if count > PAGE_SIZE:
        second = client.get(BASE, {"after": first["next"]}).json()
        assert [i["title"] for i in second["items"]] == ["n°1", "n°0"]
        assert second["next"] is None
    bad = client.get(BASE, {"after": "garbage"})
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_cursor")


def test_reading_a_news_marks_it_read(world, client_for):
    news = published(world.director, guardians(world), body="<p>Fermé<script>x()</script></p>")
    client = client_for(world.guardian)
    detail = client.get(f"{BASE}/{news.pk}").json()
    assert detail["body_html"] == "<p>Fermé</p>"
    assert detail["is_read"] is True
    assert detail["addressed"][0]["key"] == guardians(world)
    assert NewsRead.objects.filter(news=news, person=world.guardian).count() == 1
    assert client.get(BASE).json()["items"][0]["is_read"] is True
    again = post(client, f"/{news.pk}/read").json()
    assert again["is_read"] is True
    assert NewsRead.objects.count() == 1


def test_an_author_writes_and_publishes(world, client_for):
    client = client_for(world.director)
    targets = client.get(BASE + "/targets").json()
    by_key = {t["key"]: t for t in targets}
    assert by_key[guardians(world)]["group"] == world.school.name
    assert f"school:{world.other_school.pk}" not in by_key
    created = post(
        client,
        "",
        {
            "title": "Collège fermé",
            "body": "<p>Neige</p>",
            "targets": [guardians(world)],
            "is_urgent": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["is_urgent"]) == ("draft", True)
    published_news = post(client, f"/{body['id']}/publish").json()
    assert published_news["status"] == "published"
    assert Notification.objects.filter(kind="news.published").count() == 1


def test_a_teacher_must_submit(world, client_for):
    client = client_for(world.teacher)
    created = post(
        client, "", {"title": "Sortie", "targets": [f"class_guardians:{world.class_a.pk}"]}
    ).json()
    refused = post(client, f"/{created['id']}/publish")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    submitted = post(client, f"/{created['id']}/submit")
    assert submitted.json()["status"] == "submitted"


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("class_guardians:{class_b}", "target_refused"),
        ("school:{foreign_school}", "bad_target"),
        ("class_pupils:999999", "bad_target"),
    ],
)
def test_a_refused_target_is_a_422_with_its_code(world, client_for, target, code):
    key = target.format(class_b=world.class_b.pk, foreign_school=world.foreign_school.pk)
    response = post(client_for(world.teacher), "", {"title": "x", "targets": [key]})
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert "targets" in response.json()["fields"]
    assert not News.objects.exists()


def test_missing_title_is_invalid(world, client_for):
    response = post(client_for(world.staff), "", {"title": "  "})
    assert (response.status_code, response.json()["code"]) == (422, "no_title")


@pytest.mark.parametrize("who", ["pupil_b", "other_admin", "other_pupil", "foreign"])
def test_another_school_s_or_tenant_s_news_answers_404_and_changes_nothing(world, client_for, who):
    news = published(world.director, f"class_guardians:{world.class_a.pk}")
    mine = draft(world.director, guardians(world))
    client = foreign_client(world) if who == "foreign" else client_for(getattr(world, who))
    for path in (f"/{news.pk}", f"/{mine.pk}"):
        response = client.get(BASE + path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    for path in (f"/{news.pk}/read", f"/{mine.pk}/publish", f"/{mine.pk}/submit"):
        assert post(client, path).status_code == 404
    assert not NewsRead.objects.exists()
    assert News.objects.get(pk=mine.pk).status == News.Status.DRAFT
    assert client.get(BASE).json()["items"] == []


def test_a_bearer_token_reads_the_news(world, client_for):
    published(world.director, guardians(world), title="Réunion")
    _token, secret = create_api_token(actor=actor(world.guardian), label="app")
    response = Client(HTTP_HOST="testserver").get(BASE, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [i["title"] for i in response.json()["items"]] == ["Réunion"]
