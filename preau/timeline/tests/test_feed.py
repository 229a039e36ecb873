"""The feed (fan-out on read): exactly the person's own rows and the audiences reaching them,
newest first, not expired, by app, by keyset pages; read marks and the unread count."""

from __future__ import annotations

import pytest
from django.http import Http404

from preau.core.models import Notification
from preau.core.pagination import BadCursorError
from preau.timeline import actions, queries
from preau.timeline.models import Seen
from preau.timeline.tests.conftest import actor, ago, audience, post

pytestmark = pytest.mark.django_db


def ids(page):
    return [n.pk for n in page.items]


def test_the_feed_holds_my_rows_and_the_audiences_reaching_me_and_nothing_else(world):
    guardians_a = audience(world.tenant, "class_guardians", school_class=world.class_a)
    whole_school = audience(world.tenant, "school", school=world.school)
    other_school = audience(world.tenant, "school", school=world.other_school)
    foreign = audience(world.other_tenant, "school", school=world.foreign_school)
    mine = post(world.teacher, [world.guardian], kind="messaging.message", text="Bonjour")
    to_class = post(world.director, guardians_a, text="Sortie")
    to_school = post(world.director, whole_school, text="Fermeture")
    post(world.other_admin, other_school, text="Autre collège")
    post(world.foreign_admin, foreign, text="Autre territoire")
    for_marc = post(world.teacher, [world.guardian_b], kind="messaging.message", text="Marc")

    feed = queries.feed_for(actor(world.guardian))
    assert ids(feed) == [to_school.pk, to_class.pk, mine.pk]
    # The guardian of 6e B gets the whole school's, not 6e A's guardians'.
    assert ids(queries.feed_for(actor(world.guardian_b))) == [for_marc.pk, to_school.pk]
    assert ids(queries.feed_for(actor(world.other_pupil))) == [
        n.pk for n in Notification.objects.filter(text="Autre collège")
    ]
    assert [n.text for n in queries.feed_for(actor(world.foreign_pupil)).items] == [
        "Autre territoire"
    ]
    # Who published to an audience does not see it in their own feed.
    assert to_school.pk not in ids(queries.feed_for(actor(world.director)))


def test_expired_items_are_hidden(world):
    school = audience(world.tenant, "school", school=world.school)
    live = post(world.director, school, text="Toujours là", expires_at=ago(hours=-1))
    post(world.director, school, text="Périmé", expires_at=ago(minutes=1))
    post(world.teacher, [world.pupil], kind="homework.new", text="Vieux", expires_at=ago(days=1))
    assert ids(queries.feed_for(actor(world.pupil))) == [live.pk]
    assert queries.unread_count(actor(world.pupil)) == 1


def test_the_feed_filters_by_app(world):
    school = audience(world.tenant, "school", school=world.school)
    news = post(world.director, school, kind="news.published")
    message = post(world.teacher, [world.pupil], kind="messaging.message")
    homework = post(world.teacher, [world.pupil], kind="homework.new")
    me = actor(world.pupil)
    assert ids(queries.feed_for(me, app="news")) == [news.pk]
    assert ids(queries.feed_for(me, app="messaging")) == [message.pk]
    assert ids(queries.feed_for(me, app="homework")) == [homework.pk]
    assert ids(queries.feed_for(me)) == [homework.pk, message.pk, news.pk]


def test_keyset_pages_walk_the_feed_newest_first_without_gaps(world):
    school = audience(world.tenant, "school", school=world.school)
    made = [post(world.director, school, text=f"n{i}", at=ago(minutes=10 - i)) for i in range(5)]
    made += [post(world.teacher, [world.pupil], kind="homework.new", at=ago(minutes=30))]
    me = actor(world.pupil)
    seen, after = [], None
    while True:
        page = queries.feed_for(me, after=after, limit=2)
        seen += ids(page)
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [n.pk for n in reversed(made[:5])] + [made[5].pk]
    assert page.next_cursor is None
    with pytest.raises(BadCursorError):
        queries.feed_for(me, after="not-a-cursor")


