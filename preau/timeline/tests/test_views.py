"""The timeline pages: the feed in a fixed number of queries whatever the audiences, "more"
with and without htmx, the home page's section, the badge, opening, read marks, isolation."""

from __future__ import annotations

import pytest

from preau.core.models import Notification
from preau.timeline.models import Seen
from preau.timeline.tests.conftest import audience, post

pytestmark = pytest.mark.django_db

FEED_QUERIES = 5  # session, person, actor (memberships, authority rights), the feed page


def _audiences_reaching_guardian(world, n):
    """`n` audiences of different kinds, all reaching Sophie Martin, each with one item."""
    kinds = [
        ("school", {"school": world.school}),
        ("profile", {"school": world.school, "profile": "guardian"}),
        ("class_guardians", {"school_class": world.class_a}),
        ("person", {"person": world.guardian}),
        ("authority", {"authority": world.authority}),
    ]
    for i in range(n):
        kind, target = kinds[i % len(kinds)]
        post(world.director, audience(world.tenant, kind, **target), text=f"Info {i}")


def test_the_feed_page_has_a_fixed_number_of_queries_whatever_the_audiences(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.guardian)
    _audiences_reaching_guardian(world, 1)
    client.get("/timeline/")  # the host's tenant is cached from here on
    with django_assert_num_queries(FEED_QUERIES):
        page = client.get("/timeline/")
    assert [n.text for n in page.context["page"].items] == ["Info 0"]
    _audiences_reaching_guardian(world, 50)
    post(world.teacher, [world.guardian], kind="messaging.message", text="Personnel")
    with django_assert_num_queries(FEED_QUERIES):
        page = client.get("/timeline/")
    assert len(page.context["page"].items) == 20
    assert page.context["page"].items[0].text == "Personnel"
    assert page.context["page"].next_cursor


def test_more_loads_the_next_items_with_htmx_and_without(world, client_for):
    school = audience(world.tenant, "school", school=world.school)
    for i in range(25):
        post(world.director, school, text=f"Info {i:02d}")
    client = client_for(world.pupil)
    first = client.get("/timeline/")
    body = first.content.decode()
    assert "Info 24" in body
    assert "Info 05" in body
    assert "Info 04" not in body
    next_url = first.context["page"].next_url
    assert f'href="/timeline/{next_url}"'.replace("&", "&amp;") in body
    partial = client.get(f"/timeline/{next_url}", HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "timeline/partials/items.html"
    assert "Info 04" in partial.content.decode()
    assert "<h1" not in partial.content.decode()
    plain = client.get(f"/timeline/{next_url}")
    assert "<h1" in plain.content.decode()
    assert "Info 00" in plain.content.decode()
    assert client.get("/timeline/?after=garbage").status_code == 400


def test_the_app_filter_is_offered_and_applied(world, client_for):
    post(world.director, audience(world.tenant, "school", school=world.school), text="Annonce")
    post(world.teacher, [world.pupil], kind="messaging.message", text="Message")
    client = client_for(world.pupil)
    page = client.get("/timeline/?app=messaging")
    assert [n.text for n in page.context["page"].items] == ["Message"]
    assert 'href="/timeline/?app=messaging" aria-current="page"' in page.content.decode()
    assert len(client.get("/timeline/?app=unknown").context["page"].items) == 2


def test_an_empty_feed_says_what_will_appear(world, client_for):
    body = client_for(world.pupil).get("/timeline/").content.decode()
    assert "empty-state" in body


def test_the_home_page_loads_what_s_new_by_htmx_and_pays_nothing_for_it(
    world, client_for, django_assert_max_num_queries
):
    post(world.director, audience(world.tenant, "school", school=world.school), text="Fermeture")
    client = client_for(world.guardian)
    home = client.get("/").content.decode()
    assert home.count('id="whats-new"') == 1
    assert 'hx-get="/timeline/latest" hx-trigger="load"' in home
    assert "Fermeture" not in home  # loaded afterwards
    assert 'hx-get="/timeline/unread"' in home  # the badge on the Home link
    latest = client.get("/timeline/latest").content.decode()
    assert "Fermeture" in latest
    assert 'href="/timeline/"' in latest
    badge = client.get("/timeline/unread").content.decode()
    assert 'id="timeline-badge">1<' in badge


def test_opening_marks_read_and_redirects_only_on_site(world, client_for):
    school = audience(world.tenant, "school", school=world.school)
    safe = post(world.director, school, url="/messages/")
    evil = post(world.director, school, url="https://evil.example/phish")
    client = client_for(world.pupil)
    response = client.get(f"/timeline/{safe.pk}/open")
    assert response.status_code == 302
    assert response["Location"] == "/messages/"
    assert Seen.objects.filter(person=world.pupil, notification=safe).exists()
    response = client.get(f"/timeline/{evil.pk}/open")
    assert response["Location"] == "/timeline/"


@pytest.mark.parametrize("who", ["pupil2", "other_pupil", "foreign_pupil"])
def test_someone_else_s_item_answers_404_and_changes_nothing(world, client_for, who):
    own = post(world.teacher, [world.pupil], kind="homework.new", url="/x/")
    client = client_for(getattr(world, who))
    assert client.get(f"/timeline/{own.pk}/open").status_code == 404
    assert client.post(f"/timeline/{own.pk}/read").status_code == 404
    own.refresh_from_db()
    assert own.read_at is None
    assert not Seen.objects.exists()


def test_read_marks_from_the_page(world, client_for):
    school = audience(world.tenant, "school", school=world.school)
    one = post(world.director, school, text="Une")
    post(world.director, school, text="Deux")
    mine = post(world.teacher, [world.pupil], kind="homework.new")
    client = client_for(world.pupil)
    response = client.post(f"/timeline/{one.pk}/read", HTTP_HX_REQUEST="true")
    assert 'class="timeline__item"' in response.content.decode()  # no longer unread
    response = client.post("/timeline/read-all", {"next": "https://evil.example/"})
    assert response["Location"] == "/timeline/"
    assert Seen.objects.filter(person=world.pupil).count() == 2
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert (
        client.get("/timeline/unread")
        .content.decode()
        .strip()
        .endswith('<span id="timeline-badge"></span>')
    )


def test_the_service_worker_is_served_for_the_whole_site(client, world):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    assert b"showNotification" in response.content
    assert b"notificationclick" in response.content