def test_reading_one_of_mine_and_one_of_an_audience(world):
    school = audience(world.tenant, "school", school=world.school)
    own = post(world.teacher, [world.pupil], kind="homework.new")
    shared = post(world.director, school)
    me = actor(world.pupil)
    assert queries.unread_count(me) == 2
    actions.mark_read(actor=me, notification=queries.access_notification(me, own.pk))
    actions.mark_read(actor=me, notification=queries.access_notification(me, shared.pk))
    actions.mark_read(actor=me, notification=queries.access_notification(me, shared.pk))
    assert queries.unread_count(me) == 0
    assert {n.pk: n.is_read for n in queries.feed_for(me).items} == {own.pk: True, shared.pk: True}
    own.refresh_from_db()
    assert own.read_at is not None
    assert Seen.objects.get().person_id == world.pupil.pk
    # The shared row itself is untouched: the other pupils still have it unread.
    shared.refresh_from_db()
    assert shared.read_at is None
    assert queries.unread_count(actor(world.pupil2)) == 1


def test_mark_all_read_is_bounded_to_what_i_can_see(world):
    school = audience(world.tenant, "school", school=world.school)
    other = audience(world.tenant, "school", school=world.other_school)
    for i in range(3):
        post(world.director, school, text=f"s{i}")
    post(world.other_admin, other)
    post(world.teacher, [world.pupil], kind="homework.new")
    post(world.teacher, [world.pupil2], kind="homework.new")
    post(world.director, school, expires_at=ago(minutes=1))
    me = actor(world.pupil)
    assert actions.mark_all_read(actor=me) == 4
    assert queries.unread_count(me) == 0
    assert Seen.objects.count() == 3  # not the other school's, not the expired one
    assert Notification.objects.filter(recipient=world.pupil2, read_at__isnull=True).count() == 1
    assert actions.mark_all_read(actor=me) == 0


@pytest.mark.parametrize("who", ["pupil2", "other_pupil", "foreign_pupil"])
def test_someone_else_s_notification_is_not_found(world, who):
    own = post(world.teacher, [world.pupil], kind="homework.new")
    other_school = post(
        world.other_admin, audience(world.tenant, "school", school=world.other_school)
    )
    for n in (own, other_school):
        if who == "other_pupil" and n == other_school:
            continue
        with pytest.raises(Http404):
            queries.access_notification(actor(getattr(world, who)), n.pk)


def test_open_goes_only_to_same_site_addresses(world):
    me = actor(world.pupil)
    for url, expected in [
        ("/news/3/", "/news/3/"),
        ("https://evil.example/x", "/timeline/"),
        ("//evil.example/x", "/timeline/"),
        ("/\\evil.example", "/timeline/"),
        ("javascript:alert(1)", "/timeline/"),
        ("", "/timeline/"),
    ]:
        n = post(world.teacher, [world.pupil], kind="homework.new", url=url)
        assert actions.open_notification(actor=me, notification=n) == expected


def test_a_blocked_person_may_not_read_nor_set_anything(world):
    from django.core.exceptions import PermissionDenied

    from preau.timeline.models import Group, Mode

    n = post(world.teacher, [world.pupil], kind="homework.new")
    world.pupil.is_blocked = True
    world.pupil.save()
    me = actor(world.pupil)
    with pytest.raises(PermissionDenied):
        actions.mark_read(actor=me, notification=n)
    with pytest.raises(PermissionDenied):
        actions.set_preferences(actor=me, choices={Group.NEWS: (Mode.FEED, True)})
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_refuses_a_notification_that_is_not_mine(world):
    from django.core.exceptions import PermissionDenied

    other = post(world.teacher, [world.pupil2], kind="homework.new")
    elsewhere = post(world.other_admin, audience(world.tenant, "school", school=world.other_school))
    for n in (other, elsewhere):
        with pytest.raises(PermissionDenied):
            actions.mark_read(actor=actor(world.pupil), notification=n)
    assert not Seen.objects.exists()
    other.refresh_from_db()
    assert other.read_at is None
